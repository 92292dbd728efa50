package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.planet.node.runtime.PodSandbox;
import java.io.IOException;

/**
 * Wires a pod's network namespace to the node's pod network (CNI) and back. A host-network sandbox has no network
 * namespace of its own: implementations leave it alone (setUp returns null, tearDown does nothing).
 */
public interface PodNetworking {
  /** Returns the pod's IP, or null when the pod only has loopback. */
  String setUp(Pod pod, PodSandbox sandbox) throws IOException;

  void tearDown(Pod pod, PodSandbox sandbox) throws IOException;

  /** The standard CNI plugins on the node's podCIDR (or {@code fallbackCidr}), state under {@code stateDir}; bridge null = planet0. */
  static PodNetworking cni(io.fabric8.kubernetes.client.KubernetesClient client, String nodeName, String fallbackCidr,
      java.nio.file.Path stateDir, String bridge) {
    return new CniPodNetworking(client, nodeName, fallbackCidr, stateDir, bridge);
  }

  /** No pod network: pods get loopback only and no IP (until a CNI network is configured). */
  PodNetworking LOOPBACK_ONLY = new PodNetworking() {
    @Override
    public String setUp(Pod pod, PodSandbox sandbox) {
      return null;
    }

    @Override
    public void tearDown(Pod pod, PodSandbox sandbox) {}
  };
}
