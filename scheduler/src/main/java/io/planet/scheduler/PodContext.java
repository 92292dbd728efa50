package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** What one scheduling cycle computes about its pod once, instead of once per node (upstream's CycleState). */
public final class PodContext {
  final PodInfo info;
  final Pod pod;
  final Resources requests;
  final Resources nonZeroRequests;
  final List<String> hostPorts;
  final String controllerUid;
  /** The cluster as this cycle sees it, set by {@link ScheduleAlgorithm#schedule}. */
  ClusterCache.Snapshot snapshot;
  /** What {@link InterPodAffinity#prepare} found about the pod's (and existing pods') affinity terms. */
  InterPodAffinity.State affinity = InterPodAffinity.State.NONE;
  /** What {@link PodTopologySpread#prepare} counted for the pod's DoNotSchedule constraints. */
  PodTopologySpread.State spread = PodTopologySpread.State.NONE;

  public PodContext(Pod pod) {
    this(new PodInfo(pod));
  }

  public PodContext(PodInfo info) {
    this.info = info;
    this.pod = info.pod;
    this.requests = info.requests;
    this.nonZeroRequests = info.nonZeroRequests;
    this.hostPorts = info.hostPorts;
    this.controllerUid = info.controllerUid;
  }

  public Pod pod() {
    return pod;
  }

  public PodInfo info() {
    return info;
  }
}
