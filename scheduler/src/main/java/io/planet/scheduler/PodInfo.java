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
    this.controllerUid = NodeInfo.controllerUid(pod);
    this.requiredAntiAffinity = Pods.hasRequiredAntiAffinity(pod);
  }

  public Pod pod() {
    return pod;
  }

  public String key() {
    return key;
  }
}
