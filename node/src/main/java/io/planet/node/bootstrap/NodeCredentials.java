package io.planet.node.bootstrap;

import java.nio.file.Path;

/**
 * Where a joined node keeps what TLS bootstrap gave it, under its data directory: the cluster CA it discovered, its
 * client certificate and key and the kubeconfig using them (upstream: /var/lib/kubelet/pki/kubelet-client-current.pem
 * and /etc/kubernetes/kubelet.conf), and its serving certificate and key for the kubelet API.
 */
public record NodeCredentials(Path dir) {
  public static NodeCredentials in(Path dataDir) {
    return new NodeCredentials(dataDir.resolve("pki"));
  }

  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  public Path clientCertFile() {
    return dir.resolve("kubelet-client.crt");
  }

  public Path clientKeyFile() {
    return dir.resolve("kubelet-client.key");
  }

  public Path servingCertFile() {
    return dir.resolve("kubelet-serving.crt");
  }

  public Path servingKeyFile() {
    return dir.resolve("kubelet-serving.key");
  }

  /** The kubelet's kubeconfig (its client certificate); the node's proxy and route manager use it too. */
  public Path kubeconfig() {
    return dir.resolveSibling("kubeconfigs").resolve("kubelet.kubeconfig");
  }
}
