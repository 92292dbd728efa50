package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.planet.client.events.EventRecorder;
import java.time.Duration;
import java.util.List;

/**
 * What the kubelet tells in core/v1 Events, with upstream's involved objects: a container's events name its pod with
 * the fieldPath {@code spec.containers{name}} ({@code spec.initContainers{..}}, {@code spec.ephemeralContainers{..}}),
 * a pod's events the pod, a node's events the Node with its name as uid. Reasons and messages are upstream's
 * (pkg/kubelet/events and where the kubelet emits them); recording goes through the shared {@link EventRecorder}, so
 * repeats aggregate and a slow API server never holds up a pod sync. Without a recorder (unit tests) nothing is sent.
 */
final class KubeletEvents {
  static final String NORMAL = "Normal";
  static final String WARNING = "Warning";

  private final EventRecorder recorder;
  private final String nodeName;

  KubeletEvents(EventRecorder recorder, String nodeName) {
    this.recorder = recorder;
    this.nodeName = nodeName;
  }

  /** An event about one container of a pod. */
  void container(Pod pod, String container, String type, String reason, String message) {
    if (recorder == null) return;
    ObjectReference ref = new ObjectReferenceBuilder(EventRecorder.reference(pod))
        .withFieldPath(fieldPath(pod, container)).build();
    recorder.event(ref, type, reason, message);
  }

  /** An event about a pod as a whole (its sandbox, its volumes). */
  void pod(Pod pod, String type, String reason, String message) {
    if (recorder == null) return;
    recorder.event(EventRecorder.reference(pod), type, reason, message);
  }

  /** An event about this node: upstream's node reference has kind Node, the node's name as name and uid, no apiVersion. */
  void node(String type, String reason, String message) {
    if (recorder == null) return;
    recorder.event(new ObjectReferenceBuilder().withKind("Node").withName(nodeName).withUid(nodeName).build(), type,
        reason, message);
  }

  /** A node condition's new status, as upstream's recordNodeStatusEvent words it. */
  void nodeStatus(String event) {
    node(NORMAL, event, "Node " + nodeName + " status is now: " + event);
  }

  /** Where a container is in its pod's spec, as upstream's container references say it. */
  static String fieldPath(Pod pod, String container) {
    if (pod.getSpec() != null) {
      if (named(pod.getSpec().getInitContainers(), container)) return "spec.initContainers{" + container + "}";
      if (pod.getSpec().getEphemeralContainers() != null
          && pod.getSpec().getEphemeralContainers().stream().anyMatch(c -> container.equals(c.getName()))) {
        return "spec.ephemeralContainers{" + container + "}";
      }
    }
    return "spec.containers{" + container + "}";
  }

  private static boolean named(List<io.fabric8.kubernetes.api.model.Container> containers, String name) {
    return containers != null && containers.stream().anyMatch(c -> name.equals(c.getName()));
  }

  /** A pod as upstream's format.Pod prints it in messages: name_namespace(uid). */
  static String formatPod(Pod pod) {
    return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid() + ")";
  }

  /** A duration as Go prints a time.Duration truncated to milliseconds: 0s, 850ms, 1.5s, 2m3.25s, 1h0m0s. */
  static String goDuration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) return "0s";
    if (ms < 1000) return ms + "ms";
    StringBuilder out = new StringBuilder();
    long hours = ms / 3_600_000;
    long minutes = ms / 60_000 % 60;
    if (hours > 0) out.append(hours).append('h');
    if (hours > 0 || minutes > 0) out.append(minutes).append('m');
    long seconds = ms / 1000 % 60;
    long fraction = ms % 1000;
    out.append(seconds);
    if (fraction > 0) {
      String f = String.format("%03d", fraction).replaceAll("0+$", "");
      out.append('.').append(f);
    }
    return out.append('s').toString();
  }

  /** A string as Go's %q quotes it (the common cases: quotes, backslashes, newlines, tabs). */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(ch);
      }
    }
    return out.append('"').toString();
  }
}
