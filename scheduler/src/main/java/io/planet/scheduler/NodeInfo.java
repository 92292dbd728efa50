package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node and what is placed on it, kept up to date incrementally as pods come and go, so a scheduling cycle never
 * re-adds the pods of a node. What filters ask of the node object (labels, taints, unschedulable, allocatable) is
 * read out once per node update, so the per-node checks of a cycle touch only this object.
 */
public final class NodeInfo {
  private Node node;
  private String name;
  private Map<String, String> labels = Map.of();
  private boolean unschedulable;
  /** NoSchedule and NoExecute taints: the filter's. */
  private List<Taint> hardTaints = List.of();
  /** PreferNoSchedule taints: the score's. */
  private List<Taint> softTaints = List.of();
  private Resources allocatable = Resources.ZERO;
  private final Map<String, PodInfo> pods = new LinkedHashMap<>();
  private Resources requested = Resources.ZERO;
  private Resources nonZeroRequested = Resources.ZERO;
  /*
   * The same figures as plain fields, for the filter and score loops: reading them touches only this object, where the
   * records above are one more memory access each (it shows when a cycle visits hundreds of nodes).
   */
  long allocMilliCpu;
  long allocMemory;
  long allocEphemeralStorage;
  long allocPods;
  long reqMilliCpu;
  long reqMemory;
  long reqEphemeralStorage;
  long reqPods;
  long nonZeroMilliCpu;
  long nonZeroMemory;
  /** Host ports in use, as "protocol/hostIP/port". */
  private final Map<String, Integer> usedPorts = new HashMap<>();
  /** Pods on this node per controller uid, for spreading. */
  private final Map<String, Integer> controllerPods = new HashMap<>();
  /** Pods with pod affinity or anti-affinity terms, for the symmetric checks of other pods' cycles. */
  private final Map<String, PodInfo> podsWithAffinity = new LinkedHashMap<>();
  /** Bumped on every change, so a test (or a future copy-on-write snapshot) can tell a node changed. */
  private long generation;

  public NodeInfo(Node node) {
    setNode(node);
  }

  void setNode(Node node) {
    this.node = node;
    generation++;
    this.name = node == null ? null : node.getMetadata().getName();
    Map<String, String> l = node == null ? null : node.getMetadata().getLabels();
    this.labels = l == null ? Map.of() : l;
    this.unschedulable = node != null && node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    List<Taint> hard = new ArrayList<>();
    List<Taint> soft = new ArrayList<>();
    List<Taint> taints = node == null || node.getSpec() == null ? null : node.getSpec().getTaints();
    if (taints != null) {
      for (Taint t : taints) {
        if ("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) hard.add(t);
        else if ("PreferNoSchedule".equals(t.getEffect())) soft.add(t);
      }
    }
    this.hardTaints = hard.isEmpty() ? List.of() : hard;
    this.softTaints = soft.isEmpty() ? List.of() : soft;
    this.allocatable = node == null || node.getStatus() == null ? Resources.ZERO
        : Resources.of(node.getStatus().getAllocatable() != null && !node.getStatus().getAllocatable().isEmpty()
            ? node.getStatus().getAllocatable() : node.getStatus().getCapacity());
    allocMilliCpu = allocatable.milliCpu();
    allocMemory = allocatable.memory();
    allocEphemeralStorage = allocatable.ephemeralStorage();
    allocPods = allocatable.pods();
  }

  public Node node() {
    return node;
  }

  public String name() {
    return name;
  }

  /** The node's labels, never null. */
  public Map<String, String> labels() {
    return labels;
  }

  public boolean unschedulable() {
    return unschedulable;
  }

  List<Taint> hardTaints() {
    return hardTaints;
  }

  List<Taint> softTaints() {
    return softTaints;
  }

  public long generation() {
    return generation;
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

  public List<Pod> pods() {
    List<Pod> out = new ArrayList<>(pods.size());
    for (PodInfo p : pods.values()) out.add(p.pod);
    return out;
  }

  public int podCount() {
    return pods.size();
  }

  /** What the cache derived from each pod on the node. */
  Collection<PodInfo> podInfos() {
    return pods.values();
  }

  Collection<PodInfo> podsWithAffinity() {
    return podsWithAffinity.values();
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

  /** A copy to simulate on (a preemption removing pods, nominated pods added): same node, same pods. */
  NodeInfo copy() {
    NodeInfo c = new NodeInfo(node);
    for (PodInfo p : pods.values()) c.addPod(p);
    return c;
  }

  void addPod(Pod pod) {
    addPod(new PodInfo(pod));
  }

  /** Accounts a pod (replacing an earlier version of it) with what was derived from it once. */
  void addPod(PodInfo pod) {
    String key = pod.key;
    if (pods.containsKey(key)) removePod(key);
    pods.put(key, pod);
    generation++;
    requested = requested.plus(pod.requests);
    nonZeroRequested = nonZeroRequested.plus(pod.nonZeroRequests);
    copyRequested();
    for (String p : pod.hostPorts) usedPorts.merge(p, 1, Integer::sum);
    if (pod.controllerUid != null) controllerPods.merge(pod.controllerUid, 1, Integer::sum);
    if (pod.hasAffinity) podsWithAffinity.put(key, pod);
  }

  void removePod(String key) {
    PodInfo pod = pods.remove(key);
    if (pod == null) return;
    generation++;
    requested = requested.minus(pod.requests);
    nonZeroRequested = nonZeroRequested.minus(pod.nonZeroRequests);
    copyRequested();
    for (String p : pod.hostPorts) usedPorts.computeIfPresent(p, (k, n) -> n == 1 ? null : n - 1);
    if (pod.controllerUid != null) controllerPods.computeIfPresent(pod.controllerUid, (k, n) -> n == 1 ? null : n - 1);
    podsWithAffinity.remove(key);
  }

  private void copyRequested() {
    reqMilliCpu = requested.milliCpu();
    reqMemory = requested.memory();
    reqEphemeralStorage = requested.ephemeralStorage();
    reqPods = requested.pods();
    nonZeroMilliCpu = nonZeroRequested.milliCpu();
    nonZeroMemory = nonZeroRequested.memory();
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
