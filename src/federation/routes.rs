//! The node-to-node routes, under `/fed/v1`: they take node signatures only (a bearer token is
//! refused there, as a node key is refused as a bearer token everywhere else).
//!
//! - `POST /fed/v1/events`: a batch from a peer, applied, answered with a signed receipt.
//! - `GET /fed/v1/streams/{node}/events?after=SEQ`: a peer fetches its own stream from here
//!   (after a restore from backup), answered as a JWS by this node's key.

use super::{apply, sign};
use crate::error::ApiError;
use crate::peers::wire::{Batch, BatchAnswer, MAX_BATCH, Pulled};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};

/// The largest batch body taken.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The URI the request was sent to, as its signer saw it: this node's public URL (or the
/// request's scheme and host) with the path and query.
fn target_uri(state: &AppState, req: &HttpRequest) -> String {
    let pq = req.uri().path_and_query().map_or_else(|| req.path().to_string(), |pq| pq.as_str().to_string());
    match &state.config.public_url {
        Some(base) => format!("{}{pq}", base.trim_end_matches('/')),
        None => {
            let info = req.connection_info();
            format!("{}://{}{pq}", info.scheme(), info.host())
        }
    }
}

/// The peer that signed the request, after every check: no bearer token, a signature over what
/// it must cover, in its window, by a directory key, with a nonce not seen before.
async fn authenticate(state: &AppState, req: &HttpRequest, body: Option<&[u8]>) -> Result<String, ApiError> {
    if req.headers().contains_key(actix_web::http::header::AUTHORIZATION) {
        return Err(ApiError::Unauthorized {
            detail: "Node routes take node signatures (RFC 9421), not bearer tokens.".into(),
        });
    }
    let uri = target_uri(state, req);
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
        .collect();
    let hreq = crate::httpsig::Request { method: req.method().as_str(), target_uri: &uri, headers };
    let now = state.clock.now();
    let signed = sign::check(&hreq, body, now)?;
    let nonce_expires = crate::db::db_time(signed.expires);
    state
        .db_pooled(move |conn| {
            let peers = crate::peers::service::list(conn)?;
            let peer = sign::signer(&peers, &signed, now)?.node_id.clone();
            if !super::repo::use_nonce(conn, &peer, &signed.nonce, nonce_expires)? {
                return Err(ApiError::Unauthorized {
                    detail: "Node signature refused: the nonce was used before.".into(),
                });
            }
            Ok(peer)
        })
        .await
}

async fn receive(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let peer = authenticate(&state, &req, Some(&body)).await?;
    let batch: Batch =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("The batch is not valid: {e}.")))?;
    if batch.origin_node != peer {
        return Err(ApiError::forbidden(format!(
            "The batch names {} as its origin, but {peer} signed it.",
            batch.origin_node
        )));
    }
    if batch.dest_node != state.node.id {
        return Err(ApiError::bad_request(format!(
            "The batch is for node {}, not {}.",
            batch.dest_node, state.node.id
        )));
    }
    if batch.events.len() > MAX_BATCH {
        return Err(ApiError::PayloadTooLarge { detail: format!("At most {MAX_BATCH} events per batch.") });
    }
    let (own, now) = (state.node.id.clone(), state.now());
    let receipt = state.db_pooled(move |conn| apply::apply_batch(conn, &own, &peer, &batch.events, now)).await?;
    let payload = serde_json::to_value(&receipt).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(BatchAnswer { receipt: state.node.jws("registry-receipt", &payload) }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    after: i64,
    limit: Option<i64>,
}

async fn pull(
    state: web::Data<AppState>,
    req: HttpRequest,
    node: web::Path<String>,
    q: web::Query<PullQuery>,
) -> Result<HttpResponse, ApiError> {
    let peer = authenticate(&state, &req, None).await?;
    if *node != peer {
        return Err(ApiError::NotFound);
    }
    let limit = q.limit.unwrap_or(MAX_BATCH as i64).clamp(1, MAX_BATCH as i64);
    let (after, own, now) = (q.after.max(0), state.node.id.clone(), state.now());
    let pulled = state
        .db(move |conn| {
            crate::peers::repo::retry_now(conn, &peer, now)?;
            let bodies = crate::peers::repo::events_after(conn, &peer, after, limit)?;
            let last_seq = crate::peers::repo::stream(conn, &peer)?.map_or(0, |s| s.last_seq);
            let mut events = Vec::with_capacity(bodies.len());
            for b in bodies {
                let mut e: crate::peers::wire::Event = serde_json::from_str(&b).map_err(ApiError::internal)?;
                e.origin_node = own.clone();
                events.push(e);
            }
            Ok(Pulled { events, last_seq })
        })
        .await?;
    let payload = serde_json::to_value(&pulled).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "events": state.node.jws("registry-events", &payload) })))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/fed/v1")
            .app_data(web::PayloadConfig::new(BODY_LIMIT))
            .route("/events", web::post().to(receive))
            .route("/streams/{node}/events", web::get().to(pull)),
    );
}
