package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.client.events.EventRecorder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * apps/v1 DaemonSet (upstream's pkg/controller/daemon): one pod on every node the template may run on, rolled out
 * through ControllerRevisions with RollingUpdate (maxUnavailable, or maxSurge: see DaemonUpdate) or OnDelete. Pods are
 * created already bound (spec.nodeName) and carry upstream's required node affinity for their node, so no scheduler
 * is needed for them. Failed pods are replaced; matching orphans are adopted, pods that stop matching released.
 */
public final class DaemonSetController extends Controller {
  private static final String KIND = "DaemonSet";

  private final KubernetesClient client;
  private final Expectations expectations = new Expectations();
  private final PodControllerRefManager refs;
  private SharedIndexInformer<DaemonSet> daemonSets;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Node> nodes;
  private ControllerHistory history;

  public DaemonSetController(KubernetesClient client) {
    super("daemonset", 2);
    this.client = client;
    this.refs = new PodControllerRefManager(client);
  }

  @Override
  protected void register(Informers informers) {
    daemonSets = informers.informer(DaemonSet.class);
    pods = informers.informer(Pod.class);
    nodes = informers.informer(Node.class);
    history = new ControllerHistory(client, informers.informer(ControllerRevision.class), "apps/v1", KIND);
    daemonSets.addEventHandler(enqueueing());
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        String owner = ownerKey(pod);
        if (owner == null) {
          // an orphan: the DaemonSets selecting it may adopt it
          if (ReplicaController.controllerRef(pod) == null) enqueueSelecting(pod);
          return;
        }
        expectations.creationObserved(owner);
        enqueue(owner);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) return;
        String oldOwner = ownerKey(old);
        String owner = ownerKey(pod);
        if (oldOwner != null && !oldOwner.equals(owner)) enqueue(oldOwner);
        if (owner == null) {
          if (ReplicaController.controllerRef(pod) == null
              && (!Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels()) || oldOwner != null)) {
            enqueueSelecting(pod);
          }
          return;
        }
        // a graceful delete counts as observed at once, as upstream's updatePod does
        if (pod.getMetadata().getDeletionTimestamp() != null) expectations.deletionObserved(owner, pod.getMetadata().getUid());
        enqueue(owner);
        DaemonSet ds = daemonSets.getStore().getByKey(owner);
        int minReady = ds == null || ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();
        if (minReady > 0 && !PodStatus.ready(old) && PodStatus.ready(pod)) {
          enqueueAfter(owner, Duration.ofSeconds(minReady).plusSeconds(1));
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        String owner = ownerKey(pod);
        if (owner == null) return;
        expectations.deletionObserved(owner, pod.getMetadata().getUid());
        enqueue(owner);
      }
    });
    nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        enqueueAll();
      }

      @Override
      public void onUpdate(Node old, Node node) {
        // heartbeats change nothing a DaemonSet looks at
        if (!Objects.equals(old.getMetadata().getLabels(), node.getMetadata().getLabels())
            || !Objects.equals(NodeTaints.of(old), NodeTaints.of(node))) {
          enqueueAll();
        }
      }

      @Override
      public void onDelete(Node node, boolean unknown) {
        enqueueAll();
      }
    });
  }

  private void enqueueSelecting(Pod pod) {
    for (DaemonSet ds : daemonSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
      if (Selectors.matches(ds.getSpec().getSelector(), pod.getMetadata().getLabels())) enqueue(key(ds));
    }
  }

  private void enqueueAll() {
    daemonSets.getStore().list().forEach(d -> enqueue(key(d)));
  }

  private static String ownerKey(Pod pod) {
    OwnerReference ref = ReplicaController.controllerRef(pod);
    if (ref == null || !KIND.equals(ref.getKind())) return null;
    return pod.getMetadata().getNamespace() + "/" + ref.getName();
  }

  @Override
  protected void reconcile(String key) throws Exception {
    DaemonSet ds = daemonSets.getStore().getByKey(key);
    if (ds == null) {
      expectations.forget(key);
      return;
    }
    List<ControllerRevision> revisions = history.owned(ds);
    ControllerHistory.Current current = history.current(ds, ds.getSpec().getTemplate(),
        ds.getStatus() == null ? null : ds.getStatus().getCollisionCount(), revisions);
    String hash = ControllerHistory.hash(current.revision());
    Map<String, List<Pod>> byNode = podsByNode(ds);
    Map<String, Node> allNodes = new HashMap<>();
    nodes.getStore().list().forEach(n -> allNodes.put(n.getMetadata().getName(), n));

    if (expectations.satisfied(key) && ds.getMetadata().getDeletionTimestamp() == null) {
      if (!manage(key, ds, hash, byNode, allNodes) && isRollingUpdate(ds)) {
        rollingUpdate(key, ds, hash, byNode, allNodes);
      }
      Set<String> inUse = new HashSet<>();
      inUse.add(current.revision().getMetadata().getName());
      byNode.values().forEach(ps -> ps.forEach(p -> {
        String h = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
        if (h != null) inUse.add(ds.getMetadata().getName() + "-" + h);
      }));
      int limit = ds.getSpec().getRevisionHistoryLimit() == null ? 10 : ds.getSpec().getRevisionHistoryLimit();
      history.truncate(history.owned(ds), inUse, limit);
    }
    DaemonSetStatus status = status(ds, hash, byNode, allNodes, current.collisionCount());
    if (!status.equals(ds.getStatus())) {
      DaemonSet fresh = client.apps().daemonSets().inNamespace(ds.getMetadata().getNamespace()).withName(ds.getMetadata().getName()).get();
      if (fresh != null && fresh.getMetadata().getUid().equals(ds.getMetadata().getUid())) {
        fresh.setStatus(status);
        client.apps().daemonSets().inNamespace(ds.getMetadata().getNamespace()).resource(fresh).updateStatus();
      }
    }
    int minReady = minReadySeconds(ds);
    if (minReady > 0 && status.getNumberReady() > status.getNumberAvailable()) throw new Requeue(Duration.ofSeconds(minReady));
  }

  private static boolean isRollingUpdate(DaemonSet ds) {
    return ds.getSpec().getUpdateStrategy() == null || !"OnDelete".equals(ds.getSpec().getUpdateStrategy().getType());
  }

  private static int minReadySeconds(DaemonSet ds) {
    return ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();
  }

  /**
   * The DaemonSet's pods (after adopting matching orphans and releasing pods that stopped matching) by the node they
   * are on or meant for; pods for no node are under the key "".
   */
  private Map<String, List<Pod>> podsByNode(DaemonSet ds) {
    Map<String, List<Pod>> out = new HashMap<>();
    String ns = ds.getMetadata().getNamespace();
    List<Pod> owned = refs.claim(ds, history.ownerRef(ds), p -> Selectors.matches(ds.getSpec().getSelector(),
        p.getMetadata().getLabels()), pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns),
        () -> client.apps().daemonSets().inNamespace(ns).withName(ds.getMetadata().getName()).get());
    for (Pod p : owned) {
      String node = DaemonPlacement.targetNode(p);
      out.computeIfAbsent(node == null ? "" : node, k -> new ArrayList<>()).add(p);
    }
    return out;
  }

  /** Creates and deletes pods node by node (upstream's manage); true when it asked for any deletion. */
  private boolean manage(String key, DaemonSet ds, String hash, Map<String, List<Pod>> byNode, Map<String, Node> allNodes) {
    PodSpec spec = ds.getSpec().getTemplate().getSpec();
    long desired = allNodes.values().stream().filter(n -> DaemonPlacement.verdict(spec, n).shouldRun()).count();
    boolean surge = isRollingUpdate(ds) && DaemonUpdate.maxSurge(ds, (int) desired) > 0;
    List<String> toCreate = new ArrayList<>();
    List<Pod> toDelete = new ArrayList<>();
    for (Node node : allNodes.values()) {
      DaemonPlacement.Verdict v = DaemonPlacement.verdict(spec, node);
      List<Pod> here = byNode.getOrDefault(node.getMetadata().getName(), List.of());
      if (v.shouldRun() && here.isEmpty()) {
        toCreate.add(node.getMetadata().getName());
      } else if (v.shouldContinueRunning()) {
        List<Pod> running = new ArrayList<>();
        for (Pod p : here) {
          if (p.getMetadata().getDeletionTimestamp() != null) continue;
          if ("Failed".equals(PodStatus.phase(p))) toDelete.add(p);
          else running.add(p);
        }
        // two pods on one node: keep the oldest, or while surging an old and a new one
        toDelete.addAll(DaemonUpdate.surplus(running, hash, minReadySeconds(ds), surge));
      } else {
        here.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(toDelete::add);
      }
    }
    // pods for nodes that are gone (the pod garbage collector's job upstream; this manager has none)
    byNode.forEach((node, ps) -> {
      if (!allNodes.containsKey(node)) ps.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(toDelete::add);
    });
    if (!toDelete.isEmpty()) {
      // deletions first: creations follow once the informer has shown them, so expectations stay exact
      delete(key, toDelete);
      return true;
    }
    if (!toCreate.isEmpty()) create(key, ds, hash, toCreate);
    return false;
  }

  private void delete(String key, List<Pod> victims) {
    DaemonSet owner = daemonSets.getIndexer().getByKey(key);
    PodDeletions.delete(client, expectations, key, victims, p -> {
      if (owner != null) events().normal(owner, "SuccessfulDelete", "Deleted pod: %s", p.getMetadata().getName());
    }, (p, e) -> {
      if (owner != null) events().warning(owner, "FailedDelete", "Error deleting: %s", EventRecorder.errorMessage(e));
    });
  }

  private void create(String key, DaemonSet ds, String hash, List<String> nodeNames) {
    expectations.expectCreations(key, nodeNames.size());
    KubernetesClientException failure = null;
    for (String node : nodeNames) {
      try {
        Pod created = client.pods().inNamespace(ds.getMetadata().getNamespace()).resource(newPod(ds, hash, node)).create();
        events().normal(ds, "SuccessfulCreate", "Created pod: %s", created.getMetadata().getName());
      } catch (KubernetesClientException e) {
        expectations.creationObserved(key);
        failure = e;
        events().warning(ds, "FailedCreate", "Error creating: %s", EventRecorder.errorMessage(e));
      }
    }
    if (failure != null) throw failure;
  }

  private Pod newPod(DaemonSet ds, String hash, String node) {
    PodTemplateSpec t = Serialization.clone(ds.getSpec().getTemplate());
    Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getLabels());
    labels.put(ControllerHistory.HASH_LABEL, hash);
    PodSpec spec = t.getSpec();
    spec.setTolerations(DaemonPlacement.withDefaultTolerations(spec.getTolerations()));
    spec.setAffinity(DaemonPlacement.pinnedTo(spec.getAffinity(), node));
    spec.setNodeName(node);
    return new PodBuilder().withNewMetadata()
        .withGenerateName(ds.getMetadata().getName() + "-")
        .withNamespace(ds.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(t.getMetadata() == null ? null : t.getMetadata().getAnnotations())
        .withFinalizers(t.getMetadata() == null ? null : t.getMetadata().getFinalizers())
        .withOwnerReferences(history.ownerRef(ds))
        .endMetadata().withSpec(spec).build();
  }

  /** One step of upstream's rollingUpdate over the nodes that should run the pod (see DaemonUpdate). */
  private void rollingUpdate(String key, DaemonSet ds, String hash, Map<String, List<Pod>> byNode, Map<String, Node> allNodes) {
    Map<String, List<Pod>> eligible = new HashMap<>();
    for (Node n : allNodes.values()) {
      if (!DaemonPlacement.verdict(ds.getSpec().getTemplate().getSpec(), n).shouldRun()) continue;
      eligible.put(n.getMetadata().getName(), byNode.getOrDefault(n.getMetadata().getName(), List.of()).stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList());
    }
    DaemonUpdate.Plan plan = DaemonUpdate.rollingUpdate(ds, hash, eligible, minReadySeconds(ds));
    // deletions first, creations on a later pass, so that expectations stay exact
    if (!plan.delete().isEmpty()) delete(key, plan.delete());
    else if (!plan.create().isEmpty()) create(key, ds, hash, plan.create());
  }

  private DaemonSetStatus status(DaemonSet ds, String hash, Map<String, List<Pod>> byNode, Map<String, Node> allNodes, int collisions) {
    int desired = 0;
    int current = 0;
    int misscheduled = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
    for (Node n : allNodes.values()) {
      boolean shouldRun = DaemonPlacement.verdict(ds.getSpec().getTemplate().getSpec(), n).shouldRun();
      List<Pod> here = byNode.getOrDefault(n.getMetadata().getName(), List.of());
      if (shouldRun) {
        desired++;
        if (here.isEmpty()) continue;
        current++;
        Pod p = here.stream().min(Comparator.comparing((Pod x) -> x.getMetadata().getCreationTimestamp())).get();
        if (PodStatus.ready(p)) {
          ready++;
          if (PodStatus.available(p, minReadySeconds(ds))) available++;
        }
        if (DaemonUpdate.updated(p, hash)) updated++;
      } else if (!here.isEmpty()) {
        misscheduled++;
      }
    }
    DaemonSetStatus s = ds.getStatus() == null ? new DaemonSetStatus() : Serialization.clone(ds.getStatus());
    s.setDesiredNumberScheduled(desired);
    s.setCurrentNumberScheduled(current);
    s.setNumberMisscheduled(misscheduled);
    s.setNumberReady(ready);
    s.setNumberAvailable(available);
    s.setNumberUnavailable(desired - available);
    s.setUpdatedNumberScheduled(updated);
    s.setObservedGeneration(ds.getMetadata().getGeneration());
    s.setCollisionCount(collisions == 0 && s.getCollisionCount() == null ? null : collisions);
    return s;
  }
}
