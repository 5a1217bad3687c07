//! HTTP Message Signatures (RFC 9421) and `Content-Digest` (RFC 9530), as far as registry nodes
//! use them to sign the requests they send each other: the signature base of derived components
//! (`@method`, `@target-uri`, `@authority`, `@scheme`, `@path`, `@query`) and header fields,
//! the `Signature-Input` and `Signature` fields (RFC 8941 dictionaries) written and parsed, and
//! the digest of a body. The key algorithm is the caller's (nodes use Ed25519): this module builds
//! and parses, the caller signs and verifies the base's bytes. Tested against the RFCs' own
//! examples.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("no Signature-Input and Signature fields")]
    Missing,
    #[error("malformed {0} field")]
    Malformed(&'static str),
    #[error("the signature covers {0}, which the message does not have")]
    MissingComponent(String),
    #[error("unsupported component {0}")]
    Unsupported(String),
}

/// The parts of an HTTP request a signature can cover.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The absolute URI the request was sent to (scheme, authority, path, query).
    pub target_uri: &'a str,
    /// Header fields (any case); repeated fields are combined as RFC 9421 §2.1 says.
    pub headers: Vec<(String, String)>,
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> =
            self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    fn derived(&self, name: &str) -> Result<String, SigError> {
        let uri = url::Url::parse(self.target_uri).map_err(|_| SigError::Malformed("@target-uri"))?;
        let authority = || {
            let host = uri.host_str().unwrap_or_default().to_ascii_lowercase();
            match uri.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        };
        Ok(match name {
            "@method" => self.method.to_string(),
            "@target-uri" => self.target_uri.to_string(),
            "@authority" => authority(),
            "@scheme" => uri.scheme().to_ascii_lowercase(),
            "@path" => uri.path().to_string(),
            "@query" => format!("?{}", uri.query().unwrap_or_default()),
            other => return Err(SigError::Unsupported(other.to_string())),
        })
    }

    /// The value of one covered component.
    fn component(&self, name: &str) -> Result<String, SigError> {
        if name.starts_with('@') {
            self.derived(name)
        } else {
            self.header(name).ok_or_else(|| SigError::MissingComponent(name.to_string()))
        }
    }
}

/// A parameter value of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Str(String),
}

/// The signature parameters: what it covers and its `created`, `expires`, `nonce`, `keyid`,
/// `alg`, `tag`, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub components: Vec<String>,
    pub params: Vec<(String, Param)>,
}

impl Params {
    pub fn new(components: &[&str]) -> Params {
        Params { components: components.iter().map(|c| c.to_string()).collect(), params: vec![] }
    }
    pub fn int(mut self, name: &str, v: i64) -> Params {
        self.params.push((name.to_string(), Param::Int(v)));
        self
    }
    pub fn str(mut self, name: &str, v: &str) -> Params {
        self.params.push((name.to_string(), Param::Str(v.to_string())));
        self
    }
    pub fn get_int(&self, name: &str) -> Option<i64> {
        self.params.iter().find(|(k, _)| k == name).and_then(|(_, v)| match v {
            Param::Int(i) => Some(*i),
            Param::Str(_) => None,
        })
    }
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).and_then(|(_, v)| match v {
            Param::Str(s) => Some(s.as_str()),
            Param::Int(_) => None,
        })
    }
    pub fn covers(&self, component: &str) -> bool {
        self.components.iter().any(|c| c == component)
    }

    /// The serialised inner list, as in `Signature-Input` and `@signature-params`.
    pub fn serialize(&self) -> String {
        let mut s = String::from("(");
        s.push_str(&self.components.iter().map(|c| quote(c)).collect::<Vec<_>>().join(" "));
        s.push(')');
        for (k, v) in &self.params {
            match v {
                Param::Int(i) => s.push_str(&format!(";{k}={i}")),
                Param::Str(v) => s.push_str(&format!(";{k}={}", quote(v))),
            }
        }
        s
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The signature base (RFC 9421 §2.5) of `req` for `params`: the bytes that are signed.
pub fn signature_base(req: &Request<'_>, params: &Params) -> Result<String, SigError> {
    let mut base = String::new();
    for c in &params.components {
        let value = req.component(c)?;
        base.push_str(&format!("{}: {}\n", quote(c), value));
    }
    base.push_str(&format!("\"@signature-params\": {}", params.serialize()));
    Ok(base)
}

/// The `Signature-Input` and `Signature` field values for one signature labelled `label`, the
/// signature made by `sign` over the base.
pub fn sign(
    req: &Request<'_>,
    label: &str,
    params: &Params,
    sign: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Result<(String, String), SigError> {
    let base = signature_base(req, params)?;
    let signature = sign(base.as_bytes());
    Ok((format!("{label}={}", params.serialize()), format!("{label}=:{}:", STANDARD.encode(signature))))
}

/// A signature found on a request: its label and parameters, the base it must verify against,
/// and the signature's bytes. Nothing is verified yet.
#[derive(Debug, Clone)]
pub struct Found {
    pub label: String,
    pub params: Params,
    pub base: String,
    pub signature: Vec<u8>,
}

/// The signatures on a request, from its `Signature-Input` and `Signature` fields.
pub fn signatures(req: &Request<'_>) -> Result<Vec<Found>, SigError> {
    let (Some(input), Some(sigs)) = (req.header("signature-input"), req.header("signature")) else {
        return Err(SigError::Missing);
    };
    let inputs = Parser::new(&input).dictionary().ok_or(SigError::Malformed("Signature-Input"))?;
    let values = Parser::new(&sigs).dictionary().ok_or(SigError::Malformed("Signature"))?;
    let mut found = Vec::new();
    for (label, member) in inputs {
        let Member::List(components, params) = member else {
            return Err(SigError::Malformed("Signature-Input"));
        };
        let Some(Member::Bytes(signature)) = values.iter().find(|(l, _)| *l == label).map(|(_, m)| m.clone()) else {
            return Err(SigError::Malformed("Signature"));
        };
        let params = Params { components, params };
        let base = signature_base(req, &params)?;
        found.push(Found { label, params, base, signature });
    }
    Ok(found)
}

/// The `Content-Digest` field of a body (RFC 9530): its SHA-256.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Whether a `Content-Digest` field holds a SHA-256 or SHA-512 digest matching `body` (every
/// such digest must match, and at least one must be present).
pub fn digest_matches(field: &str, body: &[u8]) -> bool {
    let Some(members) = Parser::new(field).dictionary() else {
        return false;
    };
    let mut checked = false;
    for (alg, member) in members {
        let Member::Bytes(value) = member else {
            return false;
        };
        let expected = match alg.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if value != expected {
            return false;
        }
        checked = true;
    }
    checked
}

/// A member of a structured-field dictionary, as far as signatures use them.
#[derive(Debug, Clone)]
enum Member {
    /// An inner list of strings with its parameters.
    List(Vec<String>, Vec<(String, Param)>),
    Bytes(Vec<u8>),
}

/// A parser of RFC 8941 dictionaries, as far as signature fields need: inner lists of strings
/// with integer and string parameters, byte sequences.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Parser<'a> {
        Parser { s: s.as_bytes(), i: 0 }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn dictionary(mut self) -> Option<Vec<(String, Member)>> {
        let mut out = Vec::new();
        self.skip_sp();
        loop {
            let key = self.key()?;
            if !self.eat(b'=') {
                return None;
            }
            let member = match self.peek()? {
                b'(' => {
                    let items = self.inner_list()?;
                    let params = self.params()?;
                    Member::List(items, params)
                }
                b':' => {
                    let bytes = self.bytes()?;
                    self.params()?;
                    Member::Bytes(bytes)
                }
                _ => return None,
            };
            out.push((key, member));
            self.skip_ows();
            if self.peek().is_none() {
                return Some(out);
            }
            if !self.eat(b',') {
                return None;
            }
            self.skip_ows();
            self.peek()?;
        }
    }

    fn key(&mut self) -> Option<String> {
        let start = self.i;
        match self.peek()? {
            b'a'..=b'z' | b'*' => self.i += 1,
            _ => return None,
        }
        while matches!(self.peek(), Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok().map(str::to_string)
    }

    fn inner_list(&mut self) -> Option<Vec<String>> {
        if !self.eat(b'(') {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Some(items);
            }
            items.push(self.string()?);
            // Component parameters (`;sf`, `;key`, ...) are not used between nodes.
            if self.peek() == Some(b';') {
                return None;
            }
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return None;
            }
        }
    }

    fn params(&mut self) -> Option<Vec<(String, Param)>> {
        let mut out = Vec::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            if !self.eat(b'=') {
                return None;
            }
            let value = match self.peek()? {
                b'"' => Param::Str(self.string()?),
                b'-' | b'0'..=b'9' => Param::Int(self.integer()?),
                _ => return None,
            };
            out.push((key, value));
        }
        Some(out)
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut out = String::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'\\' => {
                    let next = self.peek()?;
                    if next != b'"' && next != b'\\' {
                        return None;
                    }
                    out.push(next as char);
                    self.i += 1;
                }
                b'"' => return Some(out),
                0x20..=0x7e => out.push(c as char),
                _ => return None,
            }
        }
    }

    fn integer(&mut self) -> Option<i64> {
        let start = self.i;
        self.eat(b'-');
        let digits = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        if self.i == digits || self.i - digits > 15 {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        if !self.eat(b':') {
            return None;
        }
        let start = self.i;
        while self.peek()? != b':' {
            self.i += 1;
        }
        let b64 = &self.s[start..self.i];
        self.i += 1;
        STANDARD.decode(b64).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

    /// RFC 9421, appendix B.1.4: `test-key-ed25519`.
    const ED25519_PKCS8: &str = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
    const ED25519_SPKI: &str = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";

    /// RFC 9421, appendix B.2: the test request.
    fn rfc_request() -> Request<'static> {
        Request {
            method: "POST",
            target_uri: "https://example.com/foo?param=Value&Pet=dog",
            headers: vec![
                ("Host".into(), "example.com".into()),
                ("Date".into(), "Tue, 20 Apr 2021 02:07:55 GMT".into()),
                ("Content-Type".into(), "application/json".into()),
                (
                    "Content-Digest".into(),
                    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
                        .into(),
                ),
                ("Content-Length".into(), "18".into()),
            ],
        }
    }

    fn rfc_key() -> Ed25519KeyPair {
        let der = STANDARD.decode(ED25519_PKCS8).expect("pkcs8");
        // RFC 8410 PKCS#8 v1 (no public key): the seed is the last 32 bytes.
        let seed = &der[der.len() - 32..];
        let spki = STANDARD.decode(ED25519_SPKI).expect("spki");
        Ed25519KeyPair::from_seed_and_public_key(seed, &spki[spki.len() - 32..]).expect("the RFC's key")
    }

    /// RFC 9421, appendix B.2.6: signing a request using ed25519 gives the RFC's signature base
    /// and, Ed25519 being deterministic, exactly the RFC's signature.
    #[test]
    fn rfc_9421_b26_ed25519_signature_is_reproduced_and_verifies() {
        let req = rfc_request();
        let params = Params::new(&["date", "@method", "@path", "@authority", "content-type", "content-length"])
            .int("created", 1618884473)
            .str("keyid", "test-key-ed25519");
        let base = signature_base(&req, &params).expect("base");
        assert_eq!(
            base,
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\
             \"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \
             \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        );
        let key = rfc_key();
        let (input, signature) = sign(&req, "sig-b26", &params, |b| key.sign(b).as_ref().to_vec()).expect("signed");
        assert_eq!(
            input,
            "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        );
        assert_eq!(
            signature,
            "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
        );

        // The RFC's signed request parses back and verifies with the RFC's public key.
        let mut signed = rfc_request();
        signed.headers.push(("Signature-Input".into(), input));
        signed.headers.push(("Signature".into(), signature));
        let found = signatures(&signed).expect("parsed");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].label, "sig-b26");
        assert_eq!(found[0].params.get_str("keyid"), Some("test-key-ed25519"));
        assert_eq!(found[0].params.get_int("created"), Some(1618884473));
        let public = key.public_key().as_ref().to_vec();
        let verify = |base: &str, sig: &[u8]| UnparsedPublicKey::new(&ED25519, &public).verify(base.as_bytes(), sig);
        assert!(verify(&found[0].base, &found[0].signature).is_ok());

        // Changing a covered component breaks it.
        let mut changed = signed.clone();
        changed.method = "PUT";
        let found = signatures(&changed).expect("parsed");
        assert!(verify(&found[0].base, &found[0].signature).is_err());
    }

    /// RFC 9421, appendix B.2.1..: the `@query`, `@scheme`, `@target-uri` derived components.
    #[test]
    fn derived_components_follow_rfc_9421_section_2_2() {
        let req = rfc_request();
        assert_eq!(req.component("@query").expect("q"), "?param=Value&Pet=dog");
        assert_eq!(req.component("@scheme").expect("s"), "https");
        assert_eq!(req.component("@target-uri").expect("t"), "https://example.com/foo?param=Value&Pet=dog");
        let bare = Request { method: "GET", target_uri: "http://Node.Example:8080/x", headers: vec![] };
        assert_eq!(bare.component("@authority").expect("a"), "node.example:8080");
        assert_eq!(bare.component("@query").expect("q"), "?");
        assert_eq!(bare.component("content-digest"), Err(SigError::MissingComponent("content-digest".into())));
    }

    /// RFC 9530, section 2 and appendix B: the digests of `{"hello": "world"}`.
    #[test]
    fn rfc_9530_content_digest_examples() {
        let body = br#"{"hello": "world"}"#;
        assert_eq!(content_digest(body), "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
        assert!(digest_matches(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            body
        ));
        assert!(digest_matches(&content_digest(body), body));
        assert!(!digest_matches(&content_digest(body), br#"{"hello": "World"}"#), "a changed body does not match");
        assert!(!digest_matches("md5=:CY9rzUYh03PK3k6DJie09g==:", body), "no digest this registry checks");
        assert!(!digest_matches("sha-256=X48E", body), "malformed");
    }

    #[test]
    fn malformed_signature_fields_are_refused_not_guessed() {
        let with = |input: &str, sig: &str| {
            let mut r = rfc_request();
            r.headers.push(("Signature-Input".into(), input.into()));
            r.headers.push(("Signature".into(), sig.into()));
            signatures(&r)
        };
        assert_eq!(with("sig=(\"@method\");created=1", "other=:AAAA:").err(), Some(SigError::Malformed("Signature")));
        assert_eq!(with("sig=\"@method\"", "sig=:AAAA:").err(), Some(SigError::Malformed("Signature-Input")));
        assert_eq!(with("sig=(\"@method\";sf)", "sig=:AAAA:").err(), Some(SigError::Malformed("Signature-Input")));
        assert_eq!(
            with("sig=(\"x-absent\");created=1", "sig=:AAAA:").err(),
            Some(SigError::MissingComponent("x-absent".into()))
        );
        let mut none = rfc_request();
        none.headers.clear();
        assert_eq!(signatures(&none).err(), Some(SigError::Missing));
        let ok = with("sig=(\"@method\" \"@path\");created=1;nonce=\"a\\\"b\"", "sig=:AAAA:").expect("parsed");
        assert_eq!(ok[0].params.get_str("nonce"), Some("a\"b"));
        assert_eq!(
            ok[0].base,
            "\"@method\": POST\n\"@path\": /foo\n\"@signature-params\": (\"@method\" \"@path\");created=1;nonce=\"a\\\"b\""
        );
    }
}
