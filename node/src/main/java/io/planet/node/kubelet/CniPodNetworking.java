package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.network.PodNetwork;
import io.planet.node.network.PortMapping;
import io.planet.node.runtime.PodSandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pod networking through the standard CNI plugins ({@link PodNetwork}: bridge + host-local, portmap for hostPorts,
 * loopback) on the node's {@code spec.podCIDR} as node IPAM assigned it, or on a configured CIDR when no IPAM runs.
 * Until the node has a CIDR, setting up a pod fails and its sync is retried.
 */
final class CniPodNetworking implements PodNetworking {
  private final KubernetesClient client;
  private final String nodeName;
  private final String fallbackCidr;
  private final Path stateDir;
  private final String bridge;
  private PodNetwork network;

  /** {@code bridge}: null for the default (planet0). */
  CniPodNetworking(KubernetesClient client, String nodeName, String fallbackCidr, Path stateDir, String bridge) {
    this.bridge = bridge;
    this.client = client;
    this.nodeName = nodeName;
    this.fallbackCidr = fallbackCidr;
    this.stateDir = stateDir;
  }

  private synchronized PodNetwork network() throws IOException {
    if (network != null) return network;
    Node node = client.nodes().withName(nodeName).get();
    String cidr = node != null && node.getSpec() != null && node.getSpec().getPodCIDR() != null
        ? node.getSpec().getPodCIDR() : fallbackCidr;
    if (cidr == null || cidr.isEmpty()) {
      throw new IOException("node " + nodeName + " has no spec.podCIDR yet (is the node-ipam controller running?) "
          + "and no --pod-cidr was given");
    }
    PodNetwork.Config config = PodNetwork.Config.forPodCidr(cidr).withStateDir(stateDir);
    if (bridge != null) config = config.withBridge(bridge, bridge);
    network = new PodNetwork(config);
    network.prepare();
    return network;
  }

  @Override
  public String setUp(Pod pod, PodSandbox sandbox) throws IOException {
    // a host-network pod is the node's network: no CNI call (upstream's kubelet skips the plugins for such pods)
    if (sandbox.hostNetwork()) return null;
    return network().setUp(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
        sandbox.netns(), hostPorts(pod)).podIP();
  }

  @Override
  public void tearDown(Pod pod, PodSandbox sandbox) throws IOException {
    // nothing of the node's network is the pod's to remove: no CNI DEL, no hostPort rules (none were added)
    if (sandbox.hostNetwork()) return;
    network().tearDown(pod.getMetadata().getUid(), sandbox.netns(), hostPorts(pod));
  }

  static List<PortMapping> hostPorts(Pod pod) {
    List<PortMapping> out = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() == null) continue;
      for (ContainerPort p : c.getPorts()) {
        if (p.getHostPort() == null || p.getHostPort() == 0) continue;
        out.add(new PortMapping(p.getHostPort(), p.getContainerPort(), p.getProtocol() == null ? "TCP" : p.getProtocol(),
            p.getHostIP() == null ? "" : p.getHostIP()));
      }
    }
    return out;
  }
}
