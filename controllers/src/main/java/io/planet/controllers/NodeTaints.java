package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** The taints the node lifecycle controller manages, and upstream's toleration matching. */
final class NodeTaints {
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  static final String NOT_READY = "node.kubernetes.io/not-ready";

  private NodeTaints() {}

  static List<Taint> of(Node n) {
    return n.getSpec() == null || n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
  }

  /** Upstream's Toleration.ToleratesTaint. */
  static boolean tolerates(Toleration t, Taint taint) {
    return io.planet.client.scheduling.Tolerations.tolerates(t, taint);
  }
}
