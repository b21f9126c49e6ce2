//! The client address: the TCP peer, or, when the peer is a trusted proxy, the nearest address of
//! `X-Forwarded-For` that is not itself a trusted proxy.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv6Net};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

/// Addresses whose forwarded and staff headers are believed (`TRUSTED_PROXIES`).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpRange>);

impl TrustedProxies {
    /// `TRUSTED_PROXIES`: comma-separated addresses or ranges, `127.0.0.1` when unset.
    pub fn from_source(
        src: &dyn crate::config::Source,
    ) -> Result<Self, crate::config::ConfigError> {
        crate::config::ip_ranges_or(src, "TRUSTED_PROXIES", "127.0.0.1").map(Self)
    }
}

/// One address (`10.0.0.2`) or a CIDR range (`10.42.0.0/16`, `fd00::/8`) of trusted proxies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange(IpNet);

impl std::str::FromStr for IpRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('/') {
            return s
                .parse::<IpNet>()
                .map(|net| IpRange(net.trunc()))
                .map_err(|_| {
                    format!("{s:?} is not an IP address or CIDR range (prefix 0 to 32 or 128)")
                });
        }
        s.parse::<IpAddr>()
            .map(|ip| IpRange(IpNet::from(canonical(ip))))
            .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))
    }
}

impl IpRange {
    /// Whether `ip` is in the range (IPv4-mapped IPv6 compared as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }
}

/// The range one client is counted as in per-address limits: an IPv4 address alone, an IPv6
/// address's /64 (one subscriber's network: a client that takes a new address per request stays
/// one client).
pub fn limit_group(ip: IpAddr) -> IpNet {
    match canonical(ip) {
        IpAddr::V4(v4) => IpNet::from(IpAddr::V4(v4)),
        // 64 is a valid IPv6 prefix length: this never falls back.
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| IpNet::V6(net.trunc()))
            .unwrap_or(IpNet::from(IpAddr::V6(v6))),
    }
}

impl TrustedProxies {
    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
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
        TrustedProxies(vec![
            "127.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
        ])
    }

    fn range(s: &str) -> IpRange {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_holds_the_addresses_of_its_prefix() {
        let pods = range("10.42.0.0/16");
        assert!(pods.contains(ip("10.42.0.1")) && pods.contains(ip("10.42.255.254")));
        assert!(!pods.contains(ip("10.43.0.1")) && !pods.contains(ip("fd00::1")));
        assert!(
            pods.contains(ip("::ffff:10.42.7.7")),
            "IPv4-mapped IPv6 is IPv4"
        );
        assert!(range("fd00::/8").contains(ip("fd12:3456::1")));
        assert!(!range("fd00::/8").contains(ip("fe80::1")));
        assert!(range("0.0.0.0/0").contains(ip("198.51.100.1")));
        assert!(
            range("10.0.0.2").contains(ip("10.0.0.2"))
                && !range("10.0.0.2").contains(ip("10.0.0.3"))
        );
        assert!(range("::1").contains(ip("::1")));
    }

    #[test]
    fn an_ipv6_client_is_limited_as_its_64_and_an_ipv4_client_as_itself() {
        let group = |s: &str| limit_group(ip(s)).to_string();
        assert_eq!(group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            group("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(group("2001:db8:1:3::1"), group("2001:db8:1:2::1"));
        assert_eq!(group("198.51.100.7"), "198.51.100.7/32");
        assert_eq!(group("::ffff:198.51.100.7"), "198.51.100.7/32");
    }

    #[test]
    fn bad_ranges_are_refused() {
        for bad in [
            "nope",
            "10.0.0.0/33",
            "10.0.0.0/",
            "fd00::/129",
            "10.0.0.0/-1",
            "/8",
        ] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_forwarding_proxy_anywhere_in_a_trusted_range_is_believed() {
        let pods = TrustedProxies(vec![range("10.42.0.0/16")]);
        let req = request("10.42.3.9", Some("198.51.100.1, 10.42.1.1"));
        assert_eq!(client_ip(&req, &pods), Some(ip("198.51.100.1")));
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
