//! One helper per endpoint that tests call often, named for what the caller does. Each returns
//! the `Resp`, so tests still assert the status and body themselves.

use super::actor::{Actor, Resp};
use serde_json::{Value, json};

/// Joins a query string to a path (`""` adds nothing).
fn with_query(path: String, query: &str) -> String {
    if query.is_empty() { path } else { format!("{path}?{query}") }
}

impl Actor {
    // Children.

    pub async fn register_child(&self, child: impl Into<Value>) -> Resp {
        self.post("/v1/children", child).await
    }
    pub async fn child(&self, id: &str) -> Resp {
        self.get(&format!("/v1/children/{id}")).await
    }
    /// The children this caller may list, with an optional query (`limit=2`, ...).
    pub async fn children(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/children".into(), query)).await
    }
    pub async fn update_child(&self, id: &str, changes: Value, etag: &str) -> Resp {
        self.patch(&format!("/v1/children/{id}"), changes, etag).await
    }
    pub async fn timeline(&self, child: &str) -> Resp {
        self.get(&format!("/v1/children/{child}/timeline")).await
    }
    pub async fn access_log(&self, child: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/children/{child}/access-log"), query)).await
    }
    /// Passes responsibility for a child to another LA.
    pub async fn transfer_child(&self, child: &str, to_la: &str) -> Resp {
        self.post(&format!("/v1/children/{child}/transfer"), json!({"to_la": to_la})).await
    }

    // Placements.

    pub async fn place(&self, placement: impl Into<Value>) -> Resp {
        self.post("/v1/placements", placement).await
    }
    pub async fn placement(&self, id: &str) -> Resp {
        self.get(&format!("/v1/placements/{id}")).await
    }
    pub async fn placements_of(&self, child: &str) -> Resp {
        self.get(&format!("/v1/placements?child_id={child}")).await
    }
    pub async fn amend_placement(&self, id: &str, changes: Value, etag: &str) -> Resp {
        self.patch(&format!("/v1/placements/{id}"), changes, etag).await
    }
    pub async fn end_placement(&self, id: &str, ending: impl Into<Value>) -> Resp {
        self.post(&format!("/v1/placements/{id}/end"), ending).await
    }
    pub async fn change_legal_status(&self, placement: &str, effective_from: &str, legal_status: &str) -> Resp {
        self.post(
            &format!("/v1/placements/{placement}/legal-statuses"),
            json!({"effective_from": effective_from, "legal_status": legal_status}),
        )
        .await
    }

    // The host view.

    /// The children placed in this LA's own area, with an optional query (`on=`, `flag=`, ...).
    pub async fn placed_children(&self, query: &str) -> Resp {
        let la = self.org().to_string();
        self.placed_children_in(&la, query).await
    }
    /// The host view of area `la` (refused unless the caller is that LA).
    pub async fn placed_children_in(&self, la: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/authorities/{la}/placed-children"), query)).await
    }

    // Notifications.

    /// This LA's inbox, with an optional query (`type=placement.started`, ...).
    pub async fn inbox(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/notifications".into(), query)).await
    }
    /// The notifications this organisation sent.
    pub async fn sent_notifications(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/notifications/sent".into(), query)).await
    }
    pub async fn notification(&self, id: &str) -> Resp {
        self.get(&format!("/v1/notifications/{id}")).await
    }
    pub async fn acknowledge(&self, notification: &str) -> Resp {
        self.post(&format!("/v1/notifications/{notification}/acknowledge"), json!({})).await
    }

    // Missing episodes.

    pub async fn report_missing(&self, episode: impl Into<Value>) -> Resp {
        self.post("/v1/missing-episodes", episode).await
    }
    pub async fn episode(&self, id: &str) -> Resp {
        self.get(&format!("/v1/missing-episodes/{id}")).await
    }
    pub async fn episodes(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/missing-episodes".into(), query)).await
    }
    pub async fn update_episode(&self, id: &str, changes: Value, etag: &str) -> Resp {
        self.patch(&format!("/v1/missing-episodes/{id}"), changes, etag).await
    }

    // Admissions and discharges.

    pub async fn record_admission(&self, urn: &str, admission: Value) -> Resp {
        self.post(&format!("/v1/settings/{urn}/admissions"), admission).await
    }
    pub async fn record_discharge(&self, urn: &str, discharge: Value) -> Resp {
        self.post(&format!("/v1/settings/{urn}/discharges"), discharge).await
    }
    pub async fn admission(&self, id: &str) -> Resp {
        self.get(&format!("/v1/admissions/{id}")).await
    }
    pub async fn admissions(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/admissions".into(), query)).await
    }

    // Quarterly returns.

    pub async fn submit_return(&self, urn: &str, period: &str, body: Value) -> Resp {
        self.put(&format!("/v1/settings/{urn}/returns/{period}"), body).await
    }
    /// A return sent as a CSV file; `query` may carry `reason=` or `nil=`.
    pub async fn submit_return_csv(&self, urn: &str, period: &str, query: &str, csv: &str) -> Resp {
        self.raw("PUT", &with_query(format!("/v1/settings/{urn}/returns/{period}"), query), "text/csv", csv).await
    }
    /// The latest version of a quarter's return, or with a query (`template=csv`).
    pub async fn quarterly_return(&self, urn: &str, period: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/settings/{urn}/returns/{period}"), query)).await
    }
    pub async fn return_version(&self, urn: &str, period: &str, version: u32) -> Resp {
        self.get(&format!("/v1/settings/{urn}/returns/{period}/versions/{version}")).await
    }
    /// Every quarter's returns of one setting.
    pub async fn returns_of_setting(&self, urn: &str) -> Resp {
        self.get(&format!("/v1/settings/{urn}/returns")).await
    }
    pub async fn review_return(&self, urn: &str, period: &str, review: Value) -> Resp {
        self.post(&format!("/v1/settings/{urn}/returns/{period}/review"), review).await
    }
    /// Which settings in area `la` returned a quarter, and when.
    pub async fn returns_in_area(&self, la: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/authorities/{la}/returns"), query)).await
    }

    // Reports and exports.

    /// The caller's own report as `role` (placing, host, provider).
    pub async fn report(&self, role: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/reports/{role}"), query)).await
    }
    /// The records behind a report's figures.
    pub async fn report_records(&self, role: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/reports/{role}/records"), query)).await
    }
    /// One file of the SSDA903 export (`header.csv`, `episodes.csv`, `missing.csv`, `validation`).
    pub async fn ssda903(&self, year: &str, file: &str) -> Resp {
        self.get(&format!("/v1/exports/ssda903/{year}/{file}")).await
    }

    // The directory.

    pub async fn authorities(&self, query: &str) -> Resp {
        self.get(&with_query("/v1/authorities".into(), query)).await
    }
    pub async fn authority(&self, code: &str) -> Resp {
        self.get(&format!("/v1/authorities/{code}")).await
    }
    pub async fn create_provider(&self, name: &str) -> Resp {
        self.post("/v1/providers", json!({"name": name})).await
    }
    pub async fn provider_record(&self, id: &str) -> Resp {
        self.get(&format!("/v1/providers/{id}")).await
    }
    pub async fn providers(&self) -> Resp {
        self.get("/v1/providers").await
    }
    pub async fn update_provider(&self, id: &str, changes: Value, etag: &str) -> Resp {
        self.patch(&format!("/v1/providers/{id}"), changes, etag).await
    }
    pub async fn create_setting(&self, setting: impl Into<Value>) -> Resp {
        self.post("/v1/settings", setting).await
    }
    pub async fn setting(&self, urn: &str) -> Resp {
        self.get(&format!("/v1/settings/{urn}")).await
    }
    pub async fn settings(&self) -> Resp {
        self.get("/v1/settings").await
    }
    pub async fn update_setting(&self, urn: &str, changes: Value, etag: &str) -> Resp {
        self.patch(&format!("/v1/settings/{urn}"), changes, etag).await
    }

    // Webhooks.

    pub async fn register_webhook(&self, url: &str, event_types: &[&str]) -> Resp {
        self.post("/v1/webhooks", json!({"url": url, "event_types": event_types})).await
    }
    pub async fn webhook(&self, id: &str) -> Resp {
        self.get(&format!("/v1/webhooks/{id}")).await
    }
    pub async fn webhooks(&self) -> Resp {
        self.get("/v1/webhooks").await
    }
    pub async fn delete_webhook(&self, id: &str) -> Resp {
        self.delete(&format!("/v1/webhooks/{id}")).await
    }
    pub async fn deliveries(&self, webhook: &str, query: &str) -> Resp {
        self.get(&with_query(format!("/v1/webhooks/{webhook}/deliveries"), query)).await
    }

    // Authentication.

    pub async fn create_api_client(&self, client: Value) -> Resp {
        self.post("/v1/api-clients", client).await
    }
    pub async fn api_clients(&self) -> Resp {
        self.get("/v1/api-clients").await
    }
    pub async fn revoke_api_client(&self, id: &str) -> Resp {
        self.post(&format!("/v1/api-clients/{id}/revoke"), json!({})).await
    }
    pub async fn trust_issuer(&self, issuer: Value) -> Resp {
        self.post("/v1/trusted-issuers", issuer).await
    }
    pub async fn remove_issuer(&self, id: &str) -> Resp {
        self.delete(&format!("/v1/trusted-issuers/{id}")).await
    }
}
