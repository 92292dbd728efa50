package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.HostAlias;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kubelet-managed /etc/hosts of a pod, as upstream's ensureHostsFile writes it: the standard entries and the pod's
 * own name for a pod on the pod network; the node's own hosts file for a host-network pod; spec.hostAliases
 * appended to either.
 */
final class EtcHosts {
  /** The node's hosts file, which a host-network pod sees (upstream's etcHostsPath). */
  static final Path NODE_HOSTS = Path.of("/etc/hosts");

  private EtcHosts() {}

  /** {@code fqdn}: hostname.subdomain.namespace.svc.domain when the pod has a subdomain, else null. */
  static String managed(String podIp, String hostname, String fqdn, List<HostAlias> aliases) {
    StringBuilder hosts = new StringBuilder("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
        + "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"
        + "fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    if (podIp != null) {
      hosts.append(podIp).append('\t');
      if (fqdn != null) hosts.append(fqdn).append('\t');
      hosts.append(hostname).append('\n');
    }
    return hosts.append(aliases(aliases)).toString();
  }

  static String hostNetwork(Path nodeHosts, List<HostAlias> aliases) throws IOException {
    return "# Kubernetes-managed hosts file (host network).\n" + Files.readString(nodeHosts) + aliases(aliases);
  }

  private static String aliases(List<HostAlias> aliases) {
    if (aliases == null || aliases.isEmpty()) return "";
    StringBuilder out = new StringBuilder("\n# Entries added by HostAliases.\n");
    for (HostAlias a : aliases) {
      if (a.getIp() == null || a.getHostnames() == null || a.getHostnames().isEmpty()) continue;
      out.append(a.getIp()).append('\t').append(String.join("\t", a.getHostnames())).append('\n');
    }
    return out.toString();
  }
}
