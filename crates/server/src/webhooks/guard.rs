//! Where webhook deliveries may connect: by default public addresses only.
//!
//! A webhook's URL is chosen by a tenant admin, but the request leaves from
//! the service's own network. Without this guard an admin could make the
//! service POST to its database host, a cloud metadata endpoint
//! (169.254.169.254) or anything else on the operator's private network
//! (server-side request forgery), and read from the delivery log whether it
//! answered. The check is made on the addresses actually connected to (the
//! resolver below filters what DNS answers), so a name that resolves to a
//! private address — at creation or only later (DNS rebinding) — is refused
//! as well as an IP literal. `--webhook-private-networks` (implied by
//! `--dev`) lifts it, for receivers on the operator's own network.

use hyper_util::client::legacy::connect::dns::Name;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why an attempt to a private address did not happen (kept on the delivery).
pub(super) const REFUSED: &str =
    "the webhook's host is a loopback, private or link-local address; deliveries go to public addresses only (--webhook-private-networks allows others)";

/// Whether deliveries may go to `ip`: a globally routable unicast address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || first == 0x2001 && ip.segments()[1] == 0xdb8 // documentation
        || first == 0x64 && ip.segments()[1] == 0xff9b) // NAT64, which may reach private IPv4
}

/// hyper's resolver, keeping only the addresses deliveries may use. hyper
/// skips the resolver for IP literals: `Sender::post` checks those itself.
#[derive(Clone, Copy, Debug)]
pub(super) struct Resolver {
    pub(super) private_networks: bool,
}

type Addrs = std::vec::IntoIter<SocketAddr>;

impl tower::Service<Name> for Resolver {
    type Response = Addrs;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Addrs>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let private_networks = self.private_networks;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.filter(|a| private_networks || is_public(a.ip())).collect();
            if addrs.is_empty() {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, REFUSED));
            }
            Ok(addrs.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
