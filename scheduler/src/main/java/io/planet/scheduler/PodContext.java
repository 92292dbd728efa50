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
  /** Topology domains ("key=value") the pod may not join, filled by {@link InterPodAffinity#prepare}. */
  InterPodAffinity.Forbidden antiAffinity = InterPodAffinity.Forbidden.NONE;

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
