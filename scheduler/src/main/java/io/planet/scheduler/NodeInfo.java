package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node and what is placed on it, kept up to date incrementally as pods come and go, so a scheduling cycle never
 * re-adds the pods of a node.
 */
public final class NodeInfo {
  private Node node;
  private Resources allocatable = Resources.ZERO;
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private Resources requested = Resources.ZERO;
  private Resources nonZeroRequested = Resources.ZERO;
  /** Host ports in use, as "protocol/hostIP/port". */
  private final Map<String, Integer> usedPorts = new HashMap<>();
  /** Pods on this node per controller uid, for spreading. */
  private final Map<String, Integer> controllerPods = new HashMap<>();
  private final Map<String, Pod> podsWithRequiredAntiAffinity = new LinkedHashMap<>();

  public NodeInfo(Node node) {
    setNode(node);
  }

  void setNode(Node node) {
    this.node = node;
    this.allocatable = node == null || node.getStatus() == null ? Resources.ZERO
        : Resources.of(node.getStatus().getAllocatable() != null && !node.getStatus().getAllocatable().isEmpty()
            ? node.getStatus().getAllocatable() : node.getStatus().getCapacity());
  }

  public Node node() {
    return node;
  }

  public String name() {
    return node.getMetadata().getName();
  }

  public Resources allocatable() {
    return allocatable;
  }

  public Resources requested() {
    return requested;
  }

  public Resources nonZeroRequested() {
    return nonZeroRequested;
  }

  public Collection<Pod> pods() {
    return pods.values();
  }

  public Collection<Pod> podsWithRequiredAntiAffinity() {
    return podsWithRequiredAntiAffinity.values();
  }

  public boolean portInUse(String protocol, String hostIp, int port) {
    if (usedPorts.containsKey(protocol + "/" + hostIp + "/" + port)) return true;
    // 0.0.0.0 conflicts with every address, and every address conflicts with 0.0.0.0
    if (hostIp.equals("0.0.0.0")) {
      String suffix = "/" + port;
      String prefix = protocol + "/";
      for (String k : usedPorts.keySet()) if (k.startsWith(prefix) && k.endsWith(suffix)) return true;
      return false;
    }
    return usedPorts.containsKey(protocol + "/0.0.0.0/" + port);
  }

  public int podsOfController(String controllerUid) {
    return controllerPods.getOrDefault(controllerUid, 0);
  }

  void addPod(Pod pod) {
    String key = Pods.key(pod);
    if (pods.containsKey(key)) removePod(key);
    pods.put(key, pod);
    requested = requested.plus(Resources.requests(pod));
    nonZeroRequested = nonZeroRequested.plus(Resources.nonZeroRequests(pod));
    for (String p : hostPorts(pod)) usedPorts.merge(p, 1, Integer::sum);
    String owner = controllerUid(pod);
    if (owner != null) controllerPods.merge(owner, 1, Integer::sum);
    if (Pods.hasRequiredAntiAffinity(pod)) podsWithRequiredAntiAffinity.put(key, pod);
  }

  void removePod(String key) {
    Pod pod = pods.remove(key);
    if (pod == null) return;
    requested = requested.minus(Resources.requests(pod));
    nonZeroRequested = nonZeroRequested.minus(Resources.nonZeroRequests(pod));
    for (String p : hostPorts(pod)) usedPorts.computeIfPresent(p, (k, n) -> n == 1 ? null : n - 1);
    String owner = controllerUid(pod);
    if (owner != null) controllerPods.computeIfPresent(owner, (k, n) -> n == 1 ? null : n - 1);
    podsWithRequiredAntiAffinity.remove(key);
  }

  boolean isEmpty() {
    return pods.isEmpty();
  }

  /** The host ports a pod asks for, as "protocol/hostIP/port" (hostIP defaults to 0.0.0.0, protocol to TCP). */
  static List<String> hostPorts(Pod pod) {
    List<String> out = new ArrayList<>();
    if (pod.getSpec() == null) return out;
    List<Container> all = new ArrayList<>();
    if (pod.getSpec().getContainers() != null) all.addAll(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) if ("Always".equals(c.getRestartPolicy())) all.add(c);
    }
    for (Container c : all) {
      if (c.getPorts() == null) continue;
      for (ContainerPort p : c.getPorts()) {
        if (p.getHostPort() == null || p.getHostPort() <= 0) continue;
        String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? "0.0.0.0" : p.getHostIP();
        String proto = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
        out.add(proto + "/" + ip + "/" + p.getHostPort());
      }
    }
    return out;
  }

  /** The uid of the pod's controlling owner (a ReplicaSet, StatefulSet, Job...), or null. */
  static String controllerUid(Pod pod) {
    if (pod.getMetadata().getOwnerReferences() == null) return null;
    for (OwnerReference r : pod.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(r.getController())) return r.getUid();
    }
    return null;
  }
}
