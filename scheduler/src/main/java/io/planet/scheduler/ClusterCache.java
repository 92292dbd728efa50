package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The scheduler's view of nodes and the pods placed on them, fed by the informers. A pod the scheduler has just chosen a
 * node for is "assumed" there at once, so the next pods see its resources before the API confirms the binding; the
 * informer's update with spec.nodeName set confirms it.
 */
public final class ClusterCache {
  private final Map<String, NodeInfo> nodes = new HashMap<>();
  /** Live nodes in a stable order, for round-robin filtering by index. */
  private final List<NodeInfo> nodeOrder = new ArrayList<>();
  /** Where each accounted pod sits, by namespace/name. */
  private final Map<String, String> podNodes = new HashMap<>();
  private final Set<String> assumed = new HashSet<>();
  /** Nodes holding pods with pod (anti-)affinity terms: the only ones the symmetric checks must visit. */
  private final Set<String> affinityNodes = new HashSet<>();
  /** Pending pods nominated to a node by a preemption, by pod key; the room they were promised is kept for them. */
  private final Map<String, Nominated> nominated = new HashMap<>();
  private final Map<String, List<PodInfo>> nominatedByNode = new HashMap<>();
  /** Namespace labels, for affinity terms' namespaceSelector. */
  private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

  public synchronized void addOrUpdateNode(Node node) {
    String name = node.getMetadata().getName();
    NodeInfo info = nodes.get(name);
    if (info == null) {
      info = new NodeInfo(node);
      nodes.put(name, info);
      nodeOrder.add(info);
    } else {
      if (info.node() == null) nodeOrder.add(info);
      info.setNode(node);
    }
  }

  public synchronized void removeNode(String name) {
    NodeInfo info = nodes.get(name);
    if (info == null) return;
    if (info.node() != null) nodeOrder.remove(info);
    // pods still bound to a deleted node keep their accounting until they are deleted too
    if (info.isEmpty()) nodes.remove(name);
    else info.setNode(null);
  }

  /** An assigned pod seen by the informer: accounts it on its node (confirming an assumed pod). */
  public synchronized void addOrUpdatePod(Pod pod) {
    String key = Pods.key(pod);
    if (!Pods.isAssigned(pod) || Pods.isTerminal(pod)) {
      if (!assumed.contains(key)) removePod(key);
      return;
    }
    assumed.remove(key);
    place(new PodInfo(pod), Pods.nodeName(pod));
  }

  public synchronized void removePod(String key) {
    assumed.remove(key);
    String node = podNodes.remove(key);
    if (node == null) return;
    NodeInfo info = nodes.get(node);
    if (info == null) return;
    info.removePod(key);
    track(node, info);
    if (info.node() == null && info.isEmpty()) nodes.remove(node);
  }

  private void track(String node, NodeInfo info) {
    if (info.podsWithAffinity().isEmpty()) affinityNodes.remove(node);
    else affinityNodes.add(node);
  }

  private record Nominated(PodInfo pod, String node) {}

  /**
   * Records (or replaces) where a pending pod was nominated; the informer calls this with status.nominatedNodeName, the
   * scheduler as soon as its preemption decided.
   */
  public synchronized void nominate(PodInfo pod, String node) {
    unnominate(pod.key);
    if (node == null || node.isEmpty()) return;
    nominated.put(pod.key, new Nominated(pod, node));
    nominatedByNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
  }

  /** Forgets a nomination: the pod was bound, deleted or no longer needs scheduling. */
  public synchronized void unnominate(String key) {
    Nominated n = nominated.remove(key);
    if (n == null) return;
    List<PodInfo> onNode = nominatedByNode.get(n.node());
    if (onNode == null) return;
    onNode.removeIf(p -> p.key.equals(key));
    if (onNode.isEmpty()) nominatedByNode.remove(n.node());
  }

  /** The node a pending pod was nominated to, or null. */
  public synchronized String nominatedNode(String key) {
    Nominated n = nominated.get(key);
    return n == null ? null : n.node();
  }

  public synchronized void addOrUpdateNamespace(String name, Map<String, String> labels) {
    namespaceLabels.put(name, labels == null ? Map.of() : Map.copyOf(labels));
  }

  public synchronized void removeNamespace(String name) {
    namespaceLabels.remove(name);
  }

  /** Accounts a pod on the node chosen for it before the binding is written. */
  public void assume(Pod pod, String node) {
    assume(new PodInfo(pod), node);
  }

  /**
   * Accounts a pod on the node chosen for it before the binding is written, with what its cycle already derived. The
   * pod object is kept as it is (without spec.nodeName): nothing in the cache reads the node name from it.
   */
  public synchronized void assume(PodInfo pod, String node) {
    unnominate(pod.key);
    place(pod, node);
    assumed.add(pod.key);
  }

  /** Undoes {@link #assume} after a failed binding. */
  public synchronized void forget(Pod pod) {
    String key = Pods.key(pod);
    if (assumed.contains(key)) removePod(key);
  }

  public synchronized boolean isAssumed(String key) {
    return assumed.contains(key);
  }

  private void place(PodInfo pod, String node) {
    String key = pod.key;
    String previous = podNodes.put(key, node);
    if (previous != null && !previous.equals(node)) {
      NodeInfo old = nodes.get(previous);
      if (old != null) {
        old.removePod(key);
        track(previous, old);
      }
    }
    NodeInfo info = nodes.computeIfAbsent(node, n -> new NodeInfo(null));
    info.addPod(pod);
    track(node, info);
  }

  /** Runs a scheduling cycle against a consistent view: informer updates wait until it is done. */
  public synchronized <T> T withSnapshot(Function<Snapshot, T> cycle) {
    return cycle.apply(new Snapshot(this));
  }

  /** A read-only view of the cache during one cycle. */
  public static final class Snapshot {
    private final ClusterCache cache;

    private Snapshot(ClusterCache cache) {
      this.cache = cache;
    }

    public int nodeCount() {
      return cache.nodeOrder.size();
    }

    /** The i-th node (0 <= i < nodeCount()). */
    public NodeInfo node(int i) {
      return cache.nodeOrder.get(i);
    }

    public NodeInfo node(String name) {
      NodeInfo info = cache.nodes.get(name);
      return info == null || info.node() == null ? null : info;
    }

    /** Nodes that have pods with pod (anti-)affinity terms, for the symmetric checks. */
    public List<NodeInfo> nodesWithAffinityPods() {
      if (cache.affinityNodes.isEmpty()) return List.of();
      List<NodeInfo> out = new ArrayList<>();
      for (String name : cache.affinityNodes) {
        NodeInfo n = cache.nodes.get(name);
        if (n != null && n.node() != null) out.add(n);
      }
      return out;
    }

    /**
     * The node as the pod should see it: with the pods nominated to it that are at least as important (upstream's
     * addNominatedPods), so a lower-priority pod does not take the room a preemption made. The node itself when there
     * are none, which is the common case and costs one lookup.
     */
    public NodeInfo withNominatedPods(NodeInfo node, PodInfo pod) {
      if (cache.nominatedByNode.isEmpty()) return node;
      List<PodInfo> onNode = cache.nominatedByNode.get(node.name());
      if (onNode == null) return node;
      NodeInfo view = null;
      for (PodInfo p : onNode) {
        if (p.key.equals(pod.key) || p.priority < pod.priority) continue;
        if (view == null) view = node.copy();
        view.addPod(p);
      }
      return view == null ? node : view;
    }

    /** The pending pods nominated to a node. */
    public List<PodInfo> nominatedPods(String node) {
      List<PodInfo> onNode = cache.nominatedByNode.get(node);
      return onNode == null ? List.of() : List.copyOf(onNode);
    }

    /** The node a pending pod was nominated to, or null. */
    public String nominatedNode(String key) {
      Nominated n = cache.nominated.get(key);
      return n == null ? null : n.node();
    }

    /** A namespace's labels (empty when unknown). */
    public Map<String, String> namespaceLabels(String namespace) {
      return cache.namespaceLabels.getOrDefault(namespace, Map.of());
    }

    public List<NodeInfo> nodes() {
      return new ArrayList<>(cache.nodeOrder);
    }
  }
}
