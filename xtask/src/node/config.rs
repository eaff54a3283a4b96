//! The node's configuration files: containerd's, the CNI network's and the kubelet's.

use std::path::Path;

use super::{Names, PAUSE_IMAGE};

/// containerd's configuration: every folder and socket under the node's folder.
pub(super) fn containerd_config(node: &Path) -> String {
    let d = node.display();
    format!(
        r#"version = 2
root = "{d}/containerd/root"
state = "{d}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "{d}/containerd/containerd.sock"

[ttrpc]
  address = "{d}/containerd/containerd.sock.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{d}/cni/net.d"

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/containerd/opt"
"#
    )
}

/// The CNI network: the pod bridge and subnet, no gateway, no masquerade.
pub(super) fn cni_config(names: &Names) -> String {
    let (network, bridge, subnet) = (&names.cni_network, &names.bridge, &names.subnet);
    format!(
        r#"{{
  "cniVersion": "0.4.0",
  "name": "{network}",
  "plugins": [
    {{
      "type": "bridge",
      "bridge": "{bridge}",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {{ "type": "host-local", "ranges": [[{{ "subnet": "{subnet}" }}]] }}
    }}
  ]
}}
"#
    )
}

/// The kubelet's configuration: on 127.0.0.1, folders under the node's, cgroups under `cgroup_root`.
pub(super) fn kubelet_config(
    node: &Path,
    port: u16,
    healthz_port: u16,
    cgroup_root: &str,
) -> String {
    let d = node.display();
    format!(
        r#"apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: {port}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: {healthz_port}
authentication:
  anonymous: {{ enabled: true }}
  webhook: {{ enabled: false }}
authorization:
  mode: AlwaysAllow
containerRuntimeEndpoint: unix://{d}/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /{cgroup_root}
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: true
makeIPTablesUtilChains: false
podLogsDir: {d}/pod-logs
volumePluginDir: {d}/volume-plugins
syncFrequency: 10s
configMapAndSecretChangeDetectionStrategy: Watch
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
serializeImagePulls: false
rotateCertificates: false
serverTLSBootstrap: false
resolvConf: ""
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_keep_everything_under_the_node_folder() {
        let node = Path::new("/tb/node");
        let names = Names::derive("/tb");
        let c = containerd_config(node);
        assert!(c.contains("root = \"/tb/node/containerd/root\""));
        assert!(c.contains("restrict_oom_score_adj = true"));
        assert!(c.contains(PAUSE_IMAGE));
        let k = kubelet_config(node, 1234, 1235, &names.cgroup_root);
        assert!(k.contains("port: 1234") && k.contains("healthzPort: 1235"));
        assert!(k.contains(&format!("cgroupRoot: /{}\n", names.cgroup_root)));
        assert!(k.contains("protectKernelDefaults: true"));
        // The host's iptables are not the node's: no KUBE-FIREWALL / canary chains shared by beds.
        assert!(k.contains("makeIPTablesUtilChains: false"));
        assert!(k.contains("unix:///tb/node/containerd/containerd.sock"));
        let cni: serde_json::Value = serde_json::from_str(&cni_config(&names)).expect("json");
        assert_eq!(cni["plugins"][0]["isGateway"], false);
        assert_eq!(cni["plugins"][0]["ipMasq"], false);
        assert_eq!(cni["plugins"][0]["bridge"], names.bridge.as_str());
        assert_eq!(cni["name"], names.cni_network.as_str());
        assert_eq!(
            cni["plugins"][0]["ipam"]["ranges"][0][0]["subnet"],
            names.subnet.as_str()
        );
    }
}
