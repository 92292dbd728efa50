package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** setCondition: replaces a condition of the type, keeping lastTransitionTime while the status stays the same. */
final class HpaConditions {
  private HpaConditions() {}

  static void set(HorizontalPodAutoscaler hpa, String type, String status, String reason, String message, Instant now) {
    HorizontalPodAutoscalerStatus st = hpa.getStatus();
    if (st == null) {
      st = new HorizontalPodAutoscalerStatus();
      hpa.setStatus(st);
    }
    List<HorizontalPodAutoscalerCondition> list = st.getConditions() == null ? new ArrayList<>()
        : new ArrayList<>(st.getConditions());
    HorizontalPodAutoscalerCondition existing = list.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElse(null);
    String transition = existing != null && status.equals(existing.getStatus()) && existing.getLastTransitionTime() != null
        ? existing.getLastTransitionTime() : now.truncatedTo(ChronoUnit.SECONDS).toString();
    HorizontalPodAutoscalerCondition c = new HorizontalPodAutoscalerCondition(transition, message, reason, status, type);
    if (existing != null) list.set(list.indexOf(existing), c);
    else list.add(c);
    st.setConditions(list);
  }

  static HorizontalPodAutoscalerCondition get(HorizontalPodAutoscaler hpa, String type) {
    if (hpa.getStatus() == null || hpa.getStatus().getConditions() == null) return null;
    return hpa.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }
}
