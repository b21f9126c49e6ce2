//! Who is staff: the Authentik user and groups that Traefik's forwardAuth puts in
//! `X-authentik-username` and `X-authentik-groups`, believed only from a trusted proxy. Every
//! service that has staff routes asks [`StaffGate::staff`], then checks the groups it needs.

use actix_web::HttpRequest;

use super::TrustedProxies;
use crate::config::{self, Source};

/// The staff member behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    /// Authentik user name; `local operator` for the loopback shortcut.
    pub username: String,
    /// Authentik groups, as sent.
    pub groups: Vec<String>,
    /// Came through the loopback shortcut ([`StaffGate::loopback_is_staff`]): the operator of this
    /// very machine, with every group.
    pub local: bool,
}

impl Staff {
    /// Whether the staff member is in one of `allowed` (case-insensitive); the local operator is.
    pub fn in_any(&self, allowed: &[String]) -> bool {
        self.local
            || self
                .groups
                .iter()
                .any(|g| allowed.iter().any(|a| a.eq_ignore_ascii_case(g)))
    }
}

/// Why a request is not from staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotStaff {
    /// The peer is not a trusted proxy: its staff headers mean nothing.
    #[error("Staff access goes through the company proxy.")]
    UntrustedPeer,
    /// A trusted proxy sent no user name.
    #[error("No staff identity.")]
    NoIdentity,
}

impl NotStaff {
    /// What to tell the client.
    pub fn detail(self) -> &'static str {
        match self {
            Self::UntrustedPeer => "Staff access goes through the company proxy.",
            Self::NoIdentity => "No staff identity.",
        }
    }
}

/// What makes a request staff: the proxies believed, and the loopback shortcut.
#[derive(Clone, Debug, Default)]
pub struct StaffGate {
    /// Proxies whose `X-authentik-*` headers are believed (`TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// A loopback peer that forwards nothing (no `X-Forwarded-For`) is the local operator, with
    /// every group: the embedded default on a workstation (`LOOPBACK_IS_STAFF`; the hub turns it on,
    /// a service alone leaves it off, where a same-host proxy that adds no header would otherwise
    /// make anyone staff).
    pub loopback_is_staff: bool,
}

impl StaffGate {
    /// The staff member behind `req`, from a trusted proxy's headers (or the loopback shortcut).
    pub fn staff(&self, req: &HttpRequest) -> Result<Staff, NotStaff> {
        let peer = req.peer_addr().map(|a| a.ip());
        if self.loopback_is_staff
            && peer.is_some_and(|p| p.is_loopback())
            && !req.headers().contains_key("x-forwarded-for")
        {
            return Ok(Staff {
                username: "local operator".to_owned(),
                groups: Vec::new(),
                local: true,
            });
        }
        if !peer.is_some_and(|p| self.trusted_proxies.contains(p)) {
            return Err(NotStaff::UntrustedPeer);
        }
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .unwrap_or("")
        };
        let username = header("x-authentik-username");
        if username.is_empty() {
            return Err(NotStaff::NoIdentity);
        }
        // Authentik separates groups with `|`; commas are accepted as well.
        let groups = header("x-authentik-groups")
            .split(['|', ','])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Staff {
            username: username.to_owned(),
            groups,
            local: false,
        })
    }
}

/// A comma-separated list of staff groups from `name` (`default` when unset), e.g.
/// `IMPERSONATION_GROUPS`.
pub fn groups_or(src: &dyn Source, name: &str, default: &str) -> Vec<String> {
    config::string_or(src, name, default)
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `IMPERSONATION_GROUPS` (default `support,admin`): the staff groups that may open a customer's
/// session, and so see live links and codes anywhere.
pub fn impersonation_groups(src: &dyn Source) -> Vec<String> {
    groups_or(src, "IMPERSONATION_GROUPS", "support,admin")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn gate(loopback_is_staff: bool) -> StaffGate {
        StaffGate {
            trusted_proxies: TrustedProxies(vec!["127.0.0.1".parse().unwrap()]),
            loopback_is_staff,
        }
    }

    fn request(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:5000").parse().unwrap());
        for h in headers {
            r = r.insert_header(*h);
        }
        r.to_http_request()
    }

    #[test]
    fn a_trusted_proxy_vouches_for_a_user_and_its_groups() {
        let req = request(
            "127.0.0.1",
            &[
                ("X-authentik-username", " alice "),
                ("X-authentik-groups", "employees|Support, billing"),
            ],
        );
        let staff = gate(false).staff(&req).unwrap();
        assert_eq!(staff.username, "alice");
        assert_eq!(staff.groups, ["employees", "Support", "billing"]);
        assert!(staff.in_any(&["support".to_owned()]));
        assert!(!staff.in_any(&["admin".to_owned()]));
    }

    #[test]
    fn headers_from_anyone_else_or_without_a_user_mean_nothing() {
        let forged = request(
            "203.0.113.9",
            &[
                ("X-authentik-username", "alice"),
                ("X-authentik-groups", "admin"),
            ],
        );
        assert_eq!(gate(true).staff(&forged), Err(NotStaff::UntrustedPeer));
        let anonymous = request("127.0.0.1", &[("X-Forwarded-For", "203.0.113.9")]);
        assert_eq!(gate(true).staff(&anonymous), Err(NotStaff::NoIdentity));
    }

    #[test]
    fn a_loopback_peer_without_forwarding_is_the_local_operator_only_when_allowed() {
        let local = request("127.0.0.1", &[]);
        assert_eq!(gate(false).staff(&local), Err(NotStaff::NoIdentity));
        let staff = gate(true).staff(&local).unwrap();
        assert!(staff.local && staff.in_any(&["support".to_owned()]));
        let proxied = request("127.0.0.1", &[("X-Forwarded-For", "203.0.113.9")]);
        assert_eq!(gate(true).staff(&proxied), Err(NotStaff::NoIdentity));
    }
}
