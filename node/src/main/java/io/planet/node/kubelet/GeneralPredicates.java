package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether a pod bound to this node may run here, as upstream's kubelet predicate admit handler decides before it
 * starts a pod: the pod's OS, then the scheduler's admission checks on the node's allocatable less what the pods
 * already admitted request (resources, required node affinity and nodeSelector, node name, host ports) and the node's
 * NoExecute taints (not for static pods). The first failure is the rejection, with upstream's reason and message.
 */
final class GeneralPredicates {
  /** Why a pod may not run here: a reason (OutOfcpu, NodeAffinity, ...) and a message, both as upstream writes them. */
  record Rejection(String reason, String message) {}

  static final String OS = "linux";
  static final String NODE_AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";
  static final String NODE_NAME_REASON = "node(s) didn't match the requested node name";
  static final String NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";
  static final String TAINTS_REASON = "node(s) had taints that the pod didn't tolerate";
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
  static final String SOURCE_ANNOTATION = "kubernetes.io/config.source";

  private GeneralPredicates() {}

  /** Null when {@code pod} fits on {@code node} beside {@code others} (the pods admitted before it and still active). */
  static Rejection check(Pod pod, Node node, Collection<Pod> others) {
    Map<String, String> podLabels = pod.getMetadata().getLabels();
    // upstream compares the pod's own kubernetes.io/os label (not its nodeSelector) with the kubelet's OS
    if (podLabels != null && podLabels.containsKey("kubernetes.io/os") && !OS.equals(podLabels.get("kubernetes.io/os"))) {
      return new Rejection("PodOSSelectorNodeLabelDoesNotMatch",
          "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label");
    }
    if (pod.getSpec().getOs() != null && !OS.equals(pod.getSpec().getOs().getName())) {
      return new Rejection("PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS");
    }
    Rejection r = resources(pod, node, others);
    if (r != null) return r;
    if (!nodeAffinity(pod, node)) return predicate("NodeAffinity", NODE_AFFINITY_REASON);
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName != null && !nodeName.isEmpty() && !nodeName.equals(node.getMetadata().getName())) {
      return predicate("NodeName", NODE_NAME_REASON);
    }
    if (portsInUse(pod, others)) return predicate("NodePorts", NODE_PORTS_REASON);
    if (!staticPod(pod) && untoleratedNoExecute(pod, node)) return predicate("TaintToleration", TAINTS_REASON);
    return null;
  }

  private static Rejection predicate(String name, String reason) {
    return new Rejection(name, "Predicate " + name + " failed: " + reason);
  }

  /**
   * Upstream's noderesources.Fits: the pod count first, then cpu, memory, ephemeral-storage and scalar resources
   * (by name) that the pod requests more of than is left. Extended resources the node does not know at all are not
   * counted (they may be cluster-level ones).
   */
  static Rejection resources(Pod pod, Node node, Collection<Pod> others) {
    Map<String, Long> allocatable = PodRequests.of(node.getStatus() == null ? null : node.getStatus().getAllocatable());
    Map<String, Long> used = PodRequests.used(others);
    long allowedPods = allocatable.getOrDefault(PodRequests.PODS, 0L);
    if (others.size() + 1 > allowedPods) return insufficient(PodRequests.PODS, 1, others.size(), allowedPods);
    Map<String, Long> wanted = new TreeMap<>(PodRequests.of(pod));
    wanted.keySet().removeIf(n -> PodRequests.extended(n) && !allocatable.containsKey(n));
    wanted.values().removeIf(v -> v == 0);
    for (String name : List.of(PodRequests.CPU, PodRequests.MEMORY, PodRequests.EPHEMERAL_STORAGE)) {
      Rejection r = fits(name, wanted, allocatable, used);
      if (r != null) return r;
    }
    for (String name : wanted.keySet()) {
      if (!PodRequests.scalar(name)) continue;
      Rejection r = fits(name, wanted, allocatable, used);
      if (r != null) return r;
    }
    return null;
  }

  private static Rejection fits(String name, Map<String, Long> wanted, Map<String, Long> allocatable, Map<String, Long> used) {
    long want = wanted.getOrDefault(name, 0L);
    long have = allocatable.getOrDefault(name, 0L);
    long inUse = used.getOrDefault(name, 0L);
    return want > 0 && want > have - inUse ? insufficient(name, want, inUse, have) : null;
  }

  private static Rejection insufficient(String name, long requested, long used, long capacity) {
    return new Rejection("OutOf" + name, "Node didn't have enough resource: " + name + ", requested: " + requested
        + ", used: " + used + ", capacity: " + capacity);
  }

  /** The pod's nodeSelector and its required node affinity (terms ORed; each term's requirements ANDed). */
  static boolean nodeAffinity(Pod pod, Node node) {
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null) {
      for (Map.Entry<String, String> e : selector.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) return false;
      }
    }
    var affinity = pod.getSpec().getAffinity();
    NodeSelector required = affinity == null || affinity.getNodeAffinity() == null ? null
        : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null) return true;
    for (NodeSelectorTerm term : list(required.getNodeSelectorTerms())) {
      if (matches(term, labels, node.getMetadata().getName())) return true;
    }
    return false;
  }

  /** A term with no requirement matches nothing; matchFields know metadata.name only. */
  private static boolean matches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
    return io.planet.client.scheduling.NodeSelectorTerms.matches(term, labels, nodeName);
  }



  /** A host port as upstream keys it: IP (0.0.0.0 when unset), protocol (TCP when unset), port. */
  record HostPort(String ip, String protocol, int port) {
    boolean conflicts(HostPort o) {
      if (port != o.port || !protocol.equals(o.protocol)) return false;
      return ip.equals(o.ip) || ip.equals(ANY) || o.ip.equals(ANY);
    }
  }

  static final String ANY = "0.0.0.0";

  static List<HostPort> hostPorts(Pod pod) {
    List<HostPort> out = new ArrayList<>();
    List<Container> containers = new ArrayList<>(list(pod.getSpec().getContainers()));
    // restartable (sidecar) init containers run for the pod's whole life, so their host ports count too
    for (Container c : list(pod.getSpec().getInitContainers())) if ("Always".equals(c.getRestartPolicy())) containers.add(c);
    for (Container c : containers) {
      for (ContainerPort p : list(c.getPorts())) {
        if (p.getHostPort() == null || p.getHostPort() <= 0) continue;
        String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? ANY : p.getHostIP();
        String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
        out.add(new HostPort(ip, protocol, p.getHostPort()));
      }
    }
    return out;
  }

  static boolean portsInUse(Pod pod, Collection<Pod> others) {
    List<HostPort> wanted = hostPorts(pod);
    if (wanted.isEmpty()) return false;
    for (Pod o : others) {
      for (HostPort used : hostPorts(o)) {
        for (HostPort w : wanted) if (w.conflicts(used)) return true;
      }
    }
    return false;
  }

  /** Upstream's kubetypes.IsStaticPod: a pod from a file or URL source; here, one carrying a mirror or non-api source. */
  static boolean staticPod(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    if (a == null) return false;
    String source = a.get(SOURCE_ANNOTATION);
    return a.containsKey(MIRROR_ANNOTATION) || source != null && !source.equals("api");
  }

  /** The kubelet looks at NoExecute taints only (NoSchedule ones are the scheduler's business). */
  static boolean untoleratedNoExecute(Pod pod, Node node) {
    if (node.getSpec() == null) return false;
    for (Taint t : list(node.getSpec().getTaints())) {
      if (!"NoExecute".equals(t.getEffect())) continue;
      if (!io.planet.client.scheduling.Tolerations.tolerate(pod.getSpec().getTolerations(), t)) return true;
    }
    return false;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
