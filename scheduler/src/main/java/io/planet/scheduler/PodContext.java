package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** What one scheduling cycle computes about its pod once, instead of once per node. */
public final class PodContext {
  final Pod pod;
  final Resources requests;
  final Resources nonZeroRequests;
  final List<String> hostPorts;
  final String controllerUid;
  /** Topology domains ("key=value") the pod may not join, filled by {@link InterPodAffinity#prepare}. */
  InterPodAffinity.Forbidden antiAffinity = InterPodAffinity.Forbidden.NONE;

  public PodContext(Pod pod) {
    this.pod = pod;
    this.requests = Resources.requests(pod);
    this.nonZeroRequests = Resources.nonZeroRequests(pod);
    this.hostPorts = NodeInfo.hostPorts(pod);
    this.controllerUid = NodeInfo.controllerUid(pod);
  }

  public Pod pod() {
    return pod;
  }
}
