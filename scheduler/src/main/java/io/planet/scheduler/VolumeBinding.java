package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Upstream's VolumeBinding plugin, without volume binding in the scheduler itself (the persistentvolume-binder and
 * the provisioners do it): PreFilter rejects a pod whose claim is missing, being deleted, or unbound with an
 * Immediate class; Filter keeps nodes a bound claim's volume is reachable from (its node affinity) and, for an
 * unbound WaitForFirstConsumer claim, nodes with a matching available volume or any node when the class has a
 * provisioner; PreBind writes volume.kubernetes.io/selected-node on such claims so their provisioner provisions on
 * the chosen node.
 */
public final class VolumeBinding implements FilterPlugin {
  static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
  static final String NODE_AFFINITY_CONFLICT = "node(s) had volume node affinity conflict";
  static final String NO_MATCHING_VOLUME = "node(s) didn't find available persistent volumes to bind";
  static final String MISSING_VOLUME = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
  static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

  /** Where the plugin reads claims, volumes and classes (the scheduler's informers). */
  public interface Lister {
    PersistentVolumeClaim claim(String namespace, String name);

    PersistentVolume volume(String name);

    Collection<PersistentVolume> volumes();

    StorageClass storageClass(String name);
  }

  /** Writes selected-node on a claim. */
  public interface ClaimWriter {
    void selectNode(PersistentVolumeClaim claim, String node);
  }

  /** No storage objects at all: pods without claims schedule as before (tests of other plugins). */
  static final VolumeBinding NONE = new VolumeBinding(null, null);

  private final Lister lister;
  private final ClaimWriter writer;

  public VolumeBinding(Lister lister, ClaimWriter writer) {
    this.lister = lister;
    this.writer = writer;
  }

  @Override
  public String name() {
    return "VolumeBinding";
  }

  /** The claims a pod uses: persistentVolumeClaim volumes and generic ephemeral volumes (claim pod-volume). */
  static List<String> claimNames(Pod pod) {
    List<String> out = new ArrayList<>();
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return out;
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) out.add(v.getPersistentVolumeClaim().getClaimName());
      else if (v.getEphemeral() != null) out.add(pod.getMetadata().getName() + "-" + v.getName());
    }
    return out;
  }

  /** Why no node can take the pod whatever the node (upstream's PreFilter, UnschedulableAndUnresolvable), or null. */
  String preFilter(PodContext ctx) {
    if (lister == null) return null;
    String ns = ctx.pod.getMetadata().getNamespace();
    for (String name : claimNames(ctx.pod)) {
      PersistentVolumeClaim claim = lister.claim(ns, name);
      if (claim == null) return "persistentvolumeclaim \"" + name + "\" not found";
      if (claim.getMetadata().getDeletionTimestamp() != null) return "persistentvolumeclaim \"" + name + "\" is being deleted";
      if (bound(claim)) continue;
      StorageClass sc = lister.storageClass(storageClass(claim));
      if (sc == null || !"WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) return UNBOUND_IMMEDIATE;
    }
    return null;
  }

  @Override
  public List<String> filter(PodContext ctx, NodeInfo node) {
    if (lister == null) return List.of();
    String ns = ctx.pod.getMetadata().getNamespace();
    for (String name : claimNames(ctx.pod)) {
      PersistentVolumeClaim claim = lister.claim(ns, name);
      if (claim == null) continue; // PreFilter said so already
      if (bound(claim)) {
        PersistentVolume pv = lister.volume(claim.getSpec().getVolumeName());
        if (pv == null) return List.of(MISSING_VOLUME);
        if (!reachable(pv, node)) return List.of(NODE_AFFINITY_CONFLICT);
        continue;
      }
      StorageClass sc = lister.storageClass(storageClass(claim));
      if (sc == null) return List.of(NO_MATCHING_VOLUME);
      if (sc.getProvisioner() != null && !NO_PROVISIONER.equals(sc.getProvisioner())) continue;
      if (!hasMatchingVolume(claim, node)) return List.of(NO_MATCHING_VOLUME);
    }
    return List.of();
  }

  /**
   * Upstream's PreBind, before the pod is bound: the pod's unbound WaitForFirstConsumer claims get the node.
   * Returns whether the pod has such claims (the pod is bound only once they are, see {@link #claimsBound}).
   */
  boolean preBind(Pod pod, String node) {
    if (lister == null) return false;
    boolean waiting = false;
    for (String name : claimNames(pod)) {
      PersistentVolumeClaim claim = lister.claim(pod.getMetadata().getNamespace(), name);
      if (claim == null || bound(claim)) continue;
      waiting = true;
      Map<String, String> a = claim.getMetadata().getAnnotations();
      if (a != null && node.equals(a.get(SELECTED_NODE))) continue;
      writer.selectNode(claim, node);
    }
    return waiting;
  }

  /** Whether the binder has completed the binding of every claim of the pod (upstream's checkBindings). */
  boolean claimsBound(Pod pod) {
    if (lister == null) return true;
    for (String name : claimNames(pod)) {
      PersistentVolumeClaim claim = lister.claim(pod.getMetadata().getNamespace(), name);
      if (claim == null) return false;
      Map<String, String> a = claim.getMetadata().getAnnotations();
      if (!bound(claim) || a == null || !"yes".equals(a.get("pv.kubernetes.io/bind-completed"))) return false;
    }
    return true;
  }

  private boolean hasMatchingVolume(PersistentVolumeClaim claim, NodeInfo node) {
    BigDecimal wanted = storage(claim.getSpec().getResources() == null ? null : claim.getSpec().getResources().getRequests());
    List<String> modes = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
    for (PersistentVolume pv : lister.volumes()) {
      if (pv.getSpec().getClaimRef() != null || pv.getMetadata().getDeletionTimestamp() != null) continue;
      if (pv.getStatus() != null && !"Available".equals(pv.getStatus().getPhase()) && pv.getStatus().getPhase() != null) continue;
      if (!storageClass(claim).equals(pv.getSpec().getStorageClassName() == null ? "" : pv.getSpec().getStorageClassName())) continue;
      BigDecimal size = storage(pv.getSpec().getCapacity());
      if (size == null || wanted != null && size.compareTo(wanted) < 0) continue;
      if (pv.getSpec().getAccessModes() == null || !pv.getSpec().getAccessModes().containsAll(modes)) continue;
      if (claim.getSpec().getSelector() != null && !Selectors.matches(claim.getSpec().getSelector(), pv.getMetadata().getLabels())) continue;
      if (reachable(pv, node)) return true;
    }
    return false;
  }

  /** Whether the volume's required node affinity admits the node. */
  static boolean reachable(PersistentVolume pv, NodeInfo node) {
    var affinity = pv.getSpec().getNodeAffinity();
    if (affinity == null || affinity.getRequired() == null || affinity.getRequired().getNodeSelectorTerms() == null) {
      return true;
    }
    for (NodeSelectorTerm t : affinity.getRequired().getNodeSelectorTerms()) {
      if (Selectors.matches(t, node.labels(), node.name())) return true;
    }
    return false;
  }

  private static boolean bound(PersistentVolumeClaim claim) {
    return claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty();
  }

  private static String storageClass(PersistentVolumeClaim claim) {
    if (claim.getSpec().getStorageClassName() != null) return claim.getSpec().getStorageClassName();
    Map<String, String> a = claim.getMetadata().getAnnotations();
    String beta = a == null ? null : a.get("volume.beta.kubernetes.io/storage-class");
    return beta == null ? "" : beta;
  }

  private static BigDecimal storage(Map<String, Quantity> resources) {
    Quantity q = resources == null ? null : resources.get("storage");
    return q == null ? null : Quantity.getAmountInBytes(q);
  }
}
