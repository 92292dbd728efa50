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

/**
 * Writes PodScheduled=False (reason Unschedulable, with the nominated node after a preemption) and a preemption
 * victim's DisruptionTarget condition through pods/status.
 */
public final class PodConditions {
  private final KubernetesClient client;

  public PodConditions(KubernetesClient client) {
    this.client = client;
  }

  public void unschedulable(Pod pod, String message) {
    unschedulable(pod, message, null);
  }

  /**
   * As {@link #unschedulable(Pod, String)}, also setting status.nominatedNodeName when a preemption made room ("" clears
   * it; null leaves it alone).
   */
  public void unschedulable(Pod pod, String message, String nominatedNode) {
    PodCondition current = podScheduled(pod);
    if (current != null && "False".equals(current.getStatus()) && "Unschedulable".equals(current.getReason())
        && message.equals(current.getMessage()) && nominatedNode == null) {
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
    Map<String, Object> status = new LinkedHashMap<>();
    if (nominatedNode != null && !nominatedNode.isEmpty()) status.put("nominatedNodeName", nominatedNode);
    status.put("conditions", List.of(condition));
    patchStatus(pod, status);
    if ("".equals(nominatedNode)) clearNomination(pod);
  }

  /** Withdraws a pending pod's status.nominatedNodeName (a preemptor of higher priority took the node). */
  public void clearNomination(Pod pod) {
    patch(pod, "{\"status\":{\"nominatedNodeName\":null}}");
  }

  /** Marks a victim as upstream does before deleting it: DisruptionTarget=True, reason PreemptionByScheduler. */
  public void preempted(Pod victim) {
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", "DisruptionTarget");
    condition.put("status", "True");
    condition.put("reason", "PreemptionByScheduler");
    condition.put("message", Pods.DEFAULT_SCHEDULER + ": preempting to accommodate a higher priority pod");
    condition.put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    patchStatus(victim, Map.of("conditions", List.of(condition)));
  }

  private void patchStatus(Pod pod, Map<String, Object> status) {
    patch(pod, client.getKubernetesSerialization().asJson(Map.of("status", status)));
  }

  private void patch(Pod pod, String patch) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
  }

  static PodCondition podScheduled(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
    for (PodCondition c : pod.getStatus().getConditions()) if ("PodScheduled".equals(c.getType())) return c;
    return null;
  }
}
