package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes PodScheduled=False (reason Unschedulable) through pods/status when it says something new. */
public final class PodConditions {
  private final KubernetesClient client;

  public PodConditions(KubernetesClient client) {
    this.client = client;
  }

  public void unschedulable(Pod pod, String message) {
    PodCondition current = podScheduled(pod);
    if (current != null && "False".equals(current.getStatus()) && "Unschedulable".equals(current.getReason())
        && message.equals(current.getMessage())) {
      return;
    }
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", "PodScheduled");
    condition.put("status", "False");
    condition.put("reason", "Unschedulable");
    condition.put("message", message);
    condition.put("lastProbeTime", null);
    condition.put("lastTransitionTime", current != null && "False".equals(current.getStatus())
        ? current.getLastTransitionTime() : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    String patch = client.getKubernetesSerialization().asJson(Map.of("status", Map.of("conditions", List.of(condition))));
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
  }

  static PodCondition podScheduled(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
    for (PodCondition c : pod.getStatus().getConditions()) if ("PodScheduled".equals(c.getType())) return c;
    return null;
  }
}
