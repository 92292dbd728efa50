package io.planet.controllers;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.List;

/**
 * apps/v1 Deployment: rolls a pod template out through ReplicaSets named {@code <deployment>-<pod-template-hash>},
 * RollingUpdate or Recreate, keeps revision history, and reports rollout status (upstream's deployment controller).
 * The ReplicaSet controller turns the ReplicaSets' sizes into pods.
 */
public final class DeploymentController extends Controller {
  private final KubernetesClient client;
  private SharedIndexInformer<Deployment> deployments;
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Pod> pods;

  public DeploymentController(KubernetesClient client) {
    super("deployment", 5);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    deployments = informers.informer(Deployment.class);
    replicaSets = informers.informer(ReplicaSet.class);
    pods = informers.informer(Pod.class);
    deployments.addEventHandler(enqueueing());
    replicaSets.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ReplicaSet rs) {
        enqueueOwners(rs);
      }

      @Override
      public void onUpdate(ReplicaSet old, ReplicaSet rs) {
        // both: a changed controllerRef or labels concern the old owner as much as the new one
        enqueueOwners(old);
        enqueueOwners(rs);
      }

      @Override
      public void onDelete(ReplicaSet rs, boolean unknown) {
        enqueueOwners(rs);
      }
    });
    // Recreate waits for the old pods to be gone
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {}

      @Override
      public void onUpdate(Pod old, Pod pod) {}

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        OwnerReference ref = ReplicaController.controllerRef(pod);
        if (ref == null || !"ReplicaSet".equals(ref.getKind())) return;
        ReplicaSet rs = replicaSets.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + ref.getName());
        if (rs == null) return;
        OwnerReference dref = ReplicaController.controllerRef(rs);
        if (dref == null || !"Deployment".equals(dref.getKind())) return;
        Deployment d = deployments.getStore().getByKey(rs.getMetadata().getNamespace() + "/" + dref.getName());
        if (d != null && !Rollouts.rollingUpdate(d)) enqueue(key(d));
      }
    });
  }

  private void enqueueOwners(ReplicaSet rs) {
    OwnerReference ref = ReplicaController.controllerRef(rs);
    if (ref != null) {
      if ("Deployment".equals(ref.getKind())) enqueue(rs.getMetadata().getNamespace() + "/" + ref.getName());
      return;
    }
    // an orphan: any Deployment that selects it may adopt it
    for (Deployment d : deployments.getIndexer().byIndex(Cache.NAMESPACE_INDEX, rs.getMetadata().getNamespace())) {
      if (Selectors.matches(d.getSpec().getSelector(), rs.getMetadata().getLabels())) enqueue(key(d));
    }
  }

  @Override
  protected void reconcile(String key) throws Exception {
    Deployment cached = deployments.getStore().getByKey(key);
    if (cached == null) return;
    Deployment d = Serialization.clone(cached);
    if (selectsEverything(d.getSpec().getSelector())) {
      // upstream refuses to act on a selector that would take every pod in the namespace
      events().warning(d, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
      long gen = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
      DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
      if (s.getObservedGeneration() == null || s.getObservedGeneration() < gen) {
        s.setObservedGeneration(gen);
        d.setStatus(s);
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
      }
      return;
    }
    DeploymentSync sync = new DeploymentSync(client, events(), d, claimReplicaSets(d), this::podsOf);
    sync.run();
    if (sync.requeueAfter != null) throw new Requeue(sync.requeueAfter);
  }

  private static boolean selectsEverything(LabelSelector s) {
    return s == null || (s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
        && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty());
  }

  private List<Pod> podsOf(ReplicaSet rs) {
    List<Pod> out = new ArrayList<>();
    for (Pod p : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, rs.getMetadata().getNamespace())) {
      OwnerReference ref = ReplicaController.controllerRef(p);
      if (ref != null && ref.getUid().equals(rs.getMetadata().getUid())) out.add(p);
    }
    return out;
  }

  /** The ReplicaSets this Deployment controls, after adopting matching orphans and releasing ones that stopped matching. */
  private List<ReplicaSet> claimReplicaSets(Deployment d) {
    String uid = d.getMetadata().getUid();
    boolean deleting = d.getMetadata().getDeletionTimestamp() != null;
    List<ReplicaSet> owned = new ArrayList<>();
    Boolean canAdopt = null;
    for (ReplicaSet rs : replicaSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, d.getMetadata().getNamespace())) {
      OwnerReference ref = ReplicaController.controllerRef(rs);
      boolean matches = Selectors.matches(d.getSpec().getSelector(), rs.getMetadata().getLabels());
      if (ref != null) {
        if (!uid.equals(ref.getUid())) continue;
        if (matches) owned.add(rs);
        else if (!deleting) patchOwnerRefs(rs, "{\"$patch\":\"delete\",\"uid\":\"" + uid + "\"}");
        continue;
      }
      if (!matches || deleting || rs.getMetadata().getDeletionTimestamp() != null) continue;
      if (canAdopt == null) {
        // adopt only if the Deployment is still the same live object, read past the cache
        Deployment fresh = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).get();
        canAdopt = fresh != null && uid.equals(fresh.getMetadata().getUid()) && fresh.getMetadata().getDeletionTimestamp() == null;
      }
      if (!canAdopt) continue;
      String ref2 = """
          {"apiVersion":"apps/v1","kind":"Deployment","name":"%s","uid":"%s","controller":true,"blockOwnerDeletion":true}"""
          .formatted(d.getMetadata().getName(), uid);
      ReplicaSet adopted = patchOwnerRefs(rs, ref2);
      if (adopted != null) owned.add(adopted);
    }
    return owned;
  }

  /** A strategic merge patch of one ownerReference, guarded by the ReplicaSet's uid; null when it is gone or changed. */
  private ReplicaSet patchOwnerRefs(ReplicaSet rs, String ref) {
    String patch = "{\"metadata\":{\"ownerReferences\":[" + ref + "],\"uid\":\"" + rs.getMetadata().getUid() + "\"}}";
    try {
      return client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName())
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) return null;
      throw e;
    }
  }
}
