package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** Whether a pod's tolerations cover a taint, as upstream's Toleration.ToleratesTaint. */
final class Tolerations {
  private Tolerations() {}

  static boolean tolerates(Pod pod, Taint taint) {
    List<Toleration> tolerations = pod.getSpec() == null ? null : pod.getSpec().getTolerations();
    if (tolerations == null) return false;
    for (Toleration t : tolerations) if (tolerates(t, taint)) return true;
    return false;
  }

  static boolean tolerates(Toleration t, Taint taint) {
    if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) return false;
    String key = t.getKey() == null ? "" : t.getKey();
    if (!key.isEmpty() && !key.equals(taint.getKey())) return false;
    String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
    if (op.equals("Exists")) return true;
    if (key.isEmpty()) return false; // an empty key requires Exists
    String value = t.getValue() == null ? "" : t.getValue();
    String taintValue = taint.getValue() == null ? "" : taint.getValue();
    return op.equals("Equal") && value.equals(taintValue);
  }
}
