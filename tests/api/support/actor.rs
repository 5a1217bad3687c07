//! A caller of the API and the responses it gets. The low-level methods (`get`, `post`,
//! `send`, `raw`, ...) stay for tests that probe malformed input; the per-endpoint helpers are
//! in `endpoints.rs`.

use reqwest::Method;
use serde_json::{Value, json};

/// A response with its JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// A response read whole.
    pub async fn from_response(res: reqwest::Response) -> Resp {
        Resp::read(res).await
    }
    async fn read(res: reqwest::Response) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
    pub fn etag(&self) -> String {
        self.header("etag").expect("ETag header")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }
    /// Asserts a problem+json error with this status whose errors[] names `field`.
    #[track_caller]
    pub fn expect_field_error(self, status: u16, field: &str) -> Resp {
        let r = self.expect_problem(status);
        let fields = r.error_fields();
        assert!(fields.iter().any(|f| f == field), "expected an error on `{field}`, got {fields:?}: {}", r.text);
        r
    }
    #[track_caller]
    pub fn expect_problem(self, status: u16) -> Resp {
        let r = self.expect(status);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"), "{}", r.text);
        assert_eq!(r.body["status"], json!(status));
        assert!(r.body["type"].as_str().is_some_and(|t| t.starts_with("urn:placement-registry:problem:")));
        r
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id in body").to_string()
    }
    /// The `items` of a page (empty when there are none).
    pub fn items(&self) -> Vec<Value> {
        self.body["items"].as_array().cloned().unwrap_or_default()
    }
    /// How many `items` the page has (None when the body has no `items` array).
    pub fn count(&self) -> Option<usize> {
        self.body["items"].as_array().map(Vec::len)
    }
    /// The `next_cursor` of a page, if there is a next page.
    pub fn next_cursor(&self) -> Option<String> {
        self.body["next_cursor"].as_str().map(str::to_string)
    }
    /// One string field of every item.
    pub fn column(&self, field: &str) -> Vec<String> {
        self.items().iter().map(|i| i[field].as_str().unwrap_or_default().to_string()).collect()
    }
    /// The fields a problem's errors[] names, in order.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
    /// The DfE rules a problem's errors[] cites, in order.
    pub fn rules(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["rule"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
    /// The rule cited by the error on `field`.
    pub fn rule_of(&self, field: &str) -> Option<String> {
        self.body["errors"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["field"] == field))
            .and_then(|e| e["rule"].as_str().map(str::to_string))
    }
}

/// A caller of the API with a bearer token (or none).
#[derive(Clone)]
pub struct Actor {
    pub base: String,
    pub client: reqwest::Client,
    pub token: Option<String>,
    /// The organisation the token speaks for (an LA code, a provider id).
    pub org: Option<String>,
}

impl Actor {
    pub(super) fn new(base: &str, client: &reqwest::Client, token: Option<String>, org: Option<&str>) -> Actor {
        Actor { base: base.to_string(), client: client.clone(), token, org: org.map(str::to_string) }
    }

    /// The organisation this caller speaks for.
    pub fn org(&self) -> &str {
        self.org.as_deref().expect("a caller of an organisation")
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, format!("{}{}", self.base, path));
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Resp {
        let mut rb = self.request(method, path);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        Resp::read(rb.send().await.expect("request sent")).await
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None, &[]).await
    }
    /// A GET asking for this media type.
    pub async fn get_accepting(&self, path: &str, accept: &str) -> Resp {
        self.send(Method::GET, path, None, &[("accept", accept)]).await
    }
    pub async fn post(&self, path: &str, body: impl Into<Value>) -> Resp {
        self.send(Method::POST, path, Some(body.into()), &[]).await
    }
    pub async fn post_with(&self, path: &str, body: impl Into<Value>, headers: &[(&str, &str)]) -> Resp {
        self.send(Method::POST, path, Some(body.into()), headers).await
    }
    pub async fn put(&self, path: &str, body: impl Into<Value>) -> Resp {
        self.send(Method::PUT, path, Some(body.into()), &[]).await
    }
    /// A PATCH with `If-Match: etag`.
    pub async fn patch(&self, path: &str, body: impl Into<Value>, etag: &str) -> Resp {
        self.send(Method::PATCH, path, Some(body.into()), &[("if-match", etag)]).await
    }
    /// A PATCH without `If-Match`.
    pub async fn patch_blind(&self, path: &str, body: impl Into<Value>) -> Resp {
        self.send(Method::PATCH, path, Some(body.into()), &[]).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None, &[]).await
    }
    /// A request with this exact body text and content type.
    pub async fn raw(&self, method: &str, path: &str, content_type: &str, body: &str) -> Resp {
        self.bytes(method, path, content_type, body.as_bytes().to_vec()).await
    }
    /// A request with these exact body bytes and content type.
    pub async fn bytes(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let rb = self.request(method, path).header("content-type", content_type).body(body);
        Resp::read(rb.send().await.expect("request sent")).await
    }
    /// A form POST to the token endpoint, with HTTP Basic client credentials if given.
    pub async fn token_request(&self, form: &str, basic: Option<(&str, &str)>) -> Resp {
        let mut rb = self
            .request(Method::POST, "/v1/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_string());
        if let Some((user, password)) = basic {
            rb = rb.basic_auth(user, Some(password));
        }
        Resp::read(rb.send().await.expect("request sent")).await
    }
}
