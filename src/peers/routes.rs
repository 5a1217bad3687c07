//! HTTP for the peer directory (operator), this node's published identity (anyone), the state
//! of federation (operator) and the receipts peers signed (operator, or the LA that sent).

use super::model::*;
use super::service;
use crate::auth::{Caller, OrgType, scopes};
use crate::error::ApiError;
use crate::http::{created, if_match, ok_versioned, optional_if_match};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

/// This node's id and public keys (a JWKS), for peers' operators to put in their directory.
/// Public; never trusted on first contact by a peer.
#[utoipa::path(tag = "federation", security(()), responses((status = 200, body = NodeDocument)))]
#[get("/.well-known/registry-node")]
pub async fn node_document(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let key = service::own_key(&state.node.jwk())?;
    let doc =
        NodeDocument { node_id: state.node.id.clone(), base_url: state.config.public_url.clone(), keys: vec![key] };
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=300")).json(doc))
}

/// Add a peer node (operator only): its id, URL, keys and the LAs it homes.
#[utoipa::path(tag = "federation", request_body = NewPeer, responses(
    (status = 201, body = Peer, headers(("ETag" = String))),
))]
#[post("/v1/federation/peers")]
pub async fn create_peer(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPeer>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    let (own, dev, now) = (state.node.id.clone(), state.config.dev, state.now());
    let peer = state.db(move |conn| service::create(conn, body.into_inner(), &own, dev, now)).await?;
    Ok(created(&format!("/v1/federation/peers/{}", peer.node_id), peer.version, false).json(peer))
}

/// The peer directory (operator only).
#[utoipa::path(tag = "federation", responses((status = 200, body = Vec<Peer>)))]
#[get("/v1/federation/peers")]
pub async fn list_peers(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    Ok(HttpResponse::Ok().json(state.db(service::list).await?))
}

/// One peer (operator only).
#[utoipa::path(tag = "federation", params(("node_id" = String, Path)), responses(
    (status = 200, body = Peer, headers(("ETag" = String))),
))]
#[get("/v1/federation/peers/{node_id}")]
pub async fn get_peer(
    state: web::Data<AppState>,
    caller: Caller,
    node_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    let peer = state.db(move |conn| service::read(conn, &node_id)).await?;
    Ok(ok_versioned(peer.version, &peer))
}

/// Change a peer (operator only; `If-Match`): its URL, its keys (list the new key beside the old
/// one while it rotates) or the LAs it homes.
#[utoipa::path(tag = "federation", params(("node_id" = String, Path)), request_body = PeerPatch, responses(
    (status = 200, body = Peer, headers(("ETag" = String))),
))]
#[patch("/v1/federation/peers/{node_id}")]
pub async fn update_peer(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    node_id: web::Path<String>,
    body: web::Json<PeerPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    let expected = if_match(&req)?;
    let (dev, now) = (state.config.dev, state.now());
    let peer = state.db(move |conn| service::update(conn, &node_id, body.into_inner(), expected, dev, now)).await?;
    Ok(ok_versioned(peer.version, &peer))
}

/// Remove a peer (operator only). Refused (409) while events for it are undelivered.
#[utoipa::path(tag = "federation", params(("node_id" = String, Path)), responses((status = 204)))]
#[delete("/v1/federation/peers/{node_id}")]
pub async fn delete_peer(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    node_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    let expected = optional_if_match(&req)?;
    state.db(move |conn| service::delete(conn, &node_id, expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How delivery to each peer stands (operator only): backlog, oldest undelivered event, last
/// receipt, last error.
#[utoipa::path(tag = "federation", responses((status = 200, body = FederationStatus)))]
#[get("/v1/federation/status")]
pub async fn status(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::FEDERATION_ADMIN)?;
    let (id, kid) = (state.node.id.clone(), state.node.kid.clone());
    Ok(HttpResponse::Ok().json(state.db(move |conn| service::status(conn, &id, &kid)).await?))
}

/// A receipt a peer signed: the operator, or an LA that sent one of the events it covers (the
/// placing LA's proof that the host LA's node was notified).
#[utoipa::path(tag = "federation", params(("id" = String, Path)), responses((status = 200, body = FederationReceipt)))]
#[get("/v1/federation/receipts/{id}")]
pub async fn get_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let may_read_all = match caller.org_type {
        OrgType::Operator => {
            caller.operator(scopes::FEDERATION_ADMIN)?;
            true
        }
        OrgType::Authority => {
            caller.authority(scopes::NOTIFICATIONS_READ)?;
            false
        }
        OrgType::Provider => return Err(ApiError::NotFound),
    };
    let receipt = state
        .db(move |conn| {
            let row = super::repo::find_receipt(conn, &id)?.ok_or(ApiError::NotFound)?;
            if !may_read_all && !super::repo::receipt_concerns(conn, &row.id, &caller.org)? {
                return Err(ApiError::NotFound);
            }
            Ok(row)
        })
        .await?;
    let payload = receipt
        .jws
        .split('.')
        .nth(1)
        .and_then(|p| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok(HttpResponse::Ok().json(FederationReceipt {
        id: receipt.id,
        peer_node: receipt.peer_node,
        kid: receipt.kid,
        received_at: receipt.received_at.and_utc(),
        jws: receipt.jws,
        payload,
    }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(node_document)
        .service(create_peer)
        .service(list_peers)
        .service(get_peer)
        .service(update_peer)
        .service(delete_peer)
        .service(status)
        .service(get_receipt);
}
