//! The client address: the TCP peer, or, when the peer is a trusted proxy, the nearest address of
//! `X-Forwarded-For` that is not itself a trusted proxy.

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

/// Addresses whose forwarded and staff headers are believed (`TRUSTED_PROXIES`).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// Whether `ip` is one of the trusted proxies (IPv4-mapped IPv6 compared as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|p| canonical(*p) == ip)
    }

    /// Whether the request came straight from a trusted proxy.
    pub fn peer_is_trusted(&self, req: &HttpRequest) -> bool {
        req.peer_addr().is_some_and(|a| self.contains(a.ip()))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client address of `req` given the trusted proxies. Walks `X-Forwarded-For` from the right
/// (the hop nearest to us) and stops at the first address that is not a trusted proxy; a malformed
/// entry ends the walk at the last good hop, so a client cannot smuggle an address past garbage.
pub fn client_ip(req: &HttpRequest, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = canonical(req.peer_addr()?.ip());
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let hops = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                nearest = canonical(ip);
                if !trusted.contains(nearest) {
                    return Some(nearest);
                }
            }
            Err(_) => return Some(nearest),
        }
    }
    Some(nearest)
}

/// Extractor for the client address; needs `web::Data<TrustedProxies>` in the app (falls back to the peer).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<TrustedProxies>>()
            .map(|d| d.get_ref().clone())
            .unwrap_or_default();
        let ip = client_ip(req, &trusted).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        std::future::ready(Ok(ClientIp(ip)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted() -> TrustedProxies {
        TrustedProxies(vec![ip("127.0.0.1"), ip("10.0.0.2")])
    }

    fn request(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:5000").parse().unwrap());
        if let Some(x) = xff {
            r = r.insert_header(("X-Forwarded-For", x));
        }
        r.to_http_request()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let req = request("203.0.113.9", Some("198.51.100.1"));
        assert_eq!(client_ip(&req, &trusted()), Some(ip("203.0.113.9")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_forwarded_address_is_the_client() {
        let req = request("127.0.0.1", Some("198.51.100.1, 203.0.113.7"));
        assert_eq!(client_ip(&req, &trusted()), Some(ip("203.0.113.7")));
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let req = request("127.0.0.1", Some("1.2.3.4, 203.0.113.7, 10.0.0.2"));
        assert_eq!(client_ip(&req, &trusted()), Some(ip("203.0.113.7")));
    }

    #[test]
    fn garbage_in_the_chain_stops_the_walk_at_the_last_good_hop() {
        let req = request("127.0.0.1", Some("1.2.3.4, not-an-ip, 10.0.0.2"));
        assert_eq!(client_ip(&req, &trusted()), Some(ip("10.0.0.2")));
    }

    #[test]
    fn a_trusted_peer_without_header_is_the_client() {
        let req = request("127.0.0.1", None);
        assert_eq!(client_ip(&req, &trusted()), Some(ip("127.0.0.1")));
    }
}
