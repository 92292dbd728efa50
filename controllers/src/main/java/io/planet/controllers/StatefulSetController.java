package io.planet.controllers;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * apps/v1 StatefulSet (upstream's pkg/controller/statefulset): pods with stable names {@code <set>-<ordinal>}
 * (ordinals from spec.ordinals.start) and hostnames, their PersistentVolumeClaims made from the claim templates first
 * and owned as the retention policy says; OrderedReady (one pod at a time, each waiting for the one before to be
 * Running and Ready, removed from the highest ordinal) or Parallel; a new template rolls out through
 * ControllerRevisions from the highest ordinal down to the partition (maxUnavailable at a time), or OnDelete.
 * Matching orphans named after the set are adopted, pods that stop matching released.
 */
public final class StatefulSetController extends Controller {
  private static final String KIND = "StatefulSet";
  static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

  private final KubernetesClient client;
  // creations and deletions not yet shown by the informer; names are fixed, so this guards against acting on a stale pod
  private final Expectations creations = new Expectations();
  private final Expectations deletions = new Expectations();
  private final PodControllerRefManager refs;
  private SharedIndexInformer<StatefulSet> sets;
  private SharedIndexInformer<Pod> pods;
  private ControllerHistory history;
  private StatefulSetClaims claims;

  public StatefulSetController(KubernetesClient client) {
    super("statefulset", 2);
    this.client = client;
    this.refs = new PodControllerRefManager(client);
  }

  @Override
  protected void register(Informers informers) {
    sets = informers.informer(StatefulSet.class);
    pods = informers.informer(Pod.class);
    history = new ControllerHistory(client, informers.informer(ControllerRevision.class), "apps/v1", KIND);
    claims = new StatefulSetClaims(client, informers.informer(PersistentVolumeClaim.class), history);
    sets.addEventHandler(enqueueing());
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        String owner = ownerKey(pod);
        if (owner == null) {
          // an orphan: the sets selecting it may adopt it
          if (ReplicaController.controllerRef(pod) == null) enqueueSelecting(pod);
          return;
        }
        creations.creationObserved(owner);
        enqueue(owner);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) return;
        String oldOwner = ownerKey(old);
        String owner = ownerKey(pod);
        if (oldOwner != null && !oldOwner.equals(owner)) enqueue(oldOwner);
        if (owner != null) {
          enqueue(owner);
        } else if (ReplicaController.controllerRef(pod) == null
            && (!Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels()) || oldOwner != null)) {
          enqueueSelecting(pod);
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        String owner = ownerKey(pod);
        if (owner == null) return;
        deletions.deletionObserved(owner, pod.getMetadata().getUid());
        enqueue(owner);
      }
    });
  }

  private void enqueueSelecting(Pod pod) {
    for (StatefulSet set : sets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
      if (Selectors.matches(set.getSpec().getSelector(), pod.getMetadata().getLabels())) enqueue(key(set));
    }
  }

  private static String ownerKey(Pod pod) {
    OwnerReference ref = ReplicaController.controllerRef(pod);
    if (ref == null || !KIND.equals(ref.getKind())) return null;
    return pod.getMetadata().getNamespace() + "/" + ref.getName();
  }

  /** One reconcile's view: the set, its two revisions and its pods by ordinal. */
  private record View(StatefulSet set, ControllerRevision current, ControllerRevision update, TreeMap<Integer, Pod> byOrdinal) {
    int replicas() {
      return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    }

    /** spec.ordinals.start: the set's pods are numbered from here. */
    int start() {
      return set.getSpec().getOrdinals() == null || set.getSpec().getOrdinals().getStart() == null
          ? 0 : set.getSpec().getOrdinals().getStart();
    }

    /** One past the highest ordinal the set wants. */
    int end() {
      return start() + replicas();
    }

    boolean inRange(int ordinal) {
      return ordinal >= start() && ordinal < end();
    }

    boolean ordered() {
      return !"Parallel".equals(set.getSpec().getPodManagementPolicy());
    }

    int minReadySeconds() {
      return set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
    }
  }

  @Override
  protected void reconcile(String key) throws Exception {
    StatefulSet set = sets.getStore().getByKey(key);
    if (set == null) {
      creations.forget(key);
      deletions.forget(key);
      return;
    }
    List<ControllerRevision> revisions = history.owned(set);
    ControllerHistory.Current update = history.current(set, set.getSpec().getTemplate(),
        set.getStatus() == null ? null : set.getStatus().getCollisionCount(), revisions);
    String currentName = set.getStatus() == null ? null : set.getStatus().getCurrentRevision();
    ControllerRevision current = revisions.stream().filter(r -> r.getMetadata().getName().equals(currentName))
        .findFirst().orElse(update.revision());
    View v = view(set, current, update.revision());

    if (creations.satisfied(key) && deletions.satisfied(key) && set.getMetadata().getDeletionTimestamp() == null) {
      sync(key, v);
      Set<String> inUse = new HashSet<>(List.of(current.getMetadata().getName(), update.revision().getMetadata().getName()));
      v.byOrdinal().values().forEach(p -> inUse.add(revisionOf(p)));
      int limit = set.getSpec().getRevisionHistoryLimit() == null ? 10 : set.getSpec().getRevisionHistoryLimit();
      history.truncate(history.owned(set), inUse, limit);
    }
    StatefulSetStatus status = status(v, update.collisionCount());
    if (!status.equals(set.getStatus())) {
      StatefulSet fresh = client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace()).withName(set.getMetadata().getName()).get();
      if (fresh != null && fresh.getMetadata().getUid().equals(set.getMetadata().getUid())) {
        fresh.setStatus(status);
        client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace()).resource(fresh).updateStatus();
      }
    }
    if (v.minReadySeconds() > 0 && status.getReadyReplicas() > status.getAvailableReplicas()) {
      throw new Requeue(Duration.ofSeconds(v.minReadySeconds()));
    }
  }

  private View view(StatefulSet set, ControllerRevision current, ControllerRevision update) {
    TreeMap<Integer, Pod> byOrdinal = new TreeMap<>();
    String ns = set.getMetadata().getNamespace();
    // as upstream, only pods named after the set are adopted (and kept): a stranger with matching labels is not a member
    List<Pod> owned = refs.claim(set, history.ownerRef(set),
        p -> Selectors.matches(set.getSpec().getSelector(), p.getMetadata().getLabels()) && ordinalOf(set, p) != null,
        pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns),
        () -> client.apps().statefulSets().inNamespace(ns).withName(set.getMetadata().getName()).get());
    for (Pod p : owned) byOrdinal.put(ordinalOf(set, p), p);
    return new View(set, current, update, byOrdinal);
  }

  /** The ordinal in the pod's name {@code <set>-<ordinal>}, or null when it is not named after the set. */
  private static Integer ordinalOf(StatefulSet set, Pod p) {
    String prefix = set.getMetadata().getName() + "-";
    String name = p.getMetadata().getName();
    if (!name.startsWith(prefix) || !name.substring(prefix.length()).matches("0|[1-9][0-9]{0,8}")) return null;
    return Integer.parseInt(name.substring(prefix.length()));
  }

  private static String revisionOf(Pod p) {
    return p.getMetadata().getLabels() == null ? "" : p.getMetadata().getLabels().getOrDefault(ControllerHistory.HASH_LABEL, "");
  }

  private static boolean terminating(Pod p) {
    return p.getMetadata().getDeletionTimestamp() != null;
  }

  /** Running, Ready, and ready for minReadySeconds: what OrderedReady waits for. */
  private static boolean healthy(Pod p, int minReadySeconds) {
    return "Running".equals(PodStatus.phase(p)) && !terminating(p) && PodStatus.available(p, minReadySeconds);
  }

  /**
   * Upstream's updateStatefulSet: claim owners per the retention policy, replicas in order, then condemned pods
   * (outside [start, start + replicas)) from the top, then the rolling update.
   */
  private void sync(String key, View v) {
    boolean ordered = v.ordered();
    v.byOrdinal().forEach((ord, pod) -> {
      if (!terminating(pod)) claims.updateOwnerRefs(v.set(), ord, pod, !v.inRange(ord));
    });
    for (int ord = v.start(); ord < v.end(); ord++) {
      Pod pod = v.byOrdinal().get(ord);
      if (pod == null) {
        claims.create(v.set(), ord);
        create(key, v, ord);
        if (ordered) return;
        continue;
      }
      if ("Failed".equals(PodStatus.phase(pod)) && !terminating(pod)) {
        delete(key, List.of(pod)); // recreated under the same name on a later pass
        if (ordered) return;
        continue;
      }
      if (ordered && !healthy(pod, v.minReadySeconds())) return; // wait for it before touching the next ordinal
    }
    List<Pod> condemned = new ArrayList<>(v.byOrdinal().tailMap(v.end(), true).descendingMap().values());
    condemned.addAll(v.byOrdinal().headMap(v.start(), false).descendingMap().values());
    if (ordered) {
      // one at a time, waiting for each to be gone
      if (!condemned.isEmpty()) {
        if (!terminating(condemned.get(0))) delete(key, List.of(condemned.get(0)));
        return;
      }
    } else {
      delete(key, condemned.stream().filter(p -> !terminating(p)).toList());
    }
    if (v.set().getSpec().getUpdateStrategy() != null && "OnDelete".equals(v.set().getSpec().getUpdateStrategy().getType())) return;
    Integer maxUnavailable = maxUnavailable(v.set(), v.replicas());
    if (maxUnavailable == null) rollOneAtATime(key, v);
    else rollWithinMaxUnavailable(key, v, maxUnavailable);
  }

  /** From the highest ordinal down to the partition: replace one old pod, then wait for it to be healthy. */
  private void rollOneAtATime(String key, View v) {
    String updateName = v.update().getMetadata().getName();
    for (int ord = v.end() - 1; ord >= v.start() + partition(v.set()); ord--) {
      Pod pod = v.byOrdinal().get(ord);
      if (pod == null) return;
      if (!revisionOf(pod).equals(updateName) && !terminating(pod)) {
        delete(key, List.of(pod));
        return;
      }
      if (!healthy(pod, v.minReadySeconds())) return;
    }
  }

  /**
   * rollingUpdate.maxUnavailable (upstream's MaxUnavailableStatefulSet): as many old pods from the top as leave at
   * most maxUnavailable of the wanted pods unavailable.
   */
  private void rollWithinMaxUnavailable(String key, View v, int maxUnavailable) {
    int unavailable = 0;
    for (int ord = v.start(); ord < v.end(); ord++) {
      Pod pod = v.byOrdinal().get(ord);
      if (pod == null || !healthy(pod, v.minReadySeconds())) unavailable++;
    }
    String updateName = v.update().getMetadata().getName();
    List<Pod> victims = new ArrayList<>();
    for (int ord = v.end() - 1; ord >= v.start() + partition(v.set()) && victims.size() < maxUnavailable - unavailable; ord--) {
      Pod pod = v.byOrdinal().get(ord);
      if (pod != null && !revisionOf(pod).equals(updateName) && !terminating(pod)) victims.add(pod);
    }
    delete(key, victims);
  }

  /** rollingUpdate.maxUnavailable against spec.replicas, percentages rounded down, at least 1; null when unset. */
  private static Integer maxUnavailable(StatefulSet set, int replicas) {
    var s = set.getSpec().getUpdateStrategy();
    if (s == null || s.getRollingUpdate() == null || s.getRollingUpdate().getMaxUnavailable() == null) return null;
    var v = s.getRollingUpdate().getMaxUnavailable();
    int n = v.getStrVal() == null ? v.getIntVal()
        : (int) Math.floor(Integer.parseInt(v.getStrVal().replace("%", "")) * replicas / 100.0);
    return Math.max(n, 1);
  }

  private static int partition(StatefulSet set) {
    var s = set.getSpec().getUpdateStrategy();
    if (s == null || s.getRollingUpdate() == null || s.getRollingUpdate().getPartition() == null) return 0;
    return s.getRollingUpdate().getPartition();
  }

  private void delete(String key, List<Pod> victims) {
    StatefulSet owner = sets.getIndexer().getByKey(key);
    PodDeletions.delete(client, deletions, key, victims, p -> {
      if (owner != null) {
        events().normal(owner, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful",
            p.getMetadata().getName(), owner.getMetadata().getName());
      }
    }, (p, e) -> {
      if (owner != null) {
        events().warning(owner, "FailedDelete", "delete Pod %s in StatefulSet %s failed error: %s",
            p.getMetadata().getName(), owner.getMetadata().getName(), EventRecorder.errorMessage(e));
      }
    });
  }

  private void create(String key, View v, int ord) {
    creations.expectCreations(key, 1);
    try {
      Pod created = client.pods().inNamespace(v.set().getMetadata().getNamespace()).resource(newPod(v, ord)).create();
      events().normal(v.set(), "SuccessfulCreate", "create Pod %s in StatefulSet %s successful",
          created.getMetadata().getName(), v.set().getMetadata().getName());
    } catch (KubernetesClientException e) {
      creations.creationObserved(key);
      if (e.getCode() != 409) {
        events().warning(v.set(), "FailedCreate", "create Pod %s in StatefulSet %s failed error: %s",
            v.set().getMetadata().getName() + "-" + ord, v.set().getMetadata().getName(), EventRecorder.errorMessage(e));
        throw e;
      }
      // already there: the informer has not shown it yet
    }
  }

  /** Upstream's newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
  private Pod newPod(View v, int ord) {
    StatefulSet set = v.set();
    boolean rolling = set.getSpec().getUpdateStrategy() == null || !"OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
    ControllerRevision revision = rolling && ord < v.start() + partition(set) ? v.current() : v.update();
    PodTemplateSpec t = revision == v.update() ? Serialization.clone(set.getSpec().getTemplate()) : ControllerHistory.template(revision);
    String name = set.getMetadata().getName() + "-" + ord;
    Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getLabels());
    labels.put(POD_NAME_LABEL, name);
    labels.put(POD_INDEX_LABEL, Integer.toString(ord));
    labels.put(ControllerHistory.HASH_LABEL, revision.getMetadata().getName());
    PodSpec spec = t.getSpec();
    spec.setHostname(name);
    spec.setSubdomain(set.getSpec().getServiceName());
    if (set.getSpec().getVolumeClaimTemplates() != null) {
      List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
      for (PersistentVolumeClaim c : set.getSpec().getVolumeClaimTemplates()) {
        String volume = c.getMetadata().getName();
        volumes.removeIf(x -> volume.equals(x.getName()));
        volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim()
            .withClaimName(StatefulSetClaims.claimName(volume, set.getMetadata().getName(), ord)).endPersistentVolumeClaim().build());
      }
      spec.setVolumes(volumes);
    }
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(set.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(t.getMetadata() == null ? null : t.getMetadata().getAnnotations())
        .withFinalizers(t.getMetadata() == null ? null : t.getMetadata().getFinalizers())
        .withOwnerReferences(history.ownerRef(set))
        .endMetadata().withSpec(spec).build();
  }

  private static StatefulSetStatus status(View v, int collisions) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int current = 0;
    int updated = 0;
    String currentName = v.current().getMetadata().getName();
    String updateName = v.update().getMetadata().getName();
    List<Pod> all = new ArrayList<>(v.byOrdinal().values());
    for (Pod p : all) {
      replicas++;
      if ("Running".equals(PodStatus.phase(p)) && PodStatus.ready(p)) {
        ready++;
        if (PodStatus.available(p, v.minReadySeconds())) available++;
      }
      if (!terminating(p)) {
        if (revisionOf(p).equals(currentName)) current++;
        if (revisionOf(p).equals(updateName)) updated++;
      }
    }
    StatefulSetStatus s = v.set().getStatus() == null ? new StatefulSetStatus() : Serialization.clone(v.set().getStatus());
    s.setReplicas(replicas);
    s.setReadyReplicas(ready);
    s.setAvailableReplicas(available);
    s.setCurrentReplicas(current);
    s.setUpdatedReplicas(updated);
    s.setCurrentRevision(currentName);
    s.setUpdateRevision(updateName);
    s.setObservedGeneration(v.set().getMetadata().getGeneration());
    s.setCollisionCount(collisions == 0 && s.getCollisionCount() == null ? null : collisions);
    boolean rolling = v.set().getSpec().getUpdateStrategy() == null
        || !"OnDelete".equals(v.set().getSpec().getUpdateStrategy().getType());
    // upstream's completeRollingUpdate: once every pod is updated and ready, the update revision becomes current
    if (rolling && updated == replicas && ready == replicas) {
      s.setCurrentRevision(updateName);
      s.setCurrentReplicas(updated);
    }
    return s;
  }
}
