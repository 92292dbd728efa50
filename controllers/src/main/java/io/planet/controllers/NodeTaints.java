package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Objects;

/** The taints the node lifecycle controller manages, and upstream's toleration matching. */
final class NodeTaints {
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  static final String NOT_READY = "node.kubernetes.io/not-ready";

  private NodeTaints() {}

  static List<Taint> of(Node n) {
    return n.getSpec() == null || n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
  }

  /** Upstream's Toleration.ToleratesTaint: same effect (or any), same key (or any with Exists), same value if Equal. */
  static boolean tolerates(Toleration t, Taint taint) {
    if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) return false;
    if (t.getKey() != null && !t.getKey().isEmpty() && !t.getKey().equals(taint.getKey())) return false;
    String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
    return switch (op) {
      case "Exists" -> true;
      case "Equal" -> Objects.equals(emptyToNull(t.getValue()), emptyToNull(taint.getValue()));
      default -> false;
    };
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
