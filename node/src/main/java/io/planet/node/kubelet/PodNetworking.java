package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.planet.node.runtime.PodSandbox;
import java.io.IOException;

/** Wires a pod's network namespace to the node's pod network (CNI) and back. */
public interface PodNetworking {
  /** Returns the pod's IP, or null when the pod only has loopback. */
  String setUp(Pod pod, PodSandbox sandbox) throws IOException;

  void tearDown(Pod pod, PodSandbox sandbox) throws IOException;

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
