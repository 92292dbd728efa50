package io.planet.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's pv-protection controller: a volume carries the kubernetes.io/pv-protection finalizer; once it is being
 * deleted and not Bound to a claim, the finalizer goes and the volume with it.
 */
public final class PvProtectionController extends Controller {
  private final KubernetesClient client;
  private SharedIndexInformer<PersistentVolume> volumes;

  public PvProtectionController(KubernetesClient client) {
    super("pv-protection", 1);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    volumes = informers.informer(PersistentVolume.class);
    volumes.addEventHandler(enqueueing());
  }

  @Override
  protected void reconcile(String key) {
    PersistentVolume v = volumes.getStore().getByKey(key);
    if (v == null) return;
    List<String> finalizers = v.getMetadata().getFinalizers() == null ? List.of() : v.getMetadata().getFinalizers();
    boolean has = finalizers.contains(VolumeAnnotations.PV_PROTECTION);
    if (v.getMetadata().getDeletionTimestamp() == null) {
      if (!has) setFinalizer(v, true);
      return;
    }
    if (!has) return;
    // upstream reads the phase from the API server too: the binder may have just bound it
    PersistentVolume fresh = client.persistentVolumes().withName(key).get();
    if (fresh == null || fresh.getStatus() != null && "Bound".equals(fresh.getStatus().getPhase())) return;
    setFinalizer(fresh, false);
    log.info("removed the protection of volume {}: not bound", key);
  }

  private void setFinalizer(PersistentVolume v, boolean add) {
    PersistentVolume copy = Serialization.clone(v);
    List<String> f = copy.getMetadata().getFinalizers() == null ? new ArrayList<>()
        : new ArrayList<>(copy.getMetadata().getFinalizers());
    if (add) f.add(VolumeAnnotations.PV_PROTECTION);
    else f.remove(VolumeAnnotations.PV_PROTECTION);
    copy.getMetadata().setFinalizers(f);
    try {
      client.persistentVolumes().resource(copy).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }
}
