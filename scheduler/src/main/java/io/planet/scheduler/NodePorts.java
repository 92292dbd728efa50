package io.planet.scheduler;

import java.util.List;

/** The host ports a pod asks for must be free on the node. */
public final class NodePorts implements FilterPlugin {
  static final String REASON = "node(s) didn't have free ports for the requested pod ports";

  @Override
  public String name() {
    return "NodePorts";
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    for (String p : pod.hostPorts) {
      String[] parts = p.split("/");
      if (node.portInUse(parts[0], parts[1], Integer.parseInt(parts[2]))) return List.of(REASON);
    }
    return List.of();
  }
}
