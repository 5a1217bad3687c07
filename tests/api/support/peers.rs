//! Servers on the other side of the registry that a test controls: a webhook receiver that
//! records what it gets and answers from a script, and an identity provider's key server.

use super::server::Spawned;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// Answers to give, in order: status and extra headers. When empty: 204.
    script: VecDeque<(u16, Vec<(&'static str, String)>)>,
}

/// A webhook receiver on 127.0.0.1 that records every request and answers from a script.
pub struct Receiver {
    base: String,
    log: Arc<Mutex<Log>>,
    _server: Spawned,
}

async fn receive(req: HttpRequest, body: web::Bytes, log: web::Data<Arc<Mutex<Log>>>) -> HttpResponse {
    let mut log = log.lock().expect("log");
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    log.received.push(Received { path: req.path().to_string(), headers, body: body.to_vec() });
    let (status, headers) = log.script.pop_front().unwrap_or((204, vec![]));
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status"));
    for (k, v) in headers {
        res.insert_header((k, v));
    }
    res.finish()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        let server = Spawned::start(move |listener| {
            Ok(HttpServer::new(move || {
                App::new().app_data(web::Data::new(shared.clone())).default_service(web::to(receive))
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(5)
            .listen(listener)?
            .run())
        });
        Receiver { base: server.base(), log, _server: server }
    }
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    /// The next request gets this status and these headers.
    pub fn answer(&self, status: u16, headers: &[(&'static str, &str)]) {
        let headers = headers.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.log.lock().expect("log").script.push_back((status, headers));
    }
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().expect("log").received.clone()
    }
}

/// An identity provider's JWKS endpoint whose keys the test changes, counting fetches.
pub struct KeyServer {
    pub url: String,
    pub jwks: Arc<Mutex<Value>>,
    hits: Arc<Mutex<u32>>,
    _server: Spawned,
}

impl KeyServer {
    pub async fn start(jwks: Value) -> KeyServer {
        let jwks = Arc::new(Mutex::new(jwks));
        let hits = Arc::new(Mutex::new(0u32));
        let (j, h) = (jwks.clone(), hits.clone());
        let server = Spawned::start(move |listener| {
            Ok(HttpServer::new(move || {
                let (jwks, hits) = (j.clone(), h.clone());
                App::new().route(
                    "/jwks.json",
                    web::get().to(move || {
                        let (jwks, hits) = (jwks.clone(), hits.clone());
                        async move {
                            if let Ok(mut h) = hits.lock() {
                                *h += 1;
                            }
                            let body = jwks.lock().map(|j| j.clone()).unwrap_or_default();
                            HttpResponse::Ok().json(body)
                        }
                    }),
                )
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(5)
            .listen(listener)?
            .run())
        });
        KeyServer { url: format!("{}/jwks.json", server.base()), jwks, hits, _server: server }
    }
    /// Publishes these keys from now on.
    pub fn publish(&self, keys: Value) {
        self.jwks.lock().expect("jwks")["keys"] = keys;
    }
    pub fn fetches(&self) -> u32 {
        *self.hits.lock().expect("hits")
    }
}
