package io.planet.apiserver.auth.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Meta;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Which objects each node may read (upstream's node authorizer graph), as indexes instead of a general graph since
 * the relationships have a fixed shape:
 * <pre>
 * node <- pod <- secret, configmap, pvc, serviceaccount, resourceclaim
 * node <- pod <- pvc <- pv <- secret
 * node <- volumeattachment
 * </pre>
 * Every pod bound to a node adds one count per object it references to (object, node); a lookup is a map access, so
 * a decision costs the same with ten or ten thousand pods. Mirror pods reference nothing (a node must not grant itself
 * access by creating pods).
 */
public final class NodeGraph {
  /** The object kinds a node's access is decided on here, named as upstream's vertex types. */
  public enum Kind {
    POD("pod"), SECRET("secret"), CONFIG_MAP("configmap"), PVC("pvc"), PV("pv"), SERVICE_ACCOUNT("serviceAccount"),
    RESOURCE_CLAIM("resourceclaim"), VOLUME_ATTACHMENT("volumeattachment");

    public final String vertexName;

    Kind(String vertexName) {
      this.vertexName = vertexName;
    }
  }

  private record Ref(Kind kind, String namespace, String name) {}

  private record PodEntry(String node, PodReferences refs) {}

  private record PvEntry(String claim, Set<String> secrets, String localNode) {}

  /** The annotation the local-path provisioner puts on its volumes: the node their directory is on. */
  static final String LOCAL_PATH_NODE = "planet.io/local-path-node";

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /** namespace/name → the node a pod is bound to and what it references. */
  private final Map<String, PodEntry> pods = new HashMap<>();
  /** object referenced by pods → node → how many of that node's pods reference it. */
  private final Map<Ref, Map<String, Integer>> podRefs = new HashMap<>();
  /** pv name → its claim (namespace/name) and the secrets (namespace/name) it names. */
  private final Map<String, PvEntry> pvs = new HashMap<>();
  /** secret namespace/name → the persistent volumes naming it. */
  private final Map<String, Set<String>> pvsBySecret = new HashMap<>();
  /** volume attachment name → node. */
  private final Map<String, String> attachments = new HashMap<>();

  // ---- pods

  /** Adds or replaces a pod; an unbound pod (no spec.nodeName) relates to no node. */
  public void putPod(JsonNode pod) {
    String key = Meta.namespace(pod) + "/" + Meta.name(pod);
    String node = pod.path("spec").path("nodeName").asText("");
    PodEntry next = node.isEmpty() ? null
        : new PodEntry(node, PodReferences.isMirrorPod(pod) ? PodReferences.none() : PodReferences.of(pod));
    lock.writeLock().lock();
    try {
      PodEntry old = pods.get(key);
      if (old != null && old.equals(next)) return;
      if (old != null) countReferences(Meta.namespace(pod), old, -1);
      if (next == null) {
        pods.remove(key);
        return;
      }
      pods.put(key, next);
      countReferences(Meta.namespace(pod), next, +1);
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void removePod(String namespace, String name) {
    lock.writeLock().lock();
    try {
      PodEntry old = pods.remove(namespace + "/" + name);
      if (old != null) countReferences(namespace, old, -1);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Adds (+1) or removes (-1) the counts of a pod's references to its node. */
  private void countReferences(String ns, PodEntry e, int delta) {
    PodReferences r = e.refs();
    if (!r.serviceAccount().isEmpty()) count(new Ref(Kind.SERVICE_ACCOUNT, ns, r.serviceAccount()), e.node(), delta);
    for (String s : r.secrets()) count(new Ref(Kind.SECRET, ns, s), e.node(), delta);
    for (String c : r.configMaps()) count(new Ref(Kind.CONFIG_MAP, ns, c), e.node(), delta);
    for (String c : r.claims()) count(new Ref(Kind.PVC, ns, c), e.node(), delta);
    for (String c : r.resourceClaims()) count(new Ref(Kind.RESOURCE_CLAIM, ns, c), e.node(), delta);
  }

  private void count(Ref ref, String node, int delta) {
    Map<String, Integer> byNode = podRefs.computeIfAbsent(ref, k -> new HashMap<>(2));
    int n = byNode.getOrDefault(node, 0) + delta;
    if (n > 0) byNode.put(node, n);
    else byNode.remove(node);
    if (byNode.isEmpty()) podRefs.remove(ref);
  }

  /** Forgets every pod (before the pods are read again). */
  public void clearPods() {
    lock.writeLock().lock();
    try {
      pods.clear();
      podRefs.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- persistent volumes

  /**
   * Adds or replaces a persistent volume; a volume with a claimRef relates to the nodes of the pods using the claim,
   * and one of Planet's local-path volumes also to its node (whose kubelet removes its directory once it is gone).
   */
  public void putPersistentVolume(JsonNode pv) {
    String name = Meta.name(pv);
    JsonNode claimRef = pv.path("spec").path("claimRef");
    String localNode = pv.path("metadata").path("annotations").path(LOCAL_PATH_NODE).asText("");
    PvEntry next = null;
    if (claimRef.isObject() || !localNode.isEmpty()) {
      Set<String> secrets = new HashSet<>();
      PodReferences.visitPvSecrets(pv, (ns, secret) -> secrets.add(ns + "/" + secret));
      String claim = claimRef.isObject() ? claimRef.path("namespace").asText("") + "/" + claimRef.path("name").asText("") : "";
      next = new PvEntry(claim, secrets, localNode);
    }
    lock.writeLock().lock();
    try {
      removePvLocked(name);
      if (next == null) return;
      pvs.put(name, next);
      for (String s : next.secrets()) pvsBySecret.computeIfAbsent(s, k -> new HashSet<>(2)).add(name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void removePersistentVolume(String name) {
    lock.writeLock().lock();
    try {
      removePvLocked(name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void removePvLocked(String name) {
    PvEntry old = pvs.remove(name);
    if (old == null) return;
    for (String s : old.secrets()) {
      Set<String> set = pvsBySecret.get(s);
      if (set == null) continue;
      set.remove(name);
      if (set.isEmpty()) pvsBySecret.remove(s);
    }
  }

  public void clearPersistentVolumes() {
    lock.writeLock().lock();
    try {
      pvs.clear();
      pvsBySecret.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- volume attachments

  /** Adds or replaces a volume attachment (spec.nodeName names its node). */
  public void putVolumeAttachment(JsonNode va) {
    String node = va.path("spec").path("nodeName").asText("");
    lock.writeLock().lock();
    try {
      if (node.isEmpty()) attachments.remove(Meta.name(va));
      else attachments.put(Meta.name(va), node);
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void removeVolumeAttachment(String name) {
    lock.writeLock().lock();
    try {
      attachments.remove(name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void clearVolumeAttachments() {
    lock.writeLock().lock();
    try {
      attachments.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- decisions

  /** Whether the object relates to the node (upstream's hasPathFrom); {@code namespace} is "" for cluster objects. */
  public boolean hasPath(String node, Kind kind, String namespace, String name) {
    lock.readLock().lock();
    try {
      return switch (kind) {
        case POD -> {
          PodEntry p = pods.get(namespace + "/" + name);
          yield p != null && p.node().equals(node);
        }
        case SECRET -> referencedByPod(node, new Ref(kind, namespace, name))
            || pvsBySecret.getOrDefault(namespace + "/" + name, Set.of()).stream()
                .anyMatch(pv -> pvReachable(node, pv));
        case PV -> pvReachable(node, name);
        case VOLUME_ATTACHMENT -> node.equals(attachments.get(name));
        default -> referencedByPod(node, new Ref(kind, namespace, name));
      };
    } finally {
      lock.readLock().unlock();
    }
  }

  private boolean referencedByPod(String node, Ref ref) {
    Map<String, Integer> byNode = podRefs.get(ref);
    return byNode != null && byNode.containsKey(node);
  }

  private boolean pvReachable(String node, String pv) {
    PvEntry e = pvs.get(pv);
    if (e == null) return false;
    if (node.equals(e.localNode())) return true;
    if (e.claim().isEmpty()) return false;
    int slash = e.claim().indexOf('/');
    return referencedByPod(node, new Ref(Kind.PVC, e.claim().substring(0, slash), e.claim().substring(slash + 1)));
  }

  /** How many bound pods are known (for tests and metrics). */
  public int podCount() {
    lock.readLock().lock();
    try {
      return pods.size();
    } finally {
      lock.readLock().unlock();
    }
  }
}
