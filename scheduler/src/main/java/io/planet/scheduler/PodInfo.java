package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinity;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler derives from a pod once (upstream's framework.PodInfo): its effective requests, host ports,
 * controller, affinity terms and spread constraints, so that placing it on a node, and checking it against a thousand
 * nodes, parse nothing again.
 */
public final class PodInfo {
  final Pod pod;
  final String key;
  final String namespace;
  /** The pod's labels, never null. */
  final Map<String, String> labels;
  final boolean terminating;
  /** Terminating because a preemption chose it (DisruptionTarget=True, reason PreemptionByScheduler). */
  final boolean terminatingByPreemption;
  final Resources requests;
  final Resources nonZeroRequests;
  /** Host ports as "protocol/hostIP/port". */
  final List<String> hostPorts;
  final String controllerUid;
  /** spec.priority (set by admission), 0 when absent. */
  final int priority;
  /** spec.preemptionPolicy Never: the pod waits rather than evicting others. */
  final boolean neverPreempts;
  /** status.nominatedNodeName: where a preemption made room for the pod, "" when none. */
  final String nominatedNodeName;
  /** status.startTime, for ordering victims (later started is less important); "" when absent. */
  final String startTime;
  final List<AffinityTerm> requiredAffinity;
  final List<AffinityTerm> requiredAntiAffinity;
  final List<AffinityTerm> preferredAffinity;
  final List<AffinityTerm> preferredAntiAffinity;
  /** Any pod affinity or anti-affinity term: such pods are visited by the symmetric checks of other pods' cycles. */
  final boolean hasAffinity;
  final List<SpreadConstraint> hardSpread;
  /** ScheduleAnyway constraints, or the system defaults when the pod has no constraints. */
  final List<SpreadConstraint> softSpread;

  public PodInfo(Pod pod) {
    this.pod = pod;
    this.key = Pods.key(pod);
    this.namespace = pod.getMetadata().getNamespace();
    Map<String, String> l = pod.getMetadata().getLabels();
    this.labels = l == null ? Map.of() : l;
    this.terminating = pod.getMetadata().getDeletionTimestamp() != null;
    this.terminatingByPreemption = terminating && preemptedByScheduler(pod);
    this.requests = Resources.requests(pod);
    this.nonZeroRequests = Resources.nonZeroRequests(pod);
    this.hostPorts = NodeInfo.hostPorts(pod);
    String owner = NodeInfo.controllerUid(pod);
    // one String per controller: the spreading score's per-node lookups then compare by identity
    this.controllerUid = owner == null ? null : owner.intern();
    Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
    this.priority = p == null ? 0 : p;
    this.neverPreempts = pod.getSpec() != null && "Never".equals(pod.getSpec().getPreemptionPolicy());
    String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    this.nominatedNodeName = nominated == null ? "" : nominated;
    String started = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
    this.startTime = started == null ? "" : started;
    Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
    PodAffinity pa = a == null ? null : a.getPodAffinity();
    PodAntiAffinity anti = a == null ? null : a.getPodAntiAffinity();
    this.requiredAffinity = pa == null ? List.of() : AffinityTerm.of(pod, pa.getRequiredDuringSchedulingIgnoredDuringExecution());
    this.preferredAffinity = pa == null ? List.of()
        : AffinityTerm.weighted(pod, pa.getPreferredDuringSchedulingIgnoredDuringExecution());
    this.requiredAntiAffinity = anti == null ? List.of()
        : AffinityTerm.of(pod, anti.getRequiredDuringSchedulingIgnoredDuringExecution());
    this.preferredAntiAffinity = anti == null ? List.of()
        : AffinityTerm.weighted(pod, anti.getPreferredDuringSchedulingIgnoredDuringExecution());
    this.hasAffinity = !requiredAffinity.isEmpty() || !preferredAffinity.isEmpty() || !requiredAntiAffinity.isEmpty()
        || !preferredAntiAffinity.isEmpty();
    this.hardSpread = SpreadConstraint.of(pod, "DoNotSchedule");
    List<SpreadConstraint> soft = SpreadConstraint.of(pod, "ScheduleAnyway");
    this.softSpread = soft.isEmpty() ? SpreadConstraint.systemDefaults(pod) : soft;
  }

  private static boolean preemptedByScheduler(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return false;
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("DisruptionTarget".equals(c.getType())) {
        return "True".equals(c.getStatus()) && "PreemptionByScheduler".equals(c.getReason());
      }
    }
    return false;
  }

  public Pod pod() {
    return pod;
  }

  public String key() {
    return key;
  }
}
