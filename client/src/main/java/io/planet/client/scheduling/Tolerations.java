package io.planet.client.scheduling;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Objects;

/**
 * Upstream's Toleration.ToleratesTaint, for everything that weighs taints (scheduler, kubelet admission, DaemonSet
 * placement, taint eviction): the same effect (or any), the same key (or any), and with Equal (or no operator) the
 * same value; Exists tolerates every value.
 */
public final class Tolerations {
  private Tolerations() {}

  /** Whether any of {@code tolerations} (null: none) tolerates the taint. */
  public static boolean tolerate(List<Toleration> tolerations, Taint taint) {
    if (tolerations == null) return false;
    for (Toleration t : tolerations) if (tolerates(t, taint)) return true;
    return false;
  }

  public static boolean tolerates(Toleration t, Taint taint) {
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
