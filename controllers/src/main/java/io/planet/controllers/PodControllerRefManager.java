package io.planet.controllers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Upstream's PodControllerRefManager: which pods an owner controls. Owned pods that still match stay owned, owned
 * pods that stopped matching are released (the ownerReference removed), and matching orphans are adopted (a controller
 * ownerReference with blockOwnerDeletion added) — but only after an uncached read shows the owner is still the same
 * live object, and never while the owner is being deleted. Both patches carry the pod's uid as a precondition, so a
 * pod recreated under the same name is left alone. Finalizers given (the Job's tracking finalizer) are added on
 * adoption and removed on release.
 */
final class PodControllerRefManager {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KubernetesClient client;
  private final List<String> finalizers;

  PodControllerRefManager(KubernetesClient client, String... finalizers) {
    this.client = client;
    this.finalizers = List.of(finalizers);
  }

  /**
   * The candidates this owner controls once orphans are adopted and non-matching pods released.
   *
   * @param owner the owner as the cache has it
   * @param ref the controller ownerReference its pods carry
   * @param matches the owner's selector (and any further filter, e.g. a StatefulSet's pod names)
   * @param fresh an uncached read of the owner (null when gone), made at most once, before the first adoption
   */
  List<Pod> claim(HasMetadata owner, OwnerReference ref, Predicate<Pod> matches, Collection<Pod> candidates,
      Supplier<? extends HasMetadata> fresh) {
    List<Pod> owned = new ArrayList<>();
    String uid = owner.getMetadata().getUid();
    boolean ownerDeleting = owner.getMetadata().getDeletionTimestamp() != null;
    Boolean canAdopt = null;
    for (Pod pod : candidates) {
      OwnerReference controller = ReplicaController.controllerRef(pod);
      boolean match = matches.test(pod);
      if (controller != null) {
        if (!uid.equals(controller.getUid())) continue; // someone else's
        if (match) owned.add(pod);
        else if (!ownerDeleting) release(pod, uid);
        continue;
      }
      // an orphan being deleted is not worth adopting; a deleting owner adopts nothing
      if (!match || ownerDeleting || pod.getMetadata().getDeletionTimestamp() != null) continue;
      if (canAdopt == null) {
        HasMetadata now = fresh.get();
        canAdopt = now != null && uid.equals(now.getMetadata().getUid()) && now.getMetadata().getDeletionTimestamp() == null;
      }
      if (canAdopt && adopt(pod, ref)) owned.add(pod);
    }
    return owned;
  }

  private boolean adopt(Pod pod, OwnerReference ref) {
    ObjectNode patch = MAPPER.createObjectNode();
    ObjectNode meta = patch.putObject("metadata");
    meta.putArray("ownerReferences").add(MAPPER.valueToTree(ref));
    meta.put("uid", pod.getMetadata().getUid());
    if (!finalizers.isEmpty()) {
      ArrayNode f = meta.putArray("finalizers");
      finalizers.forEach(f::add);
    }
    return patch(pod, patch);
  }

  private void release(Pod pod, String ownerUid) {
    ObjectNode patch = MAPPER.createObjectNode();
    ObjectNode meta = patch.putObject("metadata");
    meta.putArray("ownerReferences").addObject().put("$patch", "delete").put("uid", ownerUid);
    meta.put("uid", pod.getMetadata().getUid());
    if (!finalizers.isEmpty()) {
      ArrayNode f = meta.putArray("$deleteFromPrimitiveList/finalizers");
      finalizers.forEach(f::add);
    }
    patch(pod, patch);
  }

  /** A strategic merge patch; false when the pod is gone or changed (another owner, another uid). */
  private boolean patch(Pod pod, ObjectNode patch) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch.toString());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) return false;
      throw e;
    }
  }
}
