package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels the agent puts on its sandboxes and containers in the runtime, with upstream's keys where it has them
 * (io.kubernetes.pod.*, io.kubernetes.container.*): what a restarted agent needs to tell whose they are and to carry
 * on the container's status (restart count, start time, image).
 */
public final class RuntimeLabels {
  public static final String POD_UID = "io.kubernetes.pod.uid";
  public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  public static final String POD_NAME = "io.kubernetes.pod.name";
  /** The pod's terminationGracePeriodSeconds, so that a node shutdown without the API server still honours it. */
  public static final String POD_TERMINATION_GRACE_PERIOD = "io.kubernetes.pod.terminationGracePeriod";
  static final String CONTAINER_NAME = "io.kubernetes.container.name";
  static final String RESTART_COUNT = "io.kubernetes.container.restartCount";
  static final String STARTED_AT = "planet.io/started-at";
  static final String IMAGE_ID = "planet.io/image-id";

  private RuntimeLabels() {}

  static Map<String, String> pod(Pod pod) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(POD_UID, pod.getMetadata().getUid());
    out.put(POD_NAMESPACE, pod.getMetadata().getNamespace());
    out.put(POD_NAME, pod.getMetadata().getName());
    if (pod.getSpec() != null && pod.getSpec().getTerminationGracePeriodSeconds() != null) {
      out.put(POD_TERMINATION_GRACE_PERIOD, pod.getSpec().getTerminationGracePeriodSeconds().toString());
    }
    return out;
  }

  static Map<String, String> container(Pod pod, String name, int restartCount, Instant startedAt, String imageId) {
    Map<String, String> out = pod(pod);
    out.put(CONTAINER_NAME, name);
    out.put(RESTART_COUNT, Integer.toString(restartCount));
    out.put(STARTED_AT, startedAt.toString());
    out.put(IMAGE_ID, imageId);
    return out;
  }

  static int restartCount(Map<String, String> labels) {
    try {
      return Integer.parseInt(labels.getOrDefault(RESTART_COUNT, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static Instant startedAt(Map<String, String> labels) {
    String at = labels.get(STARTED_AT);
    return at == null ? null : Instant.parse(at);
  }

  /** The little of a pod its labels tell (uid, namespace, name): enough to tear down what it had on the node. */
  static Pod stub(Map<String, String> labels, String uid) {
    return new PodBuilder().withNewMetadata().withUid(uid).withNamespace(labels.getOrDefault(POD_NAMESPACE, ""))
        .withName(labels.getOrDefault(POD_NAME, "")).endMetadata().withNewSpec().endSpec().build();
  }
}
