package io.planet.controllers;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The PersistentVolumeClaims a StatefulSet makes from spec.volumeClaimTemplates, named
 * {@code <template>-<set>-<ordinal>}, and who owns them under spec.persistentVolumeClaimRetentionPolicy (upstream's
 * updateClaimOwnerRefForSetAndPod): whenDeleted Delete makes the set their controller, so they go with it;
 * whenScaled Delete makes the pod of a scaled-down ordinal their controller, so they go with that pod. Retain on both
 * leaves them unowned. A claim another controller owns is left to it.
 */
final class StatefulSetClaims {
  private final KubernetesClient client;
  private final SharedIndexInformer<PersistentVolumeClaim> claims;
  private final ControllerHistory history;

  StatefulSetClaims(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims, ControllerHistory history) {
    this.client = client;
    this.claims = claims;
    this.history = history;
  }

  static String claimName(String template, String set, int ordinal) {
    return template + "-" + set + "-" + ordinal;
  }

  /** The pod's missing claims, created before the pod; existing claims are left as they are. */
  void create(StatefulSet set, int ord) {
    if (set.getSpec().getVolumeClaimTemplates() == null) return;
    String ns = set.getMetadata().getNamespace();
    List<OwnerReference> refs = ownerRefs(List.of(), set.getSpec().getPersistentVolumeClaimRetentionPolicy(),
        history.ownerRef(set), null, false);
    for (PersistentVolumeClaim t : set.getSpec().getVolumeClaimTemplates()) {
      String name = claimName(t.getMetadata().getName(), set.getMetadata().getName(), ord);
      if (claims.getStore().getByKey(ns + "/" + name) != null) continue;
      Map<String, String> labels = new HashMap<>();
      if (t.getMetadata().getLabels() != null) labels.putAll(t.getMetadata().getLabels());
      if (set.getSpec().getSelector() != null && set.getSpec().getSelector().getMatchLabels() != null) {
        labels.putAll(set.getSpec().getSelector().getMatchLabels());
      }
      PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(ns)
          .withLabels(labels).withAnnotations(t.getMetadata().getAnnotations()).withOwnerReferences(refs).endMetadata()
          .withSpec(Serialization.clone(t.getSpec())).build();
      try {
        client.persistentVolumeClaims().inNamespace(ns).resource(claim).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e;
      }
    }
  }

  /** Brings the ownerReferences of the pod's existing claims in line with the retention policy. */
  void updateOwnerRefs(StatefulSet set, int ord, Pod pod, boolean scaledDown) {
    if (set.getSpec().getVolumeClaimTemplates() == null) return;
    String ns = set.getMetadata().getNamespace();
    OwnerReference podRef = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
    for (PersistentVolumeClaim t : set.getSpec().getVolumeClaimTemplates()) {
      String name = claimName(t.getMetadata().getName(), set.getMetadata().getName(), ord);
      PersistentVolumeClaim claim = claims.getStore().getByKey(ns + "/" + name);
      if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) continue;
      List<OwnerReference> current = claim.getMetadata().getOwnerReferences() == null
          ? List.of() : claim.getMetadata().getOwnerReferences();
      List<OwnerReference> wanted = ownerRefs(current, set.getSpec().getPersistentVolumeClaimRetentionPolicy(),
          history.ownerRef(set), podRef, scaledDown);
      if (sameRefs(current, wanted)) continue;
      try {
        client.persistentVolumeClaims().inNamespace(ns).withName(name).edit(c -> {
          c.getMetadata().setOwnerReferences(wanted);
          return c;
        });
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 409) throw e; // gone, or changed: the next pass looks again
      }
    }
  }

  /**
   * The claim's ownerReferences under the policy: refs to the set and the pod are replaced by the ones the policy
   * wants (a controller ref to the set, or to the pod once its ordinal is scaled down); others are kept. With a stale
   * ref (the set's or pod's name, another uid: an earlier incarnation still owns the claim) nothing changes; with
   * another controller, ours are only removed. {@code podRef} is null before the pod exists.
   */
  static List<OwnerReference> ownerRefs(List<OwnerReference> current, StatefulSetPersistentVolumeClaimRetentionPolicy policy,
      OwnerReference setRef, OwnerReference podRef, boolean scaledDown) {
    for (OwnerReference r : current) {
      if (stale(r, setRef) || stale(r, podRef)) return current;
    }
    Set<String> ours = new HashSet<>();
    ours.add(setRef.getUid());
    if (podRef != null) ours.add(podRef.getUid());
    List<OwnerReference> out = new ArrayList<>();
    boolean otherController = false;
    for (OwnerReference r : current) {
      if (ours.contains(r.getUid())) continue;
      out.add(r);
      if (Boolean.TRUE.equals(r.getController())) otherController = true;
    }
    if (otherController) return out;
    boolean deleteWhenDeleted = policy != null && "Delete".equals(policy.getWhenDeleted());
    boolean deleteWhenScaled = policy != null && "Delete".equals(policy.getWhenScaled());
    if (deleteWhenScaled && scaledDown) {
      if (podRef != null) out.add(podRef);
    } else if (deleteWhenDeleted) {
      out.add(setRef);
    }
    return out;
  }

  private static boolean stale(OwnerReference r, OwnerReference ours) {
    return ours != null && Objects.equals(r.getKind(), ours.getKind()) && Objects.equals(r.getName(), ours.getName())
        && !Objects.equals(r.getUid(), ours.getUid());
  }

  private static boolean sameRefs(List<OwnerReference> a, List<OwnerReference> b) {
    return a.size() == b.size() && new HashSet<>(a.stream().map(StatefulSetClaims::id).toList())
        .equals(new HashSet<>(b.stream().map(StatefulSetClaims::id).toList()));
  }

  private static String id(OwnerReference r) {
    return r.getUid() + "/" + Boolean.TRUE.equals(r.getController());
  }
}
