package io.planet.controllers;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pods a scale-down deletes first (upstream's ActivePodsWithRanks): unscheduled before scheduled, pending
 * before unknown before running, not ready before ready, lower pod-deletion-cost first, pods doubled up on a node
 * first, ready more recently first, more restarts first, newer first.
 */
final class PodRanking {
  static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

  private PodRanking() {}

  static List<Pod> toDelete(List<Pod> pods, int n) {
    Map<String, Integer> perNode = new HashMap<>();
    for (Pod p : pods) perNode.merge(node(p), 1, Integer::sum);
    List<Pod> sorted = new ArrayList<>(pods);
    Comparator<Pod> order = Comparator
        .comparing((Pod p) -> !node(p).isEmpty())
        .thenComparingInt(PodRanking::phaseOrdinal)
        .thenComparing(PodStatus::ready)
        .thenComparingLong(PodRanking::deletionCost)
        .thenComparing((Pod p) -> node(p).isEmpty() ? 0 : perNode.get(node(p)), Comparator.reverseOrder())
        .thenComparing(PodRanking::readySince, Comparator.nullsFirst(Comparator.reverseOrder()))
        .thenComparing(PodRanking::restarts, Comparator.reverseOrder())
        .thenComparing(PodRanking::created, Comparator.nullsFirst(Comparator.reverseOrder()));
    sorted.sort(order);
    return sorted.subList(0, Math.min(n, sorted.size()));
  }

  private static String node(Pod p) {
    return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
  }

  private static int phaseOrdinal(Pod p) {
    return switch (PodStatus.phase(p)) {
      case "Pending", "" -> 0;
      case "Unknown" -> 1;
      case "Running" -> 2;
      default -> 3;
    };
  }

  private static long deletionCost(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    if (a == null || !a.containsKey(DELETION_COST)) return 0;
    try {
      return Long.parseLong(a.get(DELETION_COST));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Instant readySince(Pod p) {
    return PodStatus.readySince(p);
  }

  private static int restarts(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return 0;
    int max = 0;
    for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
      max = Math.max(max, c.getRestartCount() == null ? 0 : c.getRestartCount());
    }
    return max;
  }

  private static Instant created(Pod p) {
    String ts = p.getMetadata().getCreationTimestamp();
    return ts == null ? null : Instant.parse(ts);
  }
}
