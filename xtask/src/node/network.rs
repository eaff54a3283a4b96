//! The node's network on the machine: whether the pod subnet and the kubelet's ports are free, and
//! whether the pod bridge exists.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use super::Names;
use super::names::valid_name;

/// A network `a.b.c.d/len` as (address, prefix length).
pub(super) fn parse_net(text: &str) -> Option<(u32, u8)> {
    let (addr, len) = text.split_once('/').unwrap_or((text, "32"));
    let addr: std::net::Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    Some((u32::from(addr), len))
}

/// Whether two networks share an address.
pub(super) fn overlaps(a: (u32, u8), b: (u32, u8)) -> bool {
    let len = a.1.min(b.1);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    a.0 & mask == b.0 & mask
}

/// Routes (`ip -o -4 route show`) and addresses (`ip -o -4 addr show`) that overlap `subnet`, except
/// the default route and those on `bridge` itself: taking the subnet would hide those addresses.
fn subnet_conflicts(subnet: &str, bridge: &str, routes: &str, addrs: &str) -> Vec<String> {
    let Some(ours) = parse_net(subnet) else {
        return vec![format!("{subnet} is not an IPv4 network")];
    };
    let dev_of = |fields: &[&str]| {
        fields
            .windows(2)
            .find(|w| w[0] == "dev")
            .map(|w| w[1].to_string())
    };
    let mut out = Vec::new();
    for line in routes.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(dest) = fields.first() else { continue };
        if *dest == "default" || dev_of(&fields).as_deref() == Some(bridge) {
            continue;
        }
        if parse_net(dest).is_some_and(|net| overlaps(net, ours)) {
            out.push(format!("route `{}`", line.trim()));
        }
    }
    for line in addrs.lines() {
        // `3: eth0    inet 10.1.2.3/24 brd ... scope global eth0`
        let fields: Vec<&str> = line.split_whitespace().collect();
        let dev = fields.get(1).map(|d| d.trim_end_matches(':'));
        let Some(addr) = fields.windows(2).find(|w| w[0] == "inet").map(|w| w[1]) else {
            continue;
        };
        if dev == Some(bridge) {
            continue;
        }
        if parse_net(addr).is_some_and(|(a, _)| overlaps((a, 32), ours)) {
            out.push(format!("address {addr} on {}", dev.unwrap_or("?")));
        }
    }
    out
}

/// Whether the machine can give this bed its names: the kubelet's ports are free on 127.0.0.1 and
/// no other interface or route uses the pod subnet. Fails saying what is in the way.
pub fn check_available(names: &Names) -> Result<()> {
    let mut problems = Vec::new();
    for (what, port) in [
        ("kubelet", names.kubelet_port),
        ("kubelet healthz", names.healthz_port),
    ] {
        if let Some(port) = port
            && !crate::procs::port_is_free(port)
        {
            problems.push(format!("the {what} port 127.0.0.1:{port} is in use"));
        }
    }
    let ip = |args: &[&str]| {
        Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    for conflict in subnet_conflicts(
        &names.subnet,
        &names.bridge,
        &ip(&["-o", "-4", "route", "show"]),
        &ip(&["-o", "-4", "addr", "show"]),
    ) {
        problems.push(format!(
            "the pod subnet {} overlaps {conflict}",
            names.subnet
        ));
    }
    if !problems.is_empty() {
        bail!(
            "this checkout's node cannot use the names derived for it (from the path of its test bed \
             folder): {}. Stop what holds them, or use another checkout path or CARGO_TARGET_DIR \
             (the names follow the test bed folder); `cargo xtask testbed up --no-node` runs without the node",
            problems.join("; ")
        );
    }
    Ok(())
}

/// Whether a network device of this name exists (false for a name no device could have).
pub(super) fn bridge_exists(name: &str) -> bool {
    valid_name(name) && Path::new("/sys/class/net").join(name).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_conflicts_name_other_devices_only() {
        let routes = "default via 192.0.2.1 dev eth0\n\
                      10.217.0.0/24 dev ssync0 proto kernel scope link src 10.217.0.1\n\
                      10.220.5.0/24 dev ssync-abc proto kernel scope link src 10.220.5.1\n\
                      10.0.0.0/8 via 192.0.2.9 dev tun0\n\
                      192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2\n";
        let addrs = "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n\
                     69: ssync0    inet 10.217.0.1/24 scope global ssync0\n\
                     70: ssync-abc    inet 10.220.5.1/24 scope global ssync-abc\n";
        // Our own bridge's route and address are no conflict.
        let only_ours = "10.220.5.0/24 dev ssync-abc proto kernel scope link src 10.220.5.1\n";
        assert!(subnet_conflicts("10.220.5.0/24", "ssync-abc", only_ours, addrs).is_empty());
        // A VPN's 10/8 is hidden in part by any 10.x /24: refused.
        let c = subnet_conflicts("10.220.5.0/24", "ssync-abc", routes, addrs);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].contains("tun0"));
        // Another bed's subnet: refused; and the legacy bed's.
        let c = subnet_conflicts("10.220.5.0/24", "ssync-other", only_ours, addrs);
        assert_eq!(c.len(), 2, "{c:?}");
        let legacy = subnet_conflicts("10.217.0.0/24", "ssync-x", routes, addrs);
        assert!(legacy.iter().any(|c| c.contains("ssync0")), "{legacy:?}");
        assert!(
            subnet_conflicts(
                "10.221.0.0/24",
                "ssync-x",
                "default via 1.2.3.4 dev eth0\n",
                addrs
            )
            .is_empty()
        );
    }
}
