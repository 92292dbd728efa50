package io.planet.controllers;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The garbage collector: a graph of ownerReferences over every listable resource (one informer per type found by
 * discovery, refreshed so new custom resources join), and three jobs on it, keyed by uid:
 * background deletion of dependents whose owners are all gone, foreground deletion (an owner with the
 * {@code foregroundDeletion} finalizer waits until its blocking dependents are gone), and orphaning (an owner with
 * the {@code orphan} finalizer has its references removed from its dependents before it goes).
 */
public final class GarbageCollector extends Controller {
  static final String FOREGROUND = "foregroundDeletion";
  static final String ORPHAN = "orphan";
  private static final String DELETE = "delete/";
  private static final String ORPHAN_KEY = "orphan/";
  /** Upstream ignores events: too many, and never owners of anything. */
  private static final Set<String> IGNORED = Set.of("/events", "events.k8s.io/events");

  private final KubernetesClient client;
  private final Duration resyncDiscovery;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> monitors = new ConcurrentHashMap<>();
  /** group + "/" + kind → resource, for resolving ownerReferences. */
  private final Map<String, Discovery.Resource> byKind = new ConcurrentHashMap<>();
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Set<String>> dependents = new HashMap<>();
  private ScheduledExecutorService discovery;

  /** What the graph knows about one object. */
  private record Node(Discovery.Resource resource, String namespace, String name, String uid,
      List<OwnerReference> owners, boolean deleting, List<String> finalizers) {}

  public GarbageCollector(KubernetesClient client) {
    this(client, Duration.ofSeconds(30));
  }

  public GarbageCollector(KubernetesClient client, Duration resyncDiscovery) {
    super("garbagecollector", 10);
    this.client = client;
    this.resyncDiscovery = resyncDiscovery;
  }

  @Override
  protected void register(Informers informers) {
    // the graph must be complete before workers act on it: a missing dependent would let a foreground owner go early
    for (CompletableFuture<Void> synced : syncMonitors()) {
      try {
        synced.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("garbage collector informers failed to sync: " + e, e);
      }
    }
    discovery = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gc-discovery");
      t.setDaemon(true);
      return t;
    });
    discovery.scheduleWithFixedDelay(() -> {
      try {
        syncMonitors();
      } catch (RuntimeException e) {
        log.warn("garbage collector discovery failed: {}", e.toString());
      }
    }, resyncDiscovery.toMillis(), resyncDiscovery.toMillis(), TimeUnit.MILLISECONDS);
    informers.onStop(() -> {
      discovery.shutdownNow();
      monitors.values().forEach(SharedIndexInformer::stop);
      monitors.clear();
    });
  }

  /** Starts an informer for every deletable, watchable type not yet monitored; returns when each has listed. */
  private synchronized List<CompletableFuture<Void>> syncMonitors() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (Discovery.Resource r : Discovery.preferredResources(client).resources()) {
      String id = group(r.apiVersion()) + "/" + r.plural();
      byKind.put(group(r.apiVersion()) + "/" + r.kind(), r);
      if (IGNORED.contains(id) || monitors.containsKey(id)) continue;
      if (!r.supports("list") || !r.supports("watch") || !r.supports("delete")) continue;
      SharedIndexInformer<GenericKubernetesResource> informer =
          client.genericKubernetesResources(r.context()).inAnyNamespace().runnableInformer(0);
      informer.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(GenericKubernetesResource o) {
          observe(r, o);
        }

        @Override
        public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource o) {
          observe(r, o);
        }

        @Override
        public void onDelete(GenericKubernetesResource o, boolean unknown) {
          forgetNode(o);
        }
      });
      monitors.put(id, informer);
      started.add(informer.start().toCompletableFuture());
    }
    return started;
  }

  private static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  private synchronized void observe(Discovery.Resource r, GenericKubernetesResource o) {
    var m = o.getMetadata();
    List<OwnerReference> owners = m.getOwnerReferences() == null ? List.of() : List.copyOf(m.getOwnerReferences());
    List<String> finalizers = m.getFinalizers() == null ? List.of() : List.copyOf(m.getFinalizers());
    Node node = new Node(r, m.getNamespace(), m.getName(), m.getUid(), owners, m.getDeletionTimestamp() != null, finalizers);
    Node old = nodes.put(node.uid(), node);
    Set<String> oldOwners = old == null ? Set.of() : ownerUids(old);
    Set<String> newOwners = ownerUids(node);
    for (String u : oldOwners) {
      if (newOwners.contains(u)) continue;
      Set<String> deps = dependents.get(u);
      if (deps != null) deps.remove(node.uid());
      // an owner waiting for its dependents may be done now
      Node owner = nodes.get(u);
      if (owner != null && owner.deleting() && owner.finalizers().contains(FOREGROUND)) enqueue(DELETE + u);
    }
    for (String u : newOwners) dependents.computeIfAbsent(u, k -> new HashSet<>()).add(node.uid());
    if (!newOwners.isEmpty() && !newOwners.equals(oldOwners)) enqueue(DELETE + node.uid());
    if (node.deleting() && node.finalizers().contains(FOREGROUND)) {
      enqueue(DELETE + node.uid());
      dependents.getOrDefault(node.uid(), Set.of()).forEach(d -> enqueue(DELETE + d));
    }
    if (node.deleting() && node.finalizers().contains(ORPHAN)) enqueue(ORPHAN_KEY + node.uid());
  }

  private synchronized void forgetNode(GenericKubernetesResource o) {
    Node node = nodes.remove(o.getMetadata().getUid());
    if (node == null) return;
    for (String u : ownerUids(node)) {
      Set<String> deps = dependents.get(u);
      if (deps != null) deps.remove(node.uid());
      Node owner = nodes.get(u);
      if (owner != null && owner.deleting() && owner.finalizers().contains(FOREGROUND)) enqueue(DELETE + u);
    }
    // its dependents may now have no owner left
    dependents.getOrDefault(node.uid(), Set.of()).forEach(d -> enqueue(DELETE + d));
  }

  private static Set<String> ownerUids(Node n) {
    Set<String> out = new HashSet<>();
    n.owners().forEach(r -> out.add(r.getUid()));
    return out;
  }

  private synchronized Node node(String uid) {
    return nodes.get(uid);
  }

  private synchronized List<Node> dependentsOf(String uid) {
    List<Node> out = new ArrayList<>();
    for (String d : dependents.getOrDefault(uid, Set.of())) {
      Node n = nodes.get(d);
      if (n != null) out.add(n);
    }
    return out;
  }

  @Override
  protected void reconcile(String key) {
    if (key.startsWith(DELETE)) {
      attemptToDelete(key.substring(DELETE.length()));
    } else if (key.startsWith(ORPHAN_KEY)) {
      orphanDependents(key.substring(ORPHAN_KEY.length()));
    }
  }

  private void attemptToDelete(String uid) {
    Node node = node(uid);
    if (node == null) return;
    GenericKubernetesResource latest = get(node.resource(), node.namespace(), node.name());
    if (latest == null || !uid.equals(latest.getMetadata().getUid())) return;
    List<String> finalizers = finalizers(latest);
    if (latest.getMetadata().getDeletionTimestamp() != null) {
      if (finalizers.contains(FOREGROUND)) processDeletingDependents(node, latest);
      return;
    }
    List<OwnerReference> refs = latest.getMetadata().getOwnerReferences();
    if (refs == null || refs.isEmpty()) return;
    List<OwnerReference> solid = new ArrayList<>();
    List<OwnerReference> dangling = new ArrayList<>();
    List<OwnerReference> waiting = new ArrayList<>();
    for (OwnerReference ref : refs) {
      GenericKubernetesResource owner = owner(ref, node.namespace());
      if (owner == null) {
        dangling.add(ref);
      } else if (owner.getMetadata().getDeletionTimestamp() != null && finalizers(owner).contains(FOREGROUND)) {
        waiting.add(ref);
      } else {
        solid.add(ref);
      }
    }
    if (!solid.isEmpty()) {
      if (dangling.isEmpty() && waiting.isEmpty()) return;
      // keep the object, drop the references to owners that are gone or going
      Set<String> drop = new HashSet<>();
      dangling.forEach(r -> drop.add(r.getUid()));
      waiting.forEach(r -> drop.add(r.getUid()));
      removeOwnerReferences(node, latest, drop);
      return;
    }
    DeletionPropagation policy;
    if (!waiting.isEmpty() && !dependentsOf(uid).isEmpty()) {
      // owned by a foreground deletion and owning things itself: its own dependents go first
      policy = DeletionPropagation.FOREGROUND;
    } else if (finalizers.contains(ORPHAN)) {
      policy = DeletionPropagation.ORPHAN;
    } else if (finalizers.contains(FOREGROUND)) {
      policy = DeletionPropagation.FOREGROUND;
    } else {
      policy = DeletionPropagation.BACKGROUND;
    }
    log.info("deleting {} {}/{} (owners gone), propagation {}", node.resource().kind(), node.namespace(), node.name(), policy);
    try {
      op(node.resource(), node.namespace()).withName(node.name()).withPropagationPolicy(policy).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }

  /** An owner in foreground deletion: done once no dependent blocks it; until then push its blockers along. */
  private void processDeletingDependents(Node owner, GenericKubernetesResource latest) {
    List<Node> blocking = new ArrayList<>();
    for (Node d : dependentsOf(owner.uid())) {
      boolean blocks = d.owners().stream()
          .anyMatch(r -> owner.uid().equals(r.getUid()) && Boolean.TRUE.equals(r.getBlockOwnerDeletion()));
      if (blocks) blocking.add(d);
    }
    if (blocking.isEmpty()) {
      removeFinalizer(owner, latest, FOREGROUND);
      return;
    }
    for (Node d : blocking) {
      if (!d.deleting()) enqueue(DELETE + d.uid());
    }
  }

  private void orphanDependents(String uid) {
    Node node = node(uid);
    if (node == null) return;
    GenericKubernetesResource latest = get(node.resource(), node.namespace(), node.name());
    if (latest == null || !uid.equals(latest.getMetadata().getUid())) return;
    if (latest.getMetadata().getDeletionTimestamp() == null || !finalizers(latest).contains(ORPHAN)) return;
    for (Node d : dependentsOf(uid)) {
      GenericKubernetesResource dep = get(d.resource(), d.namespace(), d.name());
      if (dep == null || !d.uid().equals(dep.getMetadata().getUid())) continue;
      removeOwnerReferences(d, dep, Set.of(uid));
    }
    removeFinalizer(node, latest, ORPHAN);
  }

  /** A merge patch carrying the resourceVersion, so a concurrent change makes it fail and retry. */
  private void removeOwnerReferences(Node node, GenericKubernetesResource latest, Set<String> uids) {
    List<OwnerReference> kept = new ArrayList<>();
    for (OwnerReference r : latest.getMetadata().getOwnerReferences()) {
      if (!uids.contains(r.getUid())) kept.add(r);
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("ownerReferences", kept);
    meta.put("resourceVersion", latest.getMetadata().getResourceVersion());
    patch(node, Map.of("metadata", meta));
  }

  private void removeFinalizer(Node node, GenericKubernetesResource latest, String finalizer) {
    List<String> kept = new ArrayList<>(finalizers(latest));
    kept.remove(finalizer);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("finalizers", kept);
    meta.put("resourceVersion", latest.getMetadata().getResourceVersion());
    patch(node, Map.of("metadata", meta));
  }

  private void patch(Node node, Map<String, Object> body) {
    try {
      op(node.resource(), node.namespace()).withName(node.name())
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(body));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }

  /** The live owner a reference names, or null if absent (not found, or found with another uid). */
  private GenericKubernetesResource owner(OwnerReference ref, String dependentNamespace) {
    Discovery.Resource r = byKind.get(group(ref.getApiVersion()) + "/" + ref.getKind());
    if (r == null) {
      syncMonitors();
      r = byKind.get(group(ref.getApiVersion()) + "/" + ref.getKind());
      if (r == null) throw new IllegalStateException("cannot resolve owner kind " + ref.getApiVersion() + " " + ref.getKind());
    }
    GenericKubernetesResource o = get(r, r.namespaced() ? dependentNamespace : null, ref.getName());
    return o != null && Objects.equals(o.getMetadata().getUid(), ref.getUid()) ? o : null;
  }

  private GenericKubernetesResource get(Discovery.Resource r, String namespace, String name) {
    try {
      return op(r, namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) return null;
      throw e;
    }
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op(
      Discovery.Resource r, String namespace) {
    var all = client.genericKubernetesResources(r.context());
    return r.namespaced() && namespace != null ? all.inNamespace(namespace) : all;
  }

  private static List<String> finalizers(GenericKubernetesResource o) {
    return o.getMetadata().getFinalizers() == null ? List.of() : o.getMetadata().getFinalizers();
  }
}
