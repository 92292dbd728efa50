package io.planet.controllers;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/** What a user does to test adoption and release: orphan a pod, change its labels, read its controller. */
final class OwnerRefs {
  private OwnerRefs() {}

  /** Removes every ownerReference, as {@code kubectl patch --type=merge -p '{"metadata":{"ownerReferences":null}}'}. */
  static void orphan(KubernetesClient c, Pod pod) {
    c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"ownerReferences\":null}}");
  }

  /** Replaces the pod's labels with one that selects nothing. */
  static void relabel(KubernetesClient c, Pod pod) {
    Fixtures.retryOnConflict(() -> c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).edit(p -> {
      p.getMetadata().setLabels(Map.of("released", "true"));
      return p;
    }));
  }

  /** The pod's controller ownerReference as the API server has it now (null when none or the pod is gone). */
  static OwnerReference controllerOf(KubernetesClient c, String ns, String name) {
    Pod p = c.pods().inNamespace(ns).withName(name).get();
    if (p == null || p.getMetadata().getOwnerReferences() == null) return null;
    return p.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
        .findFirst().orElse(null);
  }

  /** The uid of the pod's controller, or null. */
  static String controllerUid(KubernetesClient c, String ns, String name) {
    OwnerReference r = controllerOf(c, ns, name);
    return r == null ? null : r.getUid();
  }
}
