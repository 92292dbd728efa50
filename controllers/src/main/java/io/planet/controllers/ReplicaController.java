package io.planet.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What ReplicaSet and ReplicationController share (upstream runs one controller for both): keep spec.replicas
 * active pods from the template, adopt matching orphans, release pods that stop matching, and report status counts.
 */
abstract class ReplicaController<T extends HasMetadata> extends Controller {
  /** Upstream's burstReplicas: at most this many creates or deletes per reconcile. */
  private static final int BURST = 500;
  /** Pod creates and deletes in flight at once, over all owners (upstream sends a whole batch at once). */
  private static final int PARALLEL_WRITES = 16;

  protected final KubernetesClient client;
  private final Class<T> type;
  private final Expectations expectations = new Expectations();
  private SharedIndexInformer<T> owners;
  private SharedIndexInformer<Pod> pods;
  private final ThreadPoolExecutor writes;

  /** The status fields this controller owns. */
  record Counts(int replicas, int fullyLabeled, int ready, int available, long observedGeneration) {}

  ReplicaController(String name, Class<T> type, KubernetesClient client) {
    super(name, 5);
    this.type = type;
    this.client = client;
    // idle threads end on their own, so a stopped controller leaves none behind
    this.writes = new ThreadPoolExecutor(PARALLEL_WRITES, PARALLEL_WRITES, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-pod-writes");
          t.setDaemon(true);
          return t;
        });
    writes.allowCoreThreadTimeOut(true);
  }

  abstract String kind();

  abstract String apiVersion();

  abstract int replicas(T owner);

  abstract boolean selects(T owner, Map<String, String> labels);

  abstract PodTemplateSpec template(T owner);

  abstract int minReadySeconds(T owner);

  abstract Counts status(T owner);

  /** The owner as the API server has it now (null when gone). */
  abstract T fetch(String namespace, String name);

  /** Writes the counts through the status subresource of a fresh copy. */
  abstract void writeStatus(T fresh, Counts counts);

  @Override
  protected void register(Informers informers) {
    owners = informers.informer(type);
    pods = informers.informer(Pod.class);
    owners.addEventHandler(enqueueing());
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          onDelete(pod, false);
          return;
        }
        T owner = controllerOf(pod);
        if (owner != null) {
          expectations.creationObserved(key(owner));
          enqueue(key(owner));
        } else if (controllerRef(pod) == null) {
          matchingOwners(pod).forEach(o -> enqueue(key(o)));
        }
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) return;
        boolean labelsChanged = !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels());
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          // a graceful delete: count it as gone now, as upstream does, so replacements start at once
          onDelete(pod, false);
          if (!Objects.equals(uid(controllerRef(old)), uid(controllerRef(pod)))) {
            T oldOwner = controllerOf(old);
            if (oldOwner != null) onDelete(old, false);
          }
          return;
        }
        if (!Objects.equals(uid(controllerRef(old)), uid(controllerRef(pod)))) {
          T oldOwner = controllerOf(old);
          if (oldOwner != null) enqueue(key(oldOwner));
        }
        T owner = controllerOf(pod);
        if (owner != null) {
          enqueue(key(owner));
          if (minReadySeconds(owner) > 0 && !PodStatus.ready(old) && PodStatus.ready(pod)) {
            enqueueAfter(key(owner), Duration.ofSeconds(minReadySeconds(owner)).plusSeconds(1));
          }
        } else if (labelsChanged || controllerRef(pod) == null && controllerRef(old) != null) {
          matchingOwners(pod).forEach(o -> enqueue(key(o)));
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        T owner = controllerOf(pod);
        if (owner == null) return;
        expectations.deletionObserved(key(owner), pod.getMetadata().getUid());
        enqueue(key(owner));
      }
    });
  }

  private static String uid(OwnerReference r) {
    return r == null ? null : r.getUid();
  }

  static OwnerReference controllerRef(HasMetadata o) {
    if (o.getMetadata().getOwnerReferences() == null) return null;
    return o.getMetadata().getOwnerReferences().stream()
        .filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
  }

  private T controllerOf(Pod pod) {
    OwnerReference ref = controllerRef(pod);
    if (ref == null || !kind().equals(ref.getKind())) return null;
    T owner = owners.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + ref.getName());
    return owner != null && owner.getMetadata().getUid().equals(ref.getUid()) ? owner : null;
  }

  private List<T> matchingOwners(Pod pod) {
    List<T> out = new ArrayList<>();
    for (T o : owners.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
      if (selects(o, pod.getMetadata().getLabels())) out.add(o);
    }
    return out;
  }

  @Override
  protected void reconcile(String key) throws Exception {
    T owner = owners.getStore().getByKey(key);
    if (owner == null) {
      expectations.forget(key);
      return;
    }
    boolean needsSync = expectations.satisfied(key);
    List<Pod> active = new ArrayList<>();
    for (Pod p : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, owner.getMetadata().getNamespace())) {
      if (PodStatus.active(p)) active.add(p);
    }
    List<Pod> owned = claim(owner, active);
    Exception manageError = null;
    if (needsSync && owner.getMetadata().getDeletionTimestamp() == null) {
      try {
        manage(key, owner, owned);
      } catch (Exception e) {
        manageError = e;
      }
    }
    Counts counts = counts(owner, owned);
    if (!counts.equals(status(owner))) {
      T fresh = fetch(owner.getMetadata().getNamespace(), owner.getMetadata().getName());
      try {
        if (fresh != null && fresh.getMetadata().getUid().equals(owner.getMetadata().getUid())) writeStatus(fresh, counts);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e; // deleted meanwhile: no status to keep
      }
    }
    if (manageError != null) throw manageError;
    if (minReadySeconds(owner) > 0 && counts.ready() != counts.available()) {
      throw new Requeue(Duration.ofSeconds(minReadySeconds(owner)));
    }
  }

  /** Pods this owner controls after adopting matching orphans and releasing owned pods that no longer match. */
  private List<Pod> claim(T owner, List<Pod> candidates) {
    List<Pod> owned = new ArrayList<>();
    Boolean canAdopt = null;
    String uid = owner.getMetadata().getUid();
    for (Pod pod : candidates) {
      OwnerReference ref = controllerRef(pod);
      boolean matches = selects(owner, pod.getMetadata().getLabels());
      if (ref != null) {
        if (!uid.equals(ref.getUid())) continue;
        if (matches) {
          owned.add(pod);
        } else if (owner.getMetadata().getDeletionTimestamp() == null) {
          release(pod, uid);
        }
        continue;
      }
      if (!matches || owner.getMetadata().getDeletionTimestamp() != null || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      if (canAdopt == null) {
        // adopt only if the owner is still the same live object (upstream rechecks with an uncached read)
        T fresh = fetch(owner.getMetadata().getNamespace(), owner.getMetadata().getName());
        canAdopt = fresh != null && uid.equals(fresh.getMetadata().getUid()) && fresh.getMetadata().getDeletionTimestamp() == null;
      }
      if (canAdopt && adopt(pod, owner)) owned.add(pod);
    }
    return owned;
  }

  private boolean adopt(Pod pod, T owner) {
    String patch = """
        {"metadata":{"ownerReferences":[%s],"uid":"%s"}}""".formatted(
        Serialization.asJson(ownerRef(owner)), pod.getMetadata().getUid());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) return false; // gone or changed
      throw e;
    }
  }

  private void release(Pod pod, String ownerUid) {
    String patch = """
        {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"%s"}],"uid":"%s"}}""".formatted(
        ownerUid, pod.getMetadata().getUid());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409 && e.getCode() != 422) throw e;
    }
  }

  private OwnerReference ownerRef(T owner) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion()).withKind(kind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  private void manage(String key, T owner, List<Pod> owned) throws InterruptedException {
    int diff = owned.size() - replicas(owner);
    if (diff < 0) {
      int want = Math.min(-diff, BURST);
      expectations.expectCreations(key, want);
      int created = 0;
      // slow start: batches of 1, 2, 4, ..., each sent at once, so a failing template fails once, not want times
      for (int batch = 1; created < want; batch = Math.min(batch * 2, want - created)) {
        int size = Math.min(batch, want - created);
        List<Future<Pod>> creates = new ArrayList<>();
        for (int i = 0; i < size; i++) creates.add(writes.submit(() -> createPod(owner)));
        KubernetesClientException failure = null;
        for (Future<Pod> f : creates) {
          try {
            Pod pod = f.get();
            created++;
            events().normal(owner, "SuccessfulCreate", "Created pod: %s", pod.getMetadata().getName());
          } catch (ExecutionException e) {
            KubernetesClientException k = clientException(e);
            // as upstream: a terminating namespace refuses every create, and that is no failure of ours
            if (!namespaceTerminating(k)) {
              events().warning(owner, "FailedCreate", "Error creating: %s", EventRecorder.errorMessage(k));
            }
            if (failure == null) failure = k;
          }
        }
        if (failure != null) {
          // the ones not created will never show up in the informer
          for (int j = created; j < want; j++) expectations.creationObserved(key);
          if (namespaceTerminating(failure)) return;
          throw failure;
        }
      }
    } else if (diff > 0) {
      List<Pod> victims = PodRanking.toDelete(owned, Math.min(diff, BURST));
      Set<String> uids = new HashSet<>();
      victims.forEach(p -> uids.add(p.getMetadata().getUid()));
      expectations.expectDeletions(key, uids);
      List<Future<Boolean>> deletes = new ArrayList<>();
      // fabric8 answers an empty list, not an error, when the pod is already gone
      for (Pod p : victims) {
        deletes.add(writes.submit(() -> !client.pods().inNamespace(p.getMetadata().getNamespace())
            .withName(p.getMetadata().getName()).delete().isEmpty()));
      }
      KubernetesClientException failure = null;
      for (int i = 0; i < victims.size(); i++) {
        Pod p = victims.get(i);
        try {
          if (deletes.get(i).get()) events().normal(owner, "SuccessfulDelete", "Deleted pod: %s", p.getMetadata().getName());
        } catch (ExecutionException e) {
          KubernetesClientException k = clientException(e);
          expectations.deletionObserved(key, p.getMetadata().getUid());
          if (k.getCode() != 404) {
            events().warning(owner, "FailedDelete", "Error deleting: %s", EventRecorder.errorMessage(k));
            failure = k;
          }
        }
      }
      if (failure != null) throw failure;
    }
  }

  /** The API error behind a failed write; anything else is a bug and goes up as it is. */
  private static KubernetesClientException clientException(ExecutionException e) {
    if (e.getCause() instanceof KubernetesClientException k) return k;
    if (e.getCause() instanceof RuntimeException r) throw r;
    if (e.getCause() instanceof Error err) throw err;
    throw new IllegalStateException(e.getCause());
  }

  static boolean namespaceTerminating(KubernetesClientException e) {
    return e.getCode() == 403 && e.getStatus() != null && e.getStatus().getDetails() != null
        && e.getStatus().getDetails().getCauses() != null
        && e.getStatus().getDetails().getCauses().stream().anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
  }

  private Pod createPod(T owner) {
    PodTemplateSpec t = template(owner);
    Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getLabels());
    Map<String, String> annotations = t.getMetadata() == null || t.getMetadata().getAnnotations() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getAnnotations());
    Pod pod = new PodBuilder().withNewMetadata()
        .withGenerateName(owner.getMetadata().getName() + "-")
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels).withAnnotations(annotations)
        .withFinalizers(t.getMetadata() == null ? null : t.getMetadata().getFinalizers())
        .withOwnerReferences(ownerRef(owner))
        .endMetadata().withSpec(t.getSpec()).build();
    return client.pods().inNamespace(owner.getMetadata().getNamespace()).resource(pod).create();
  }

  private Counts counts(T owner, List<Pod> owned) {
    Map<String, String> templateLabels = template(owner).getMetadata() == null ? null : template(owner).getMetadata().getLabels();
    int fully = 0;
    int ready = 0;
    int available = 0;
    for (Pod p : owned) {
      Map<String, String> l = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
      if (templateLabels == null || l.entrySet().containsAll(templateLabels.entrySet())) fully++;
      if (PodStatus.ready(p)) {
        ready++;
        if (PodStatus.available(p, minReadySeconds(owner))) available++;
      }
    }
    Long generation = owner.getMetadata().getGeneration();
    return new Counts(owned.size(), fully, ready, available, generation == null ? 0 : generation);
  }
}
