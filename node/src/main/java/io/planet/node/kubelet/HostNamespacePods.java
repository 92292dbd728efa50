package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.planet.node.runtime.PodSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What hostNetwork, hostPID and hostIPC mean for a pod on this node, as upstream's kubelet and runtimes have it: the
 * pod shares those namespaces of the node (a host-network pod also its UTS namespace, hence its hostname).
 */
final class HostNamespacePods {
  /** Where the kernel tells the hostname of the UTS namespace the agent (and so a host-network pod) is in. */
  static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private HostNamespacePods() {}

  static PodSandbox.HostNamespaces of(Pod pod) {
    var spec = pod.getSpec();
    return new PodSandbox.HostNamespaces(Boolean.TRUE.equals(spec.getHostNetwork()),
        Boolean.TRUE.equals(spec.getHostPID()), Boolean.TRUE.equals(spec.getHostIPC()));
  }

  /**
   * The hostname the pod's containers see: the node's for a host-network pod (upstream leaves the sandbox's hostname
   * empty then and the runtime uses the host's), else spec.hostname or the pod's name, at most 63 characters.
   */
  static String hostname(Pod pod) throws IOException {
    if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) return Files.readString(KERNEL_HOSTNAME).trim();
    String name = pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
        ? pod.getSpec().getHostname() : pod.getMetadata().getName();
    return name.length() > 63 ? name.substring(0, 63) : name;
  }
}
