//! Who is calling, by network address: the connection's peer, or, when that peer is one of
//! the reverse proxies named in `ATRIUM_TRUSTED_PROXIES`, the address the proxies recorded in
//! `X-Forwarded-For`. Rate limits key on this, so a client can't pick its own address by
//! sending the header itself.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The calling client's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The client behind `peer`: the peer itself unless it is trusted, else the right-most address
/// in `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it saw, so
/// entries left of the last untrusted one may be forged).
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in entries.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => break,
        }
    }
    peer
}

/// The reverse proxies whose `X-Forwarded-For` is believed, as the app state hands them out.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub std::sync::Arc<Vec<IpNet>>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr
where
    TrustedProxies: axum::extract::FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let trusted = <TrustedProxies as axum::extract::FromRef<S>>::from_ref(state);
        Ok(ClientAddr(resolve(peer, &parts.headers, &trusted.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_choose_their_address() {
        let trusted = crate::config::parse_trusted("10.0.0.0/8").unwrap();
        assert_eq!(resolve(ip("203.0.113.9"), &headers(&["198.51.100.1"]), &trusted), ip("203.0.113.9"));
        assert_eq!(resolve(ip("203.0.113.9"), &headers(&["198.51.100.1"]), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_last_untrusted_hop_counts() {
        let trusted = crate::config::parse_trusted("10.0.0.0/8, 127.0.0.1").unwrap();
        assert_eq!(resolve(ip("10.1.2.3"), &headers(&["198.51.100.1"]), &trusted), ip("198.51.100.1"));
        // A client that sends its own header gets the proxy's entry appended: the forged
        // left-hand entry is ignored.
        assert_eq!(
            resolve(ip("10.1.2.3"), &headers(&["1.1.1.1, 198.51.100.1, 10.9.9.9"]), &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            resolve(ip("127.0.0.1"), &headers(&["1.1.1.1", "198.51.100.7"]), &trusted),
            ip("198.51.100.7")
        );
        // Garbage stops the walk; with nothing usable the proxy itself is the client.
        assert_eq!(resolve(ip("10.1.2.3"), &headers(&["not-an-ip"]), &trusted), ip("10.1.2.3"));
        assert_eq!(resolve(ip("10.1.2.3"), &HeaderMap::new(), &trusted), ip("10.1.2.3"));
    }

    #[test]
    fn trusted_list_is_checked() {
        assert_eq!(crate::config::parse_trusted("").unwrap(), vec![]);
        assert!(crate::config::parse_trusted("10.0.0.0/8 ::1").unwrap().len() == 2);
        assert!(crate::config::parse_trusted("everyone").unwrap_err().contains("everyone"));
    }
}
