package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;

/** The pod state controllers look at: active, ready, available (upstream's podutil). */
final class PodStatus {
  private PodStatus() {}

  /** Not finished and not being deleted. */
  static boolean active(Pod p) {
    String phase = phase(p);
    return !"Succeeded".equals(phase) && !"Failed".equals(phase) && p.getMetadata().getDeletionTimestamp() == null;
  }

  static String phase(Pod p) {
    return p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase();
  }

  static boolean ready(Pod p) {
    PodCondition c = readyCondition(p);
    return c != null && "True".equals(c.getStatus());
  }

  /** When the pod became ready, or null. */
  static Instant readySince(Pod p) {
    PodCondition c = readyCondition(p);
    if (c == null || !"True".equals(c.getStatus()) || c.getLastTransitionTime() == null) return null;
    return Instant.parse(c.getLastTransitionTime());
  }

  /** Ready for at least minReadySeconds. */
  static boolean available(Pod p, int minReadySeconds) {
    if (!ready(p)) return false;
    if (minReadySeconds <= 0) return true;
    Instant since = readySince(p);
    return since != null && !since.plusSeconds(minReadySeconds).isAfter(Instant.now());
  }

  private static PodCondition readyCondition(Pod p) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) return null;
    return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
  }
}
