package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * What the scheduler derives from a pod once (upstream's framework.PodInfo): its effective requests, host ports and
 * controller, so that placing it on a node, and checking it against a thousand nodes, parse nothing again.
 */
public final class PodInfo {
  final Pod pod;
  final String key;
  final Resources requests;
  final Resources nonZeroRequests;
  /** Host ports as "protocol/hostIP/port". */
  final List<String> hostPorts;
  final String controllerUid;
  final boolean requiredAntiAffinity;

  public PodInfo(Pod pod) {
    this.pod = pod;
    this.key = Pods.key(pod);
    this.requests = Resources.requests(pod);
    this.nonZeroRequests = Resources.nonZeroRequests(pod);
    this.hostPorts = NodeInfo.hostPorts(pod);
    String owner = NodeInfo.controllerUid(pod);
    // one String per controller: the spreading score's per-node lookups then compare by identity
    this.controllerUid = owner == null ? null : owner.intern();
    this.requiredAntiAffinity = Pods.hasRequiredAntiAffinity(pod);
  }

  public Pod pod() {
    return pod;
  }

  public String key() {
    return key;
  }
}
