//! Each test bed's machine-wide names (pod bridge, subnet, cgroup root, CNI network, kubelet
//! ports), derived from its folder so that two checkouts run two nodes side by side.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// What one test bed's node names on the machine: the pod bridge, its /24 and gateway, the cgroup
/// root, the CNI network, the kubelet's ports. Derived from the bed's state folder (by default
/// `target/testbed` of the checkout), so two checkouts run two nodes side by side; recorded in the
/// state file, so `down` removes exactly what `up` made, whatever the code deriving them says later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The pod bridge (≤ 15 characters; created by `up`, deleted by `down`).
    pub bridge: String,
    /// Pod addresses: a /24 on the bridge only, routed nowhere (no gateway, no masquerade).
    pub subnet: String,
    /// The host's address on the pod bridge: Pods reach the apiserver and the emulator here
    /// (forwarded to their 127.0.0.1 ports), nothing else.
    pub gateway: String,
    /// Every cgroup of the node's Pods lives under this folder of each cgroup hierarchy.
    pub cgroup_root: String,
    /// The CNI network's name (host-local keeps its leases under it).
    pub cni_network: String,
    /// The kubelet's port on 127.0.0.1 (None: a legacy bed, whose ports were picked at random).
    pub kubelet_port: Option<u16>,
    /// The kubelet's healthz port on 127.0.0.1.
    pub healthz_port: Option<u16>,
}

/// Ports a derived name block may use: below the kernel's ephemeral range (32768–60999), above the
/// crowded registered ports, clear of Kubernetes' 10248–10260, NodePorts (30000–32767), etcd, Prometheus.
pub const PORT_RANGE: std::ops::RangeInclusive<u16> = 20000..=26999;
/// Second octets a derived pod subnet 10.x.y.0/24 may use: 10.200–10.239 except 10.217 (the legacy
/// node's) and 10.233 (kubespray's default pod and service ranges).
fn subnet_octets() -> Vec<u8> {
    (200..=239).filter(|o| ![217, 233].contains(o)).collect()
}

impl Names {
    /// The fixed names every node used before they were derived per checkout: what a state file
    /// without names describes.
    pub fn legacy() -> Self {
        Names {
            bridge: "ssync0".into(),
            subnet: "10.217.0.0/24".into(),
            gateway: "10.217.0.1".into(),
            cgroup_root: "secretsync-testbed".into(),
            cni_network: "secretsync-testbed".into(),
            kubelet_port: None,
            healthz_port: None,
        }
    }

    /// The names of the bed whose state folder is `key` (a canonical path): pure and deterministic.
    pub fn derive(key: &str) -> Self {
        let h = mix(fnv1a(key.as_bytes()));
        let id = format!("{:08x}", h >> 32);
        let octets = subnet_octets();
        let second = octets[(h & 0xffff) as usize % octets.len()];
        let third = ((h >> 16) & 0xff) as u8;
        let ports = mix(h ^ 0x9e37_79b9_7f4a_7c15);
        let span = u64::from(PORT_RANGE.end() - PORT_RANGE.start() + 1) / 2;
        let base = PORT_RANGE.start() + 2 * (ports % span) as u16;
        Names {
            bridge: format!("ssync-{id}"),
            subnet: format!("10.{second}.{third}.0/24"),
            gateway: format!("10.{second}.{third}.1"),
            cgroup_root: format!("secretsync-testbed-{id}"),
            cni_network: format!("secretsync-testbed-{id}"),
            kubelet_port: Some(base),
            healthz_port: Some(base + 1),
        }
    }

    /// The names a state file records; legacy names when it has none (a bed started by older code).
    /// Fails on names that are there but unusable (a damaged state file): nothing is then torn down
    /// by guesswork.
    pub fn from_state(state: &serde_json::Value) -> Result<Self> {
        let n = &state["names"];
        if n.is_null() {
            return Ok(Self::legacy());
        }
        let text = |k: &str| {
            n[k].as_str()
                .map(String::from)
                .with_context(|| format!("the state file's names lack {k}: {n}"))
        };
        let port = |k: &str| n[k].as_u64().and_then(|p| u16::try_from(p).ok());
        let names = Names {
            bridge: text("bridge")?,
            subnet: text("subnet")?,
            gateway: text("gateway")?,
            cgroup_root: text("cgroup_root")?,
            cni_network: text("cni_network")?,
            kubelet_port: port("kubelet_port"),
            healthz_port: port("healthz_port"),
        };
        if !valid_name(&names.bridge) || names.bridge.len() > 15 || !valid_name(&names.cgroup_root)
        {
            bail!("the state file records names no node of ours could have: {n}");
        }
        Ok(names)
    }

    /// The form `from_state` reads.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "bridge": self.bridge,
            "subnet": self.subnet,
            "gateway": self.gateway,
            "cgroup_root": self.cgroup_root,
            "cni_network": self.cni_network,
            "kubelet_port": self.kubelet_port,
            "healthz_port": self.healthz_port,
        })
    }
}

/// A test bed folder as one canonical path (created if missing): the key of its names.
pub fn canonical(testbed: &Path) -> Result<String> {
    fs::create_dir_all(testbed).with_context(|| format!("creating {}", testbed.display()))?;
    let path =
        fs::canonicalize(testbed).with_context(|| format!("resolving {}", testbed.display()))?;
    Ok(path.display().to_string())
}

/// FNV-1a, 64 bits: stable across Rust versions (std's hasher is not), so names never drift.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// splitmix64's finaliser: every output bit depends on every input bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One folder or device name: no path separators, not `.`/`..`, not empty. Guards every
/// recorded name before it is joined to /sys paths or handed to `ip`.
pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::network::{overlaps, parse_net};

    /// Every name a bed takes on the machine, as one list (what must differ between two beds).
    fn machine_wide(n: &Names) -> Vec<String> {
        vec![
            n.bridge.clone(),
            n.subnet.clone(),
            n.gateway.clone(),
            n.cgroup_root.clone(),
            n.cni_network.clone(),
            format!("{:?}", n.kubelet_port),
            format!("{:?}", n.healthz_port),
        ]
    }

    #[test]
    fn names_follow_the_test_bed_folder() {
        let legacy = Names::legacy();
        // (path, another path): names of the first are stable, and differ from the second's in every
        // machine-wide name.
        let table = [
            ("/work/main/target/testbed", "/work/bedA/target/testbed"),
            ("/work/bedA/target/testbed", "/work/bedB/target/testbed"),
            ("/work/bedB/target/testbed", "/work/bedB/target/testbed2"),
            (
                "/home/me/secretsync/target/testbed",
                "/home/me/secretsync2/target/testbed",
            ),
            ("/t", "/u"),
        ];
        for (path, other) in table {
            let a = Names::derive(path);
            assert_eq!(a, Names::derive(path), "{path}: same path, same names");
            let b = Names::derive(other);
            for (x, y) in machine_wide(&a).iter().zip(machine_wide(&b)) {
                assert_ne!(*x, y, "{path} and {other} share a name");
            }
            for n in [&a, &b] {
                assert!(n.bridge.len() <= 15 && valid_name(&n.bridge), "{n:?}");
                assert!(valid_name(&n.cgroup_root) && n.cgroup_root != legacy.cgroup_root);
                assert_ne!(n.bridge, legacy.bridge);
                let (net, len) = parse_net(&n.subnet).expect("subnet");
                assert_eq!(len, 24);
                assert_eq!(net >> 24, 10, "{} is not in 10.0.0.0/8", n.subnet);
                assert!(!overlaps((net, 24), parse_net(&legacy.subnet).unwrap()));
                assert!(!overlaps((net, 24), parse_net("10.0.0.0/24").unwrap()));
                let (gw, _) = parse_net(&n.gateway).expect("gateway");
                assert_eq!(gw, net + 1, "the gateway is .1 of the subnet");
                let (k, h) = (n.kubelet_port.unwrap(), n.healthz_port.unwrap());
                assert!(
                    PORT_RANGE.contains(&k) && PORT_RANGE.contains(&h),
                    "{k} {h}"
                );
                assert_ne!(k, h);
                assert!(![10250, 10248].contains(&k) && ![10250, 10248].contains(&h));
            }
        }
    }

    #[test]
    fn derived_names_spread_over_their_ranges() {
        let names: Vec<Names> = (0..2000)
            .map(|i| Names::derive(&format!("/work/clone{i}/target/testbed")))
            .collect();
        let distinct = |f: &dyn Fn(&Names) -> String| {
            names
                .iter()
                .map(f)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        assert_eq!(distinct(&|n| n.bridge.clone()), names.len());
        assert!(distinct(&|n| n.subnet.clone()) > 1800);
        assert!(distinct(&|n| format!("{:?}", n.kubelet_port)) > 1500);
        for n in &names {
            let (net, _) = parse_net(&n.subnet).unwrap();
            let second = ((net >> 16) & 0xff) as u8;
            assert!(subnet_octets().contains(&second), "{}", n.subnet);
        }
    }

    #[test]
    fn state_records_names_and_older_state_means_legacy_names() {
        let derived = Names::derive("/work/bedA/target/testbed");
        let state = serde_json::json!({ "pids": {}, "node": true, "names": derived.to_json() });
        assert_eq!(Names::from_state(&state).unwrap(), derived);
        // A state file written before names were derived: the fixed names of those beds.
        let old = serde_json::json!({ "pids": { "kubelet": 1 }, "ports": { "apiserver": 1 }, "node": true });
        let legacy = Names::from_state(&old).unwrap();
        assert_eq!(legacy, Names::legacy());
        assert_eq!(
            (legacy.bridge.as_str(), legacy.cgroup_root.as_str()),
            ("ssync0", "secretsync-testbed")
        );
        assert_eq!(
            (legacy.subnet.as_str(), legacy.gateway.as_str()),
            ("10.217.0.0/24", "10.217.0.1")
        );
        // Damaged names are refused, never guessed (an empty cgroup root would be the whole hierarchy).
        for bad in [
            serde_json::json!({ "names": { "bridge": "ssync-1" } }),
            serde_json::json!({ "names": { "bridge": "ssync-1", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "", "cni_network": "x" } }),
            serde_json::json!({ "names": { "bridge": "ssync-1", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "../x", "cni_network": "x" } }),
            serde_json::json!({ "names": { "bridge": "a-very-long-bridge-name", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "x", "cni_network": "x" } }),
        ] {
            assert!(Names::from_state(&bad).is_err(), "{bad}");
        }
    }
}
