//! The world each row runs in: an own object of every kind, and a foreign counterpart.

use super::rows::{
    BIRMINGHAM, BIRMINGHAM_POSTCODE, FOREIGN_URN, HOOK, Kind, MISSING_URN, MakeBody, OWN_URN, Obj, PERIOD, Row,
    issuer_body, peer_body,
};
use crate::support::*;
use serde_json::json;
use std::collections::HashMap;

/// The fixture: Hackney's child placed at P1's Oak House (SC480011) in Leeds with everything
/// around it, and the foreign counterpart: Manchester's child at P3's Elm House in Birmingham.
pub struct World {
    pub app: TestApp,
    pub p1: String,
    pub p2: String,
    pub child: String,
    pub own: HashMap<Kind, String>,
    pub foreign: HashMap<Kind, String>,
    pub etags: HashMap<String, String>,
}

impl World {
    /// Builds the world; an API client (slow to hash) only for rows about one.
    pub async fn build(kind: Kind) -> World {
        let app = TestApp::start().await;
        let op = app.operator();
        let (p1, _) = app.provider_with_home().await;
        let p2 = op.create_provider("Harbour Homes Ltd").await.expect(201).id();
        let p3 = op.create_provider("Midland Care Ltd").await.expect(201).id();
        op.create_setting(Setting::new(FOREIGN_URN, &p3, "Elm House").postcode(BIRMINGHAM_POSTCODE)).await.expect(201);

        let (mut own, mut foreign) = (HashMap::new(), HashMap::new());
        for (la, provider, urn, map, given) in
            [(HACKNEY, &p1, OWN_URN, &mut own, "Ruby"), (MANCHESTER, &p3, FOREIGN_URN, &mut foreign, "Maya")]
        {
            let placing = app.la(la);
            let home = app.provider(provider);
            let child = app.child_of(la, a_child(given, "Stone").born("2012-04-03")).await;
            let placement = placing.place(Placement::at(&child, urn).from("2026-06-01")).await.expect(201).id();
            let episode = Episode::missing(&child, "2026-06-10T22:00:00Z").until("2026-06-11T02:00:00Z");
            let episode = home.report_missing(episode).await.expect(201).id();
            let admission =
                home.record_admission(urn, json!({"child_id": child, "date": "2026-06-01"})).await.expect(201).id();
            let sent = placing.sent_notifications("type=placement.started").await.expect(200);
            let notification = sent.body["items"][0]["id"].as_str().expect("placement.started sent").to_string();
            home.submit_return(urn, PERIOD, json!({"nil": true, "episodes": []})).await.expect(201);
            map.insert(Kind::Child, child);
            map.insert(Kind::Placement, placement);
            map.insert(Kind::Episode, episode);
            map.insert(Kind::Admission, admission);
            map.insert(Kind::Notification, notification);
            map.insert(Kind::Home, urn.to_string());
        }
        for (la, map) in [(LEEDS, &mut own), (BIRMINGHAM, &mut foreign)] {
            let hook = app.la(la).register_webhook(HOOK, &["placement.started"]).await;
            map.insert(Kind::Webhook, hook.expect(201).id());
        }
        if matches!(kind, Kind::ApiClient | Kind::Credentials) {
            let client = op
                .create_api_client(json!({"name": "Hackney CMS", "org_type": "authority", "org": HACKNEY}))
                .await
                .expect(201);
            let client_id = client.body["client_id"].as_str().expect("client_id").to_string();
            let secret = client.body["client_secret"].as_str().expect("client_secret").to_string();
            own.insert(Kind::ApiClient, client_id.clone());
            own.insert(Kind::Credentials, format!("{client_id}:{secret}"));
            foreign.insert(Kind::Credentials, format!("{client_id}:{}", "x".repeat(secret.len())));
        }
        let issuer = op.trust_issuer(issuer_body("https://login.hackney.example", HACKNEY)).await;
        own.insert(Kind::Issuer, issuer.expect(201).id());
        if kind == Kind::Peer {
            op.post("/v1/federation/peers", peer_body("east", "E06000001")).await.expect(201);
            own.insert(Kind::Peer, "east".to_string());
        }
        if kind == Kind::Receipt {
            // A receipt from a peer for an event Hackney sent (as the worker records one).
            let receipt = uuid::Uuid::new_v4().to_string();
            internals::execute_sql(
                &app,
                &format!(
                    "INSERT INTO federation_receipts (id, peer_node, kid, jws, last_seq, received_at) \
                     VALUES ('{receipt}', 'east', 'n1', 'e30.e30.sig', 1, '2026-06-14 10:00:00')"
                ),
            );
            internals::execute_sql(
                &app,
                &format!(
                    "INSERT INTO federation_outbox (event_id, dest_node, seq, kind, sender_la, body, occurred_at, status, receipt_id) \
                     VALUES ('{}', 'east', 1, 'placement.started', '{HACKNEY}', '{{}}', '2026-06-14 09:00:00', 'applied', '{receipt}')",
                    uuid::Uuid::new_v4()
                ),
            );
            own.insert(Kind::Receipt, receipt);
        }
        if kind == Kind::MergeRequest {
            // Leeds asks to merge Hackney's child into a record of its own (Hackney confirms);
            // Birmingham asks the same of Manchester's child.
            for (la, map) in [(LEEDS, &mut own), (BIRMINGHAM, &mut foreign)] {
                let survivor = app.child_of(la, a_child("Tia", "Okafor").born("2010-01-20")).await;
                let other = map[&Kind::Child].clone();
                let r =
                    app.la(la).post(&format!("/v1/children/{survivor}/merge"), json!({"duplicate_id": other})).await;
                map.insert(Kind::MergeRequest, r.expect(202).id());
            }
        }
        own.insert(Kind::Provider, p1.clone());
        own.insert(Kind::Setting, OWN_URN.to_string());
        own.insert(Kind::Authority, LEEDS.to_string());

        let mut etags = HashMap::new();
        for (placing, map) in [(app.la(HACKNEY), &own), (app.la(MANCHESTER), &foreign)] {
            etags.insert(map[&Kind::Child].clone(), placing.child(&map[&Kind::Child]).await.expect(200).etag());
            let placement = &map[&Kind::Placement];
            etags.insert(placement.clone(), placing.placement(placement).await.expect(200).etag());
            etags.insert(map[&Kind::Episode].clone(), placing.episode(&map[&Kind::Episode]).await.expect(200).etag());
        }
        etags.insert(p1.clone(), op.provider_record(&p1).await.expect(200).etag());
        etags.insert(OWN_URN.to_string(), op.setting(OWN_URN).await.expect(200).etag());
        let child = own[&Kind::Child].clone();
        World { app, p1, p2, child, own, foreign, etags }
    }

    pub fn callers(&self) -> [Actor; 7] {
        let a = &self.app;
        [
            a.la(HACKNEY),
            a.la(LEEDS),
            a.la(KENT),
            a.provider(&self.p1),
            a.provider(&self.p2),
            a.operator(),
            a.anonymous(),
        ]
    }

    pub fn object(&self, kind: Kind, obj: Obj) -> Option<String> {
        match obj {
            Obj::Own => Some(self.own.get(&kind).cloned().unwrap_or_default()),
            Obj::Foreign => self.foreign.get(&kind).cloned(),
            Obj::Missing => Some(match kind {
                Kind::None => String::new(),
                Kind::Setting | Kind::Home => MISSING_URN.to_string(),
                Kind::Authority => "E09999999".to_string(),
                Kind::Credentials => format!("{}:{}", uuid::Uuid::new_v4(), "x".repeat(43)),
                _ => uuid::Uuid::new_v4().to_string(),
            }),
        }
    }

    pub async fn call(&self, row: &Row, actor: &Actor, o: &str) -> Resp {
        let mut path = row.path.replace("{period}", PERIOD).replace("{version}", "1").replace("{year}", "2026");
        if let Some(start) = path.find('{') {
            let end = path[start..].find('}').expect("closing brace") + start;
            path.replace_range(start..=end, o);
        }
        match row.path {
            "/v1/reports/placing/records" | "/v1/reports/host/records" | "/v1/reports/provider/records" => {
                path.push_str("?period=2026-Q2&figure=episodes")
            }
            "/v1/reports/placing" | "/v1/reports/host" | "/v1/reports/provider" => path.push_str("?period=2026-Q2"),
            _ => {}
        }
        let etag = self.etags.get(o).cloned().unwrap_or_else(|| "\"1\"".to_string());
        let headers: Vec<(&str, &str)> = if row.if_match { vec![("if-match", etag.as_str())] } else { vec![] };
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).expect("method");
        match row.body {
            MakeBody::None => actor.send(method, &path, None, &headers).await,
            MakeBody::Json(make) => actor.send(method, &path, Some(make(self, o)), &headers).await,
            MakeBody::Raw(content_type, make) => actor.raw(row.method, &path, content_type, &make(o)).await,
        }
    }
}
