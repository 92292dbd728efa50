package io.planet.scheduler;

import java.util.List;

/** A predicate on (pod, node): the reasons the node cannot take the pod, empty when it can. */
public interface FilterPlugin {
  String name();

  List<String> filter(PodContext pod, NodeInfo node);
}
