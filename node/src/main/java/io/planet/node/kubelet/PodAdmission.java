package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's pod admission, as upstream's HandlePodAdditions/canAdmitPod/rejectPod: each pod new to this node is
 * checked ({@link GeneralPredicates}) against the node as it is now and the pods admitted before it that are still
 * active, in the order the pods were created; a rejected pod is never run, its status becomes phase Failed with the
 * rejection's reason and "Pod was rejected: " and its message. Pods this node already runs (adopted after an agent
 * restart, or started by an earlier agent) are admitted without checks: a restart never rejects a running pod.
 *
 * <p>Upstream differences kept simple: a critical pod (priority at least 2000000000) that does not fit is rejected as
 * any other, where upstream's kubelet would first try to evict lower-priority pods for it; static pods (mirror or
 * non-api source annotation) skip the NoExecute taint check, as upstream.
 */
final class PodAdmission {
  private static final Logger log = LoggerFactory.getLogger(PodAdmission.class);

  /** Upstream's order for a batch of additions: by creation time (then name, to be stable). */
  static final Comparator<Pod> CREATION_ORDER = Comparator
      .comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
      .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());

  /** Pods already started come first (they are never rejected and count against the others), then by creation. */
  static final Comparator<Pod> ADDITION_ORDER = Comparator.comparing((Pod p) -> !started(p)).thenComparing(CREATION_ORDER);

  private final Supplier<Node> node;
  /** The admitted pods still active here (not finished, not yet removed), by UID. */
  private final Map<String, Pod> active = new LinkedHashMap<>();

  /** The sysctls pods may set here: upstream's safe set and the node's --allowed-unsafe-sysctls. */
  private Sysctls sysctls = Sysctls.allowing(List.of());

  PodAdmission(Supplier<Node> node) {
    this.node = node;
  }

  /** Upstream's --allowed-unsafe-sysctls (names, or prefixes ending in *); a pattern not namespaced is refused. */
  synchronized void allowUnsafeSysctls(List<String> patterns) {
    sysctls = Sysctls.allowing(patterns);
  }

  /** Null when {@code pod} may run here (it then counts against the next pods), else why not. */
  synchronized GeneralPredicates.Rejection admit(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (active.containsKey(uid) || started(pod)) {
      active.put(uid, pod);
      return null;
    }
    // upstream's sysctl admit handler runs before the predicates
    GeneralPredicates.Rejection forbidden = sysctls.admit(pod);
    if (forbidden != null) return forbidden;
    Node n;
    try {
      n = node.get();
    } catch (RuntimeException e) {
      log.warn("admitting pod {}/{}: cannot get the node: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
          e.toString());
      n = null;
    }
    if (n == null) return new GeneralPredicates.Rejection("InvalidNodeInfo", "Kubelet cannot get node info.");
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod, n, new ArrayList<>(active.values()));
    if (r == null) active.put(uid, pod);
    return r;
  }

  /** A pod that was started before (by this agent or an earlier one): admitted once, it stays admitted. */
  static boolean started(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getStartTime() != null && !terminal(pod);
  }

  private static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** A pod this node already runs (adopted after an agent restart): counted, never checked. */
  synchronized void admitted(Pod pod) {
    active.put(pod.getMetadata().getUid(), pod);
  }

  /** The latest version of an admitted pod (its requests and ports count as they are now). */
  synchronized void update(Pod pod) {
    active.computeIfPresent(pod.getMetadata().getUid(), (k, v) -> pod);
  }

  /** The pod finished or is gone: what it requested is free again. */
  synchronized void forget(String uid) {
    active.remove(uid);
  }

  /** As upstream's rejectPod: phase Failed, the reason, "Pod was rejected: " and the message; the pod never runs. */
  static void reject(KubernetesClient client, Pod pod, GeneralPredicates.Rejection r) {
    log.info("pod {}/{} rejected: {}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), r.reason(),
        r.message());
    try {
      Conflicts.retry(() -> client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .editStatus(p -> {
            if (!pod.getMetadata().getUid().equals(p.getMetadata().getUid())) return p;
            p.setStatus(rejectedStatus(p, r, Instant.now()));
            return p;
          }));
    } catch (KubernetesClientException e) {
      // gone already (404), or the API server failed us: the pod stays unrun either way
      if (e.getCode() != 404) log.warn("posting the rejection of pod {}/{}: {}", pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(), e.toString());
    }
  }

  /**
   * The status upstream's status manager writes for a rejected pod: phase, reason, message, its QoS class, a start
   * time, and the conditions the kubelet does not own (PodScheduled, DisruptionTarget, readiness gates' own) kept.
   */
  static PodStatus rejectedStatus(Pod pod, GeneralPredicates.Rejection r, Instant now) {
    PodStatus old = pod.getStatus();
    PodStatus s = new PodStatus();
    s.setPhase("Failed");
    s.setReason(r.reason());
    s.setMessage("Pod was rejected: " + r.message());
    s.setQosClass(old == null ? null : old.getQosClass());
    s.setStartTime(old != null && old.getStartTime() != null ? old.getStartTime()
        : PodWorkers.time(now.truncatedTo(ChronoUnit.SECONDS)));
    List<PodCondition> kept = new ArrayList<>();
    if (old != null && old.getConditions() != null) {
      for (PodCondition c : old.getConditions()) {
        if (!List.of("Ready", "ContainersReady", "Initialized", "PodReadyToStartContainers").contains(c.getType())) kept.add(c);
      }
    }
    s.setConditions(kept);
    return s;
  }
}
