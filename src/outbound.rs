//! Outbound HTTP: every call the registry makes (webhooks, an issuer's keys, peer nodes) goes
//! through a client from here, so none reaches an address inside the network. Names are
//! resolved by [`GuardedResolver`], which drops loopback, private, link-local (cloud metadata),
//! shared, unique-local, multicast and other reserved addresses after resolution; a literal
//! address in a URL is checked by [`check_url`] before the call. In development mode loopback
//! is allowed (only loopback), for local receivers. Redirects are never followed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Whether an outbound call may go to this address.
pub fn address_allowed(ip: IpAddr, dev: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4, dev),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_allowed(v4, dev);
            }
            if v6.is_loopback() {
                return dev;
            }
            let s = v6.segments();
            let unique_local = (s[0] & 0xfe00) == 0xfc00;
            let link_local = (s[0] & 0xffc0) == 0xfe80;
            let site_local = (s[0] & 0xffc0) == 0xfec0;
            let nat64 = s[0] == 0x64 && s[1] == 0xff9b;
            let documentation = s[0] == 0x2001 && s[1] == 0x0db8;
            !(v6.is_unspecified()
                || v6.is_multicast()
                || unique_local
                || link_local
                || site_local
                || nat64
                || documentation)
        }
    }
}

fn v4_allowed(ip: Ipv4Addr, dev: bool) -> bool {
    if ip.is_loopback() {
        return dev;
    }
    let [a, b, c, _] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let ietf = a == 192 && b == 0 && c == 0;
    let reserved = a >= 240;
    !(ip.is_unspecified()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || shared
        || benchmarking
        || ietf
        || reserved)
}

/// Checks a URL the registry will call: `https` (or, in development mode, `http` to loopback),
/// no user name or password, and no literal address that may not be called. Names are checked
/// when they are resolved, at each call.
pub fn check_url(url: &str, dev: bool) -> Result<reqwest::Url, String> {
    let u = reqwest::Url::parse(url).map_err(|_| "is not a URL".to_string())?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    let host = u.host().ok_or("has no host")?;
    let literal = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    };
    let loopback = match (literal, &host) {
        (Some(ip), _) => ip.is_loopback(),
        (None, url::Host::Domain(d)) => *d == "localhost" || d.ends_with(".localhost"),
        _ => false,
    };
    match u.scheme() {
        "https" => {}
        "http" if dev && loopback => {}
        "http" => return Err("must be https://".into()),
        other => return Err(format!("must be https://, not {other}://")),
    }
    if let Some(ip) = literal
        && !address_allowed(ip, dev)
    {
        return Err(format!("must not point inside the network ({ip})"));
    }
    if !dev && loopback {
        return Err("must not point inside the network (localhost)".into());
    }
    Ok(u)
}

/// Resolves names with the system resolver and keeps only addresses that may be called.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    dev: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dev = self.dev;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.iter().copied().filter(|a| address_allowed(a.ip(), dev)).collect();
            if allowed.is_empty() {
                let why = if found.is_empty() { "no address" } else { "only addresses inside the network" };
                return Err(format!("{host} resolves to {why}; not called").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A client for outbound calls: guarded resolution, no redirects, a timeout, no proxy from the
/// environment (a proxy would resolve names where this guard cannot see).
pub fn client(dev: bool, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { dev }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// `s` cut to `max` characters, marked when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}...", s.chars().take(max).collect::<String>()) }
}

/// A request error in plain words, with its causes.
pub fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    let text = if causes.is_empty() { kind.to_string() } else { format!("{kind}: {}", causes.join(": ")) };
    truncate(&text, 500)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_after_resolution_and_as_literals() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::",
            "ff02::1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = ip.parse().expect(ip);
            assert!(!address_allowed(ip, false), "{ip} must be refused");
        }
        for ip in ["81.2.69.160", "2a00:1450:4009:80b::200e", "8.8.8.8"] {
            let ip: IpAddr = ip.parse().expect(ip);
            assert!(address_allowed(ip, false), "{ip} must be allowed");
        }
        assert!(address_allowed("127.0.0.1".parse().expect("ip"), true), "development mode: loopback");
        assert!(!address_allowed("10.0.0.1".parse().expect("ip"), true), "development mode: loopback only");
    }

    #[test]
    fn urls_are_checked_before_any_call() {
        let bad = [
            "http://example.org/hook",
            "https://user:pw@example.org/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://10.0.0.1/keys",
            "https://localhost/keys",
            "https://api.localhost/keys",
            "ftp://example.org/x",
            "https://2130706433/x",
            "https://0x7f.1/x",
            "not a url",
        ];
        for url in bad {
            assert!(check_url(url, false).is_err(), "{url} must be refused");
        }
        assert!(check_url("https://hooks.hackney.gov.example/registry", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok(), "development mode: http to loopback");
        assert!(check_url("http://localhost:8080/hook", true).is_ok());
        assert!(check_url("http://10.0.0.1/hook", true).is_err());
    }

    #[actix_web::test]
    async fn a_name_resolving_inside_is_not_called() {
        let client = client(false, Duration::from_secs(2));
        // `localhost` resolves to loopback: the guard drops it, so nothing is connected to.
        let err = client.get("https://localhost:9/").send().await.expect_err("refused");
        let text = format!("{err:?}");
        assert!(text.contains("inside the network"), "{text}");
    }
}
