use super::{Q3, oak_house_after_q3, row};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn versions_stay_readable_and_an_accepted_return_needs_a_reason_to_change() {
    let s = oak_house_after_q3().await;
    let (home, host, urn) = (s.home(), s.app.la(LEEDS), s.urn.as_str());
    let amelias = row(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z"));
    let v1 = home.submit_return(urn, Q3, return_of(vec![amelias.clone()])).await.expect(201);
    // A second version before review needs no reason; the first stays readable.
    let bens = row(&s.ben, "A", "2026-07-06T10:00:00Z", Some("2026-07-06T11:00:00Z"));
    let v2 = home.submit_return(urn, Q3, return_of(vec![amelias.clone(), bens])).await.expect(201);
    assert_eq!(v2.body["version"], 2);
    assert_eq!(v2.body["summary"]["counts"]["matched"], 1);
    assert_eq!(v2.body["summary"]["counts"]["added"], 1);
    let old = host.return_version(urn, Q3, 1).await.expect(200);
    assert_eq!(old.body["id"], v1.body["id"]);
    assert_eq!(old.body["latest"], false);
    assert_eq!(old.etag(), "\"1\"");
    host.return_version(urn, Q3, 3).await.expect_problem(404);
    assert_eq!(host.quarterly_return(urn, Q3, "").await.expect(200).body["version"], 2);
    // Review: the host LA only; a query needs a comment.
    let accept = json!({"decision": "accept"});
    home.review_return(urn, Q3, accept.clone()).await.expect_problem(403);
    s.app.la(KENT).review_return(urn, Q3, accept.clone()).await.expect_problem(404);
    s.app.la(HACKNEY).review_return(urn, Q3, accept.clone()).await.expect_problem(404);
    host.review_return(urn, Q3, json!({"decision": "query"})).await.expect_field_error(422, "comment");
    host.review_return(urn, Q3, json!({"decision": "maybe"})).await.expect_field_error(422, "decision");
    let review = format!("/v1/settings/{urn}/returns/{Q3}/review");
    host.post_with(&review, accept.clone(), &[("if-match", "\"1\"")]).await.expect_problem(412);
    let q = host
        .review_return(urn, Q3, json!({"decision": "query", "comment": "Ben's episode: was he reported to police?"}))
        .await
        .expect(200);
    assert_eq!(q.body["status"], "queried");
    assert_eq!(q.body["review"]["decision"], "query");
    let acc = host.post_with(&review, accept, &[("if-match", "\"2\"")]).await.expect(200);
    assert_eq!(acc.body["status"], "accepted");
    assert_eq!(acc.body["review"]["by"], "test-user");
    host.review_return(urn, Q3, json!({"decision": "query", "comment": "again"})).await.expect_problem(409);
    // Accepted: a new version needs a reason, as JSON or as the CSV query parameter.
    let v3 = return_of(vec![amelias]);
    let r = home.submit_return(urn, Q3, v3.clone()).await.expect_field_error(422, "reason");
    assert!(r.text.contains("accepted"), "{}", r.text);
    let mut blank = v3;
    blank["reason"] = json!("   ");
    home.submit_return(urn, Q3, blank).await.expect_field_error(422, "reason");
    let csv = format!("child_id,kind,started_at,ended_at\n{},M,2026-07-05T10:00:00Z,2026-07-05T11:00:00Z\n", s.amelia);
    home.submit_return_csv(urn, Q3, "", &csv).await.expect_field_error(422, "reason");
    let r =
        home.submit_return_csv(urn, Q3, "reason=Ben%27s%20episode%20was%20at%20his%20family", &csv).await.expect(201);
    assert_eq!(r.body["version"], 3);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["reason"], "Ben's episode was at his family");
    assert_eq!(r.body["summary"]["counts"]["omitted"], 1);
    // The listing shows every version of the quarter.
    let list = host.returns_of_setting(urn).await.expect(200);
    let q3 = &list.body["items"][0];
    assert_eq!(q3["period"], Q3);
    assert_eq!(q3["standing"], "received");
    assert_eq!(q3["latest_version"], 3);
    let statuses: Vec<&str> =
        q3["versions"].as_array().expect("versions").iter().filter_map(|v| v["status"].as_str()).collect();
    assert_eq!(statuses, ["submitted", "accepted", "submitted"]);
    assert_eq!(q3["versions"][1]["counts"]["added"], 1);
}
