package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;

/** Small facts about pods the scheduler asks often. */
final class Pods {
  static final String DEFAULT_SCHEDULER = "default-scheduler";

  private Pods() {}

  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  static String nodeName(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
  }

  static boolean isAssigned(Pod pod) {
    return !nodeName(pod).isEmpty();
  }

  /** Succeeded and Failed pods hold no resources on their node any more. */
  static boolean isTerminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /**
   * Whether this scheduler is responsible for the pod now: not yet on a node, ours by name, not being deleted, and no
   * scheduling gates left (removing the last gate is an update that queues it).
   */
  static boolean needsScheduling(Pod pod) {
    if (isAssigned(pod) || pod.getMetadata().getDeletionTimestamp() != null || isTerminal(pod)) return false;
    if (pod.getSpec() != null && pod.getSpec().getSchedulingGates() != null && !pod.getSpec().getSchedulingGates().isEmpty()) {
      return false;
    }
    String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
    return name == null || name.isEmpty() || name.equals(DEFAULT_SCHEDULER);
  }
}
