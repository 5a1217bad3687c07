//! Rules for webhook endpoints (which URLs and event types are accepted), registering,
//! listing and disabling an LA's endpoints, the deliveries to one, and the signature.

use super::model::{CreatedWebhook, Delivery, DeliveryQuery, EVENT_TYPES, NewWebhook, Owner, Webhook};
use super::repo;
use crate::db::rows::webhooks::EndpointRow;
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError};
use crate::http::{Page, PageQuery};
use crate::secrets::Secrets;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use reqwest::Url;
use sha2::Sha256;
use std::collections::HashMap;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;
/// Prefix of signing secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// A registration that passed the rules: the normalised URL and the event types as stored
/// (space-separated, `*` alone for every type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub url: String,
    pub event_types: String,
}

/// Checks a registration; 422 naming every bad field.
pub fn check(input: &NewWebhook, dev: bool) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let url = match check_url(&input.url, dev) {
        Ok(u) => Some(u),
        Err(m) => {
            errors.push(FieldError::new("url", m));
            None
        }
    };
    let event_types = check_event_types(&mut errors, &input.event_types);
    match url {
        Some(url) if errors.is_empty() => Ok(Checked { url: url.to_string(), event_types }),
        _ => Err(ApiError::validation(errors)),
    }
}

fn check_event_types(errors: &mut Vec<FieldError>, types: &[String]) -> String {
    if types.is_empty() {
        errors.push(FieldError::new("event_types", "must name at least one notification type, or \"*\" for all"));
        return String::new();
    }
    if types.len() > 50 {
        errors.push(FieldError::new("event_types", "must name at most 50 types"));
        return String::new();
    }
    let mut wildcard = false;
    for (i, t) in types.iter().enumerate() {
        if t == "*" {
            wildcard = true;
        } else if !EVENT_TYPES.contains(&t.as_str()) {
            errors.push(FieldError::new(
                format!("event_types[{i}]"),
                format!("is not a notification type; use one of {} or \"*\"", EVENT_TYPES.join(", ")),
            ));
        }
    }
    if wildcard {
        return "*".to_string();
    }
    EVENT_TYPES.iter().filter(|k| types.iter().any(|t| t == *k)).copied().collect::<Vec<_>>().join(" ")
}

/// Checks a webhook URL. `https://` is required, except that development mode accepts plain
/// `http://` to a loopback host. Outside development mode, literal private, loopback and
/// link-local addresses (and `localhost`) are refused.
pub fn check_url(raw: &str, dev: bool) -> Result<Url, String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    let url = crate::outbound::check_url(raw, dev)?;
    if url.fragment().is_some() {
        return Err("must not contain a fragment (#...)".into());
    }
    Ok(url)
}

/// A new signing secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(raw))
}

/// The `webhook-signature` header for a message: `v1,` and the base64 of
/// HMAC-SHA256(key, "{id}.{timestamp}.{body}"), the key being the base64-decoded secret after
/// `whsec_` (Standard Webhooks).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD.decode(encoded).map_err(|e| format!("signing secret is not base64: {e}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// Registers an endpoint of the LA with a new signing secret, returned this once.
pub fn register(
    conn: &mut AnyConnection,
    la: &Owner,
    input: &NewWebhook,
    secrets: &Secrets,
    dev: bool,
    now: NaiveDateTime,
) -> Result<CreatedWebhook, ApiError> {
    let checked = check(input, dev)?;
    let id = uuid::Uuid::new_v4().to_string();
    let secret = new_secret();
    let row = EndpointRow {
        secret: secrets.seal(secret.as_bytes(), &secret_context(&id)).map_err(ApiError::internal)?,
        id,
        authority: la.org.clone(),
        url: checked.url,
        event_types: checked.event_types.into(),
        created_at: now,
        disabled_at: None,
        owner_org_type: la.org_type.to_string(),
    };
    write_tx(conn, |conn| repo::insert_endpoint(conn, &row))?;
    Ok(CreatedWebhook { webhook: row.into(), secret })
}

fn secret_context(endpoint: &str) -> String {
    format!("webhook_endpoints:{endpoint}")
}

/// An endpoint's signing secret, opened with the secrets key (a secret stored in clear by an
/// earlier version is used as it is until `seal_stored_secrets` seals it).
pub fn open_secret(secrets: &Secrets, endpoint: &str, stored: &str) -> Result<String, String> {
    if !Secrets::is_sealed(stored) {
        return Ok(stored.to_string());
    }
    let bytes = secrets.open(stored, &secret_context(endpoint)).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Seals the signing secrets stored in clear by earlier versions; how many.
pub fn seal_stored_secrets(conn: &mut AnyConnection, secrets: &Secrets) -> Result<usize, ApiError> {
    let mut n = 0;
    for (id, secret) in repo::endpoint_secrets(conn)? {
        if !Secrets::is_sealed(&secret) {
            let sealed = secrets.seal(secret.as_bytes(), &secret_context(&id)).map_err(ApiError::internal)?;
            write_tx(conn, |conn| repo::set_endpoint_secret(conn, &id, &sealed))?;
            n += 1;
        }
    }
    Ok(n)
}

/// The (created_at, id) a page of endpoints or deliveries ended on.
fn cursor(page: &PageQuery) -> Result<Option<(NaiveDateTime, String)>, ApiError> {
    match page.after()? {
        None => Ok(None),
        Some(k) if k.len() == 2 => match k[0].parse::<DateTime<Utc>>() {
            Ok(t) => Ok(Some((t.naive_utc(), k[1].clone()))),
            Err(_) => Err(ApiError::field("cursor", "not a cursor this API issued")),
        },
        Some(_) => Err(ApiError::field("cursor", "not a cursor this API issued")),
    }
}

/// A page of the LA's active endpoints, newest first.
pub fn list(conn: &mut AnyConnection, la: &Owner, page: &PageQuery) -> Result<Page<Webhook>, ApiError> {
    let limit = page.limit()?;
    let after = cursor(page)?;
    let rows = repo::list_endpoints(conn, la, after, limit)?;
    let items = rows.into_iter().map(Webhook::from).collect();
    Ok(Page::from_rows(items, limit, |w| vec![w.created_at.to_rfc3339(), w.id.clone()]))
}

/// An active endpoint of the LA; 404 for another LA's or a disabled one.
pub fn read(conn: &mut AnyConnection, la: &Owner, id: &str) -> Result<Webhook, ApiError> {
    repo::find_endpoint(conn, la, id)?.map(Webhook::from).ok_or(ApiError::NotFound)
}

/// Disables an endpoint of the LA and cancels its pending deliveries; 404 when the LA has no
/// such endpoint. Disabling twice keeps the first time.
pub fn disable(conn: &mut AnyConnection, la: &Owner, id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        if !repo::owns_endpoint(conn, la, id)? {
            return Err(ApiError::NotFound);
        }
        repo::disable_endpoint(conn, id, now)?;
        repo::cancel_pending(conn, id)
    })
}

/// A page of the deliveries to an active endpoint of the LA, newest first, each with every
/// attempt (oldest first).
pub fn deliveries(
    conn: &mut AnyConnection,
    la: &Owner,
    endpoint_id: &str,
    q: DeliveryQuery,
) -> Result<Page<Delivery>, ApiError> {
    let (page, status) = q.split();
    let limit = page.limit()?;
    let after = cursor(&page)?;
    repo::find_endpoint(conn, la, endpoint_id)?.ok_or(ApiError::NotFound)?;
    let rows = repo::list_deliveries(conn, endpoint_id, status, after, limit)?;
    let ids: Vec<String> = rows.iter().map(|r| r.delivery.id.clone()).collect();
    let mut attempts: HashMap<String, Vec<_>> = HashMap::new();
    for a in repo::attempts_of(conn, &ids)? {
        attempts.entry(a.delivery_id.clone()).or_default().push(a.into());
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let tried = attempts.remove(&r.delivery.id).unwrap_or_default();
            Delivery::of(r.delivery, r.notification_type, tried)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(items, limit, |d| vec![d.created_at.to_rfc3339(), d.id.clone()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, dev: bool) -> bool {
        check_url(url, dev).is_err()
    }

    #[test]
    fn webhooks_need_https_outside_dev_mode() {
        assert!(!refused("https://cms.leeds.example/hooks", false));
        assert!(refused("http://cms.leeds.example/hooks", false));
        assert!(refused("http://127.0.0.1:8080/hooks", false));
        assert!(refused("ftp://cms.leeds.example/hooks", false));
        assert!(refused("cms.leeds.example/hooks", false));
    }

    #[test]
    fn webhooks_allow_http_loopback_only_in_dev_mode() {
        assert!(!refused("http://127.0.0.1:9000/h", true));
        assert!(!refused("http://[::1]:9000/h", true));
        assert!(!refused("http://localhost:9000/h", true));
        assert!(refused("http://10.0.0.5/h", true));
        assert!(refused("http://cms.leeds.example/h", true));
    }

    #[test]
    fn webhooks_refuse_internal_addresses_outside_dev_mode() {
        for url in [
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://172.16.0.1/h",
            "https://192.168.1.1/h",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/h",
            "https://0.0.0.0/h",
            "https://[::1]/h",
            "https://[fe80::1]/h",
            "https://[fd00::1]/h",
            "https://[::ffff:10.0.0.1]/h",
            "https://localhost/h",
            "https://api.localhost/h",
            "https://2130706433/h",
        ] {
            assert!(refused(url, false), "{url} should be refused");
        }
        assert!(!refused("https://203.0.114.1/h", false));
        assert!(!refused("https://[2a00:1450:4009::1]/h", false));
    }

    #[test]
    fn webhooks_refuse_credentials_and_fragments() {
        assert!(refused("https://user:pw@cms.leeds.example/h", false));
        assert!(refused("https://user@cms.leeds.example/h", false));
        assert!(refused("https://cms.leeds.example/h#x", false));
        assert!(refused("https://cms.leeds.example/h x", false));
    }

    #[test]
    fn webhooks_event_types_are_normalised() {
        let mut errors = Vec::new();
        assert_eq!(
            check_event_types(&mut errors, &["placement.ended".into(), "placement.started".into()]),
            "placement.started placement.ended"
        );
        assert_eq!(check_event_types(&mut errors, &["*".into(), "placement.ended".into()]), "*");
        assert!(errors.is_empty());
        check_event_types(&mut errors, &["placement.started".into(), "placement.exploded".into()]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "event_types[1]");
    }

    #[test]
    fn webhooks_signature_follows_standard_webhooks() {
        // Expected value computed independently (Python's hmac, hashlib and base64 modules).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8f7eU5Y3EfM=";
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(sig.as_deref(), Ok("v1,dLd51MN2fZrtrU7qJDHRBk7FwTWUDhNnhoGwqs05qiM="));
        assert!(new_secret().starts_with(SECRET_PREFIX));
        assert_eq!(STANDARD.decode(&new_secret()[SECRET_PREFIX.len()..]).map(|k| k.len()), Ok(32));
    }
}
