package io.planet.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Upstream's pvc-protection controller: a claim carries the kubernetes.io/pvc-protection finalizer (added here too
 * for claims made before the admission plugin was on); once the claim is being deleted and no pod that has not
 * finished uses it, the finalizer goes and the claim with it. The cache's "not used" is checked against the API
 * server before removing, as upstream, since a pod may have been created a moment ago.
 */
public final class PvcProtectionController extends Controller {
  private final KubernetesClient client;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<Pod> pods;

  public PvcProtectionController(KubernetesClient client) {
    super("pvc-protection", 1);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    claims = informers.informer(PersistentVolumeClaim.class);
    pods = informers.informer(Pod.class);
    claims.addEventHandler(enqueueing());
    // a pod that goes away, or finishes, may free the claims it used
    pods.addEventHandler(handler(p -> {
      if (p.getSpec() == null) return;
      for (String claim : claimNames(p)) enqueue(p.getMetadata().getNamespace() + "/" + claim);
    }));
  }

  @Override
  protected void reconcile(String key) {
    PersistentVolumeClaim claim = claims.getStore().getByKey(key);
    if (claim == null) return;
    List<String> finalizers = claim.getMetadata().getFinalizers() == null ? List.of() : claim.getMetadata().getFinalizers();
    boolean has = finalizers.contains(VolumeAnnotations.PVC_PROTECTION);
    if (claim.getMetadata().getDeletionTimestamp() == null) {
      if (!has) setFinalizer(claim, true);
      return;
    }
    if (!has) return;
    String ns = claim.getMetadata().getNamespace();
    String name = claim.getMetadata().getName();
    if (usedBy(pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns), name)) return;
    if (usedBy(client.pods().inNamespace(ns).list().getItems(), name)) return;
    setFinalizer(claim, false);
    log.info("removed the protection of claim {}: no pod uses it", key);
  }

  private static boolean usedBy(Collection<Pod> pods, String claim) {
    for (Pod p : pods) {
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) continue;
      if (claimNames(p).contains(claim)) return true;
    }
    return false;
  }

  /** The claims a pod uses: persistentVolumeClaim volumes and generic ephemeral volumes (named pod-volume). */
  static List<String> claimNames(Pod p) {
    List<String> out = new ArrayList<>();
    if (p.getSpec() == null || p.getSpec().getVolumes() == null) return out;
    for (Volume v : p.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) out.add(v.getPersistentVolumeClaim().getClaimName());
      else if (v.getEphemeral() != null) out.add(p.getMetadata().getName() + "-" + v.getName());
    }
    return out;
  }

  private void setFinalizer(PersistentVolumeClaim claim, boolean add) {
    PersistentVolumeClaim copy = Serialization.clone(claim);
    List<String> f = copy.getMetadata().getFinalizers() == null ? new ArrayList<>()
        : new ArrayList<>(copy.getMetadata().getFinalizers());
    if (add) f.add(VolumeAnnotations.PVC_PROTECTION);
    else f.remove(VolumeAnnotations.PVC_PROTECTION);
    copy.getMetadata().setFinalizers(f);
    try {
      client.persistentVolumeClaims().inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }
}
