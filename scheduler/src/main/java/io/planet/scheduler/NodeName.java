package io.planet.scheduler;

import java.util.List;

/** A pod that names its node fits only there. */
public final class NodeName implements FilterPlugin {
  static final String REASON = "node(s) didn't match the requested node name";

  @Override
  public String name() {
    return "NodeName";
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    String wanted = Pods.nodeName(pod.pod);
    return wanted.isEmpty() || wanted.equals(node.name()) ? List.of() : List.of(REASON);
  }
}
