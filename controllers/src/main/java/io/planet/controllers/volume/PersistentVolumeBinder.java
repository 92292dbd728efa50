package io.planet.controllers.volume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.client.events.EventRecorder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Upstream's persistentvolume-binder (pv_controller.go): binds claims to volumes both ways (PV spec.claimRef, PVC
 * spec.volumeName, the bind-completed and bound-by-controller annotations), keeps the phases (claims Pending, Bound,
 * Lost; volumes Available, Bound, Released, Failed), hands claims of a class with a provisioner to that provisioner
 * (the storage-provisioner annotation; a WaitForFirstConsumer class only once the scheduler set selected-node), and
 * reclaims volumes whose claim is gone: Retain leaves them Released, Delete leaves a provisioned one to its
 * provisioner and fails others (no in-tree deleter here), Recycle fails (deprecated upstream, no recycler here).
 * Claims and volumes share one queue, keyed "claim:ns/name" and "volume:name".
 */
public final class PersistentVolumeBinder extends Controller {
  static final String CLAIM = "claim:";
  static final String VOLUME = "volume:";
  private final KubernetesClient client;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;
  private SharedIndexInformer<StorageClass> classes;
  private SharedIndexInformer<Node> nodes;

  public PersistentVolumeBinder(KubernetesClient client) {
    super("persistentvolume-binder", 2);
    this.client = client;
  }

  @Override
  protected String eventSource() {
    return "persistentvolume-controller";
  }

  @Override
  protected void register(Informers informers) {
    claims = informers.informer(PersistentVolumeClaim.class);
    volumes = informers.informer(PersistentVolume.class);
    classes = informers.informer(StorageClass.class);
    nodes = informers.informer(Node.class);
    claims.addEventHandler(handler(c -> {
      enqueue(CLAIM + key(c));
      // a deleted claim releases its volume
      String v = c.getSpec() == null ? null : c.getSpec().getVolumeName();
      if (v != null && !v.isEmpty()) enqueue(VOLUME + v);
    }));
    volumes.addEventHandler(handler(v -> {
      enqueue(VOLUME + v.getMetadata().getName());
      ObjectReference ref = v.getSpec().getClaimRef();
      if (ref != null && ref.getName() != null) {
        enqueue(CLAIM + ref.getNamespace() + "/" + ref.getName());
      } else {
        // an available volume: pending claims may have been looked at before it was seen (upstream's periodic
        // resync of claims finds it later; here at once)
        for (PersistentVolumeClaim c : claims.getStore().list()) if (!isBound(c)) enqueue(CLAIM + key(c));
      }
    }));
    // a class created after its claims: look at the pending ones again
    classes.addEventHandler(handler(sc -> {
      for (PersistentVolumeClaim c : claims.getStore().list()) {
        if (!isBound(c) && sc.getMetadata().getName().equals(VolumeMatching.storageClass(c))) enqueue(CLAIM + key(c));
      }
    }));
  }

  @Override
  protected void reconcile(String key) {
    if (key.startsWith(CLAIM)) {
      PersistentVolumeClaim c = claims.getStore().getByKey(key.substring(CLAIM.length()));
      if (c != null) syncClaim(c);
    } else if (key.startsWith(VOLUME)) {
      PersistentVolume v = volumes.getStore().getByKey(key.substring(VOLUME.length()));
      if (v != null) syncVolume(v);
    }
  }

  private static boolean isBound(PersistentVolumeClaim c) {
    return "yes".equals(annotation(c.getMetadata().getAnnotations(), VolumeAnnotations.BIND_COMPLETED));
  }

  // ---- claims

  private void syncClaim(PersistentVolumeClaim claim) {
    if (!isBound(claim)) syncUnboundClaim(claim);
    else syncBoundClaim(claim);
  }

  private void syncUnboundClaim(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isEmpty()) {
      String className = VolumeMatching.storageClass(claim);
      StorageClass sc = className.isEmpty() ? null : classes.getStore().getByKey(className);
      String selectedNode = annotation(claim.getMetadata().getAnnotations(), VolumeAnnotations.SELECTED_NODE);
      boolean waitForConsumer = sc != null && VolumeAnnotations.WAIT_FOR_FIRST_CONSUMER.equals(sc.getVolumeBindingMode());
      boolean delayBinding = waitForConsumer && selectedNode == null;
      Node node = waitForConsumer && selectedNode != null ? nodes.getStore().getByKey(selectedNode) : null;
      PersistentVolume v = VolumeMatching.findBest(claim, volumes.getStore().list(), delayBinding, node);
      if (v != null) {
        bind(v, claim);
        return;
      }
      if (delayBinding) {
        claim = updateClaimPhase(claim, "Pending", null);
        event(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      } else if (sc != null) {
        claim = setProvisioner(claim, sc.getProvisioner());
        claim = updateClaimPhase(claim, "Pending", null);
        event(claim, "Normal", "ExternalProvisioning", "Waiting for a volume to be created either by the external "
            + "provisioner '" + sc.getProvisioner() + "' or manually by the system administrator. If volume creation "
            + "is delayed, please verify that the provisioner is running and correctly registered.");
      } else if (!className.isEmpty()) {
        claim = updateClaimPhase(claim, "Pending", null);
        event(claim, "Warning", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className + "\" not found");
      } else {
        claim = updateClaimPhase(claim, "Pending", null);
        event(claim, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
      }
      return;
    }
    // the user asked for a particular volume
    PersistentVolume v = volumes.getStore().getByKey(volumeName);
    if (v == null) {
      updateClaimPhase(claim, "Pending", null);
      return;
    }
    if (v.getSpec().getClaimRef() == null) {
      String why = VolumeMatching.mismatch(v, claim);
      if (why != null) {
        claim = updateClaimPhase(claim, "Pending", null);
        event(claim, "Warning", "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": " + why);
        return;
      }
      bind(v, claim);
    } else if (VolumeMatching.isPreBoundTo(v, claim)) {
      bind(v, claim);
    } else {
      claim = updateClaimPhase(claim, "Pending", null);
      event(claim, "Warning", "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.");
    }
  }

  private void syncBoundClaim(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isEmpty()) {
      lost(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
      return;
    }
    PersistentVolume v = volumes.getStore().getByKey(volumeName);
    if (v == null) {
      lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    } else if (v.getSpec().getClaimRef() == null || Objects.equals(v.getSpec().getClaimRef().getUid(), claim.getMetadata().getUid())) {
      bind(v, claim);
    } else {
      lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
    }
  }

  private void lost(PersistentVolumeClaim claim, String reason, String message) {
    if ("Lost".equals(phase(claim))) return;
    claim = updateClaimPhase(claim, "Lost", null);
    event(claim, "Warning", reason, message);
  }

  /** Hands the claim to the external provisioner: it provisions claims annotated with its name. */
  private PersistentVolumeClaim setProvisioner(PersistentVolumeClaim claim, String provisioner) {
    Map<String, String> a = claim.getMetadata().getAnnotations();
    if (provisioner.equals(annotation(a, VolumeAnnotations.STORAGE_PROVISIONER))
        && provisioner.equals(annotation(a, VolumeAnnotations.BETA_STORAGE_PROVISIONER))) {
      return claim;
    }
    PersistentVolumeClaim copy = Serialization.clone(claim);
    annotations(copy.getMetadata()).put(VolumeAnnotations.STORAGE_PROVISIONER, provisioner);
    annotations(copy.getMetadata()).put(VolumeAnnotations.BETA_STORAGE_PROVISIONER, provisioner);
    return client.persistentVolumeClaims().inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
  }

  // ---- binding

  /** Upstream's bind: the volume points to the claim, is Bound; the claim points to the volume, is Bound. */
  private void bind(PersistentVolume v, PersistentVolumeClaim claim) {
    v = bindVolumeToClaim(v, claim);
    v = updateVolumePhase(v, "Bound", null);
    claim = bindClaimToVolume(claim, v);
    updateClaimPhase(claim, "Bound", v);
  }

  private PersistentVolume bindVolumeToClaim(PersistentVolume v, PersistentVolumeClaim claim) {
    ObjectReference ref = v.getSpec().getClaimRef();
    boolean boundToThis = ref != null && Objects.equals(ref.getUid(), claim.getMetadata().getUid())
        && claim.getMetadata().getName().equals(ref.getName()) && claim.getMetadata().getNamespace().equals(ref.getNamespace());
    if (boundToThis) return v;
    PersistentVolume copy = Serialization.clone(v);
    copy.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
        .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
        .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion()).build());
    // a volume the user pre-bound to this claim by name stays the user's binding
    if (!VolumeMatching.isPreBoundTo(v, claim)) {
      annotations(copy.getMetadata()).put(VolumeAnnotations.BOUND_BY_CONTROLLER, "yes");
    }
    PersistentVolume out = client.persistentVolumes().resource(copy).update();
    log.info("volume {} bound to claim {}/{}", v.getMetadata().getName(), claim.getMetadata().getNamespace(),
        claim.getMetadata().getName());
    return out;
  }

  private PersistentVolumeClaim bindClaimToVolume(PersistentVolumeClaim claim, PersistentVolume v) {
    String name = v.getMetadata().getName();
    boolean named = name.equals(claim.getSpec().getVolumeName());
    if (named && isBound(claim)) return claim;
    PersistentVolumeClaim copy = Serialization.clone(claim);
    if (!named) {
      copy.getSpec().setVolumeName(name);
      annotations(copy.getMetadata()).put(VolumeAnnotations.BOUND_BY_CONTROLLER, "yes");
    }
    annotations(copy.getMetadata()).put(VolumeAnnotations.BIND_COMPLETED, "yes");
    return client.persistentVolumeClaims().inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
  }

  private PersistentVolumeClaim updateClaimPhase(PersistentVolumeClaim claim, String phase, PersistentVolume v) {
    PersistentVolumeClaimStatus s = claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
    Object modes = v == null ? null : v.getSpec().getAccessModes();
    Object capacity = v == null ? null : v.getSpec().getCapacity();
    if (phase.equals(s.getPhase()) && Objects.equals(emptyToNull(s.getAccessModes()), emptyToNull(modes))
        && Objects.equals(emptyToNull(s.getCapacity()), emptyToNull(capacity))) {
      return claim;
    }
    PersistentVolumeClaim copy = Serialization.clone(claim);
    if (copy.getStatus() == null) copy.setStatus(new PersistentVolumeClaimStatus());
    copy.getStatus().setPhase(phase);
    copy.getStatus().setAccessModes(v == null ? null : v.getSpec().getAccessModes());
    copy.getStatus().setCapacity(v == null ? null : v.getSpec().getCapacity());
    PersistentVolumeClaim out = client.persistentVolumeClaims().inNamespace(copy.getMetadata().getNamespace())
        .resource(copy).updateStatus();
    if (!phase.equals(s.getPhase())) log.info("claim {} entered phase {}", key(claim), phase);
    return out;
  }

  // ---- volumes

  private void syncVolume(PersistentVolume v) {
    ObjectReference ref = v.getSpec().getClaimRef();
    if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
      // unused, or reserved for a claim that the claim's sync binds
      updateVolumePhase(v, "Available", null);
      return;
    }
    PersistentVolumeClaim claim = claims.getStore().getByKey(ref.getNamespace() + "/" + ref.getName());
    if (claim != null && !ref.getUid().equals(claim.getMetadata().getUid())) claim = null; // deleted and made again
    if (claim == null) {
      // the claim is gone: the reclaim policy decides; a Failed volume stays Failed for the user to see
      if (!"Released".equals(phase(v)) && !"Failed".equals(phase(v))) {
        log.info("volume {} is released and reclaim policy {} will be executed", v.getMetadata().getName(),
            v.getSpec().getPersistentVolumeReclaimPolicy());
        v = updateVolumePhase(v, "Released", null);
      }
      reclaim(v);
    } else if (claim.getSpec().getVolumeName() == null || claim.getSpec().getVolumeName().isEmpty()) {
      // the claim's half of the binding is still to be written
      enqueue(CLAIM + key(claim));
    } else if (claim.getSpec().getVolumeName().equals(v.getMetadata().getName())) {
      updateVolumePhase(v, "Bound", null);
    } else if (annotation(v.getMetadata().getAnnotations(), VolumeAnnotations.PROVISIONED_BY) != null
        && "Delete".equals(v.getSpec().getPersistentVolumeReclaimPolicy())) {
      // provisioned for this claim, which got bound elsewhere: not needed
      if (!"Released".equals(phase(v)) && !"Failed".equals(phase(v))) v = updateVolumePhase(v, "Released", null);
      reclaim(v);
    } else {
      unbind(v);
    }
  }

  /** The claim went elsewhere: a volume we bound becomes free; one the user pre-bound stays reserved by name. */
  private void unbind(PersistentVolume v) {
    PersistentVolume copy = Serialization.clone(v);
    if (annotation(v.getMetadata().getAnnotations(), VolumeAnnotations.BOUND_BY_CONTROLLER) != null) {
      copy.getSpec().setClaimRef(null);
      copy.getMetadata().getAnnotations().remove(VolumeAnnotations.BOUND_BY_CONTROLLER);
    } else {
      copy.getSpec().getClaimRef().setUid("");
    }
    copy = client.persistentVolumes().resource(copy).update();
    updateVolumePhase(copy, "Available", null);
  }

  private void reclaim(PersistentVolume v) {
    String policy = v.getSpec().getPersistentVolumeReclaimPolicy() == null ? "Retain" : v.getSpec().getPersistentVolumeReclaimPolicy();
    switch (policy) {
      case "Retain" -> log.debug("volume {}: policy is Retain, nothing to do", v.getMetadata().getName());
      case "Recycle" -> failed(v, "VolumeFailedRecycle", "No recycler plugin found for the volume!");
      case "Delete" -> {
        // an external provisioner deletes the volumes it provisioned (it watches for Released ones)
        if (annotation(v.getMetadata().getAnnotations(), VolumeAnnotations.PROVISIONED_BY) != null) return;
        failed(v, "VolumeFailedDelete", "error getting deleter volume plugin for volume \"" + v.getMetadata().getName()
            + "\": no deletable volume plugin matched");
      }
      default -> log.warn("volume {}: unknown reclaim policy {}", v.getMetadata().getName(), policy);
    }
  }

  private void failed(PersistentVolume v, String reason, String message) {
    if ("Failed".equals(phase(v))) return;
    v = updateVolumePhase(v, "Failed", message);
    events().event(EventRecorder.reference(v), "Warning", reason, message);
  }

  private PersistentVolume updateVolumePhase(PersistentVolume v, String phase, String message) {
    if (phase.equals(phase(v)) && Objects.equals(message, v.getStatus().getMessage())) return v;
    PersistentVolume copy = Serialization.clone(v);
    if (copy.getStatus() == null) copy.setStatus(new PersistentVolumeStatus());
    copy.getStatus().setPhase(phase);
    copy.getStatus().setMessage(message);
    PersistentVolume out = client.persistentVolumes().resource(copy).updateStatus();
    log.info("volume {} entered phase {}", v.getMetadata().getName(), phase);
    return out;
  }

  // ---- helpers

  private void event(PersistentVolumeClaim claim, String type, String reason, String message) {
    events().event(EventRecorder.reference(claim), type, reason, message);
  }

  private static String phase(PersistentVolumeClaim c) {
    return c.getStatus() == null ? null : c.getStatus().getPhase();
  }

  private static String phase(PersistentVolume v) {
    return v.getStatus() == null ? null : v.getStatus().getPhase();
  }

  static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }

  static Map<String, String> annotations(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
    if (meta.getAnnotations() == null) meta.setAnnotations(new HashMap<>());
    return meta.getAnnotations();
  }

  private static Object emptyToNull(Object o) {
    if (o instanceof java.util.Collection<?> c && c.isEmpty()) return null;
    if (o instanceof Map<?, ?> m && m.isEmpty()) return null;
    return o;
  }
}
