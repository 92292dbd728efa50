package io.planet.controllers.volume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.planet.controllers.Selectors;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Upstream's findMatchingVolume: which PersistentVolume fits a claim (access modes, capacity, class, selector,
 * volumeMode, node affinity), preferring one pre-bound to the claim and otherwise the smallest that fits.
 */
public final class VolumeMatching {
  private VolumeMatching() {}

  /**
   * The best volume for the claim, or null. {@code delayBinding}: only volumes pre-bound to the claim count (the
   * claim waits for its first consumer); {@code node}: the volume must be reachable from that node (null: any).
   */
  public static PersistentVolume findBest(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
      boolean delayBinding, Node node) {
    PersistentVolume smallest = null;
    BigDecimal smallestSize = null;
    BigDecimal requested = requestedStorage(claim);
    for (PersistentVolume v : volumes) {
      if (v.getMetadata().getDeletionTimestamp() != null) continue;
      boolean preBound = isPreBoundTo(v, claim);
      if (v.getSpec().getClaimRef() != null && !preBound) continue;
      if (mismatch(v, claim) != null) continue;
      if (node != null && !nodeAffinityMatches(v, node)) continue;
      if (preBound) return v;
      if (delayBinding) continue;
      String phase = v.getStatus() == null ? null : v.getStatus().getPhase();
      if ("Released".equals(phase) || "Failed".equals(phase)) continue;
      BigDecimal size = storage(v.getSpec().getCapacity());
      if (size == null || size.compareTo(requested) < 0) continue;
      if (smallest == null || size.compareTo(smallestSize) < 0) {
        smallest = v;
        smallestSize = size;
      }
    }
    return smallest;
  }

  /** Why the volume cannot serve the claim (upstream's checkVolumeSatisfyClaim), or null when it can. */
  public static String mismatch(PersistentVolume v, PersistentVolumeClaim claim) {
    BigDecimal requested = requestedStorage(claim);
    BigDecimal size = storage(v.getSpec().getCapacity());
    if (size == null || size.compareTo(requested) < 0) {
      return "requested PV is too small";
    }
    if (!storageClass(claim).equals(nullToEmpty(v.getSpec().getStorageClassName()))) {
      return "storageClassName does not match";
    }
    if (!volumeMode(claim.getSpec().getVolumeMode()).equals(volumeMode(v.getSpec().getVolumeMode()))) {
      return "incompatible volumeMode";
    }
    List<String> wanted = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
    List<String> offered = v.getSpec().getAccessModes() == null ? List.of() : v.getSpec().getAccessModes();
    if (!offered.containsAll(wanted)) return "incompatible accessMode";
    if (claim.getSpec().getSelector() != null
        && !Selectors.matches(claim.getSpec().getSelector(), v.getMetadata().getLabels())) {
      return "volume labels do not match the claim's selector";
    }
    return null;
  }

  /** Whether the volume's claimRef names this claim (and, when it has a uid, this very claim). */
  public static boolean isPreBoundTo(PersistentVolume v, PersistentVolumeClaim claim) {
    ObjectReference ref = v.getSpec().getClaimRef();
    if (ref == null) return false;
    if (!claim.getMetadata().getName().equals(ref.getName())
        || !claim.getMetadata().getNamespace().equals(ref.getNamespace())) {
      return false;
    }
    return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
  }

  /** The claim's class: spec.storageClassName, else the beta annotation, else "". */
  public static String storageClass(PersistentVolumeClaim claim) {
    if (claim.getSpec().getStorageClassName() != null) return claim.getSpec().getStorageClassName();
    Map<String, String> a = claim.getMetadata().getAnnotations();
    return a != null && a.get(VolumeAnnotations.BETA_STORAGE_CLASS) != null ? a.get(VolumeAnnotations.BETA_STORAGE_CLASS) : "";
  }

  static BigDecimal requestedStorage(PersistentVolumeClaim claim) {
    var resources = claim.getSpec().getResources();
    BigDecimal r = resources == null ? null : storage(resources.getRequests());
    return r == null ? BigDecimal.ZERO : r;
  }

  static BigDecimal storage(Map<String, Quantity> resources) {
    Quantity q = resources == null ? null : resources.get("storage");
    return q == null ? null : Quantity.getAmountInBytes(q);
  }

  /** Whether the volume's required node affinity admits the node (a volume without one is reachable from all). */
  public static boolean nodeAffinityMatches(PersistentVolume v, Node node) {
    var affinity = v.getSpec().getNodeAffinity();
    if (affinity == null || affinity.getRequired() == null || affinity.getRequired().getNodeSelectorTerms() == null) {
      return true;
    }
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    for (NodeSelectorTerm t : affinity.getRequired().getNodeSelectorTerms()) {
      if (termMatches(t, labels, node.getMetadata().getName())) return true;
    }
    return false;
  }

  static boolean termMatches(NodeSelectorTerm t, Map<String, String> labels, String nodeName) {
    return io.planet.client.scheduling.NodeSelectorTerms.matches(t, labels, nodeName);
  }



  private static String volumeMode(String m) {
    return m == null || m.isEmpty() ? "Filesystem" : m;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
