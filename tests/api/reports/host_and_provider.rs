use super::{all_records, assert_figures, assert_records_match, ids, report, world};
use crate::support::*;
use serde_json::{Value, json};

#[actix_web::test]
async fn host_and_provider_figures_and_each_sees_only_its_own() {
    let w = world().await;
    let leeds = w.app.la(LEEDS);
    let r = report(&leeds, "host", "period=2026-Q2").await;
    assert_eq!((r["role"].clone(), r["organisation"].clone()), (json!("host"), json!(LEEDS)));
    let oak_episodes = [
        ("episodes", 3),
        ("episodes_missing", 2),
        ("episodes_away", 1),
        ("episodes_ended", 3),
        ("return_interviews_offered", 3),
        ("return_interviews_accepted", 2),
        ("return_interviews_completed_within_72h", 1),
        ("safe_and_well_checks", 2),
        ("children_with_repeat_episodes", 1),
    ];
    let mut expected = vec![
        ("notifications", 2),
        ("notifications_on_time", 1),
        ("notifications_late", 1),
        ("notifications_acknowledgement_overdue", 1),
        ("unnotified_placements", 3),
        ("unnotified_placements_unresolved", 2),
        ("returns_expected", 3),
        ("returns_on_time", 1),
        ("returns_late", 1),
        ("returns_missing", 1),
    ];
    expected.extend(oak_episodes);
    assert_figures(&r, &expected);
    assert_records_match(&leeds, &r).await;
    let href = |f: &str| format!("/v1/reports/host/records?period=2026-Q2&figure={f}");
    let unresolved = all_records(&leeds, &href("unnotified_placements_unresolved")).await;
    assert_eq!(ids(&unresolved), [w.adm["g"].clone(), w.adm["h"].clone()]);
    assert_eq!(unresolved[1]["placing_la"], KENT);
    let returns = all_records(&leeds, &href("returns_expected")).await;
    let summary: Vec<(String, String, Value, Value)> = returns
        .iter()
        .map(|r| {
            (
                r["urn"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
                r["latest_version"].clone(),
                r["first_submitted_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("SC480011".into(), "on_time".into(), json!(2), json!("2026-07-20T10:00:00Z")),
            ("SC480012".into(), "late".into(), json!(1), json!("2026-07-29T00:00:00Z")),
            ("SC480013".into(), "missing".into(), Value::Null, Value::Null),
        ]
    );
    assert_eq!(returns[0]["due_by"], "2026-07-28");
    assert_eq!(returns[0]["review_status"], "submitted");
    assert_eq!(returns[1]["review_status"], "queried");
    assert_eq!(returns[2]["setting_name"], "Birch House");

    // Kent hosts B and C (foster): three notices, B's two episodes, no settings.
    let kent = w.app.la(KENT);
    let k = report(&kent, "host", "period=2026-Q2").await;
    assert_figures(
        &k,
        &[
            ("notifications", 3),
            ("notifications_on_time", 2),
            ("notifications_late", 1),
            ("notifications_acknowledgement_overdue", 2),
            ("episodes", 2),
            ("episodes_missing", 2),
            ("episodes_ended", 1),
            ("episodes_first_reported_in_return", 1),
        ],
    );
    assert_records_match(&kent, &k).await;
    // As a placing LA Kent has only H's admission; Hackney's records never show.
    let kp = report(&kent, "placing", "period=2026-Q2").await;
    assert_figures(&kp, &[("unnotified_placements", 1), ("unnotified_placements_unresolved", 1)]);
    assert_records_match(&kent, &kp).await;
    // Hackney hosts nothing of anyone else's.
    assert_figures(&report(&w.app.la(HACKNEY), "host", "period=2026-Q2").await, &[]);

    // Brightwater: Oak and Elm House.
    let bw = w.app.provider(&w.brightwater);
    let p = report(&bw, "provider", "period=2026-Q2").await;
    assert_eq!(p["organisation"], json!(w.brightwater));
    let mut expected = vec![("returns_expected", 2), ("returns_on_time", 1), ("returns_late", 1)];
    expected.extend(oak_episodes);
    assert_figures(&p, &expected);
    assert_records_match(&bw, &p).await;
    let eps = all_records(&bw, "/v1/reports/provider/records?period=2026-Q2&figure=episodes").await;
    assert_eq!(ids(&eps), ["e1", "e2", "e3"].map(|k| w.e[k].clone()));
    // Rowan: Birch House, which sent nothing.
    let rowan = w.app.provider(&w.rowan);
    let rp = report(&rowan, "provider", "period=2026-Q2").await;
    assert_figures(&rp, &[("returns_expected", 1), ("returns_missing", 1)]);
    assert_records_match(&rowan, &rp).await;
    // A provider with no settings has nothing.
    assert_figures(&report(&w.app.provider("nobody"), "provider", "period=2026-Q2").await, &[]);

    // The collection year 2026-27 holds four quarters of returns; those not yet due are not missing.
    let y = report(&bw, "provider", "year=2027").await;
    let mut expected =
        vec![("returns_expected", 8), ("returns_on_time", 1), ("returns_late", 1), ("returns_not_yet_due", 6)];
    expected.extend(oak_episodes);
    assert_figures(&y, &expected);
    let ly = report(&leeds, "host", "year=2027").await;
    assert_eq!(ly["figures"]["returns_expected"]["value"], 12);
    assert_eq!(ly["figures"]["returns_not_yet_due"]["value"], 9);
    assert_records_match(&leeds, &ly).await;
    let pending = all_records(&leeds, "/v1/reports/host/records?year=2027&figure=returns_not_yet_due").await;
    let keys: Vec<String> = pending.iter().map(|r| format!("{} {}", r["period"], r["urn"])).collect();
    assert_eq!(keys.len(), 9);
    assert_eq!(keys.first().map(String::as_str), Some("\"2026-Q3\" \"SC480011\""));
    assert_eq!(keys.last().map(String::as_str), Some("\"2027-Q1\" \"SC480013\""));
    // Before the Q2 due date the unsent return was not yet due, not missing.
    w.app.set_time(at("2026-07-28"));
    let leeds = w.app.la(LEEDS);
    let before = report(&leeds, "host", "period=2026-Q2").await;
    assert_eq!(before["figures"]["returns_missing"]["value"], 0);
    assert_eq!(before["figures"]["returns_not_yet_due"]["value"], 1);
    // Settings registered after a quarter owe no return for it.
    assert_eq!(report(&leeds, "host", "period=2026-Q1").await["figures"]["returns_expected"]["value"], 0);
}
