package io.planet.controllers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ControllerRevisions a DaemonSet or StatefulSet keeps as its history (upstream's controller/history): one per
 * distinct pod template, named {@code <owner>-<hash>}, the hash also labelling the owner's pods.
 */
final class ControllerHistory {
  static final String HASH_LABEL = "controller-revision-hash";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KubernetesClient client;
  private final SharedIndexInformer<ControllerRevision> revisions;
  private final String apiVersion;
  private final String kind;

  /** The revision matching the current template, and the collision count it took to name it. */
  record Current(ControllerRevision revision, int collisionCount) {}

  ControllerHistory(KubernetesClient client, SharedIndexInformer<ControllerRevision> revisions, String apiVersion, String kind) {
    this.client = client;
    this.revisions = revisions;
    this.apiVersion = apiVersion;
    this.kind = kind;
  }

  /** The owner's revisions, oldest first. */
  List<ControllerRevision> owned(HasMetadata owner) {
    List<ControllerRevision> out = new ArrayList<>();
    for (ControllerRevision r : revisions.getIndexer().byIndex(Cache.NAMESPACE_INDEX, owner.getMetadata().getNamespace())) {
      OwnerReference ref = ReplicaController.controllerRef(r);
      if (ref != null && owner.getMetadata().getUid().equals(ref.getUid())) out.add(r);
    }
    out.sort(Comparator.comparingLong(ControllerRevision::getRevision));
    return out;
  }

  static long maxRevision(List<ControllerRevision> revs) {
    return revs.stream().mapToLong(ControllerRevision::getRevision).max().orElse(0);
  }

  static PodTemplateSpec template(ControllerRevision r) {
    Object spec = ((Map<?, ?>) MAPPER.convertValue(r.getData(), Map.class)).get("spec");
    Map<?, ?> t = new LinkedHashMap<>((Map<?, ?>) ((Map<?, ?>) spec).get("template"));
    t.remove("$patch");
    return MAPPER.convertValue(t, PodTemplateSpec.class);
  }

  static String hash(ControllerRevision r) {
    Map<String, String> l = r.getMetadata().getLabels();
    return l == null ? null : l.get(HASH_LABEL);
  }

  private static boolean sameTemplate(ControllerRevision r, PodTemplateSpec t) {
    return MAPPER.valueToTree(template(r)).equals(MAPPER.valueToTree(t));
  }

  /**
   * The revision for the owner's current template: an existing one with the same template (renumbered to be the
   * newest, as after a rollback), or a new one; a name taken by a different template bumps the collision count.
   */
  Current current(HasMetadata owner, PodTemplateSpec template, Integer collisionCount, List<ControllerRevision> owned) {
    long max = maxRevision(owned);
    for (ControllerRevision r : owned) {
      if (!sameTemplate(r, template)) continue;
      int count = collisionCount == null ? 0 : collisionCount;
      if (r.getRevision() == max) return new Current(r, count);
      ControllerRevision renumbered = client.apps().controllerRevisions().inNamespace(r.getMetadata().getNamespace())
          .withName(r.getMetadata().getName()).edit(x -> {
            x.setRevision(max + 1);
            return x;
          });
      return new Current(renumbered, count);
    }
    int count = collisionCount == null ? 0 : collisionCount;
    while (true) {
      String hash = PodTemplateHash.compute(template, count);
      Map<String, String> labels = new HashMap<>();
      if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
        labels.putAll(template.getMetadata().getLabels());
      }
      labels.put(HASH_LABEL, hash);
      Map<String, Object> t = new LinkedHashMap<>(MAPPER.convertValue(template, Map.class));
      t.put("$patch", "replace");
      ControllerRevision r = new ControllerRevisionBuilder().withNewMetadata()
          .withName(owner.getMetadata().getName() + "-" + hash).withNamespace(owner.getMetadata().getNamespace())
          .withLabels(labels).withOwnerReferences(ownerRef(owner)).endMetadata()
          .withData(Map.of("spec", Map.of("template", t))).withRevision(max + 1).build();
      try {
        return new Current(client.apps().controllerRevisions().inNamespace(owner.getMetadata().getNamespace())
            .resource(r).create(), count);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e;
        ControllerRevision existing = client.apps().controllerRevisions().inNamespace(owner.getMetadata().getNamespace())
            .withName(r.getMetadata().getName()).get();
        OwnerReference ref = existing == null ? null : ReplicaController.controllerRef(existing);
        if (existing != null && ref != null && owner.getMetadata().getUid().equals(ref.getUid())
            && sameTemplate(existing, template)) {
          return new Current(existing, count);
        }
        count++; // a different object holds the name: hash again with the next collision count
      }
    }
  }

  /** Deletes the oldest revisions beyond the history limit, never one a live pod or the status still names. */
  void truncate(List<ControllerRevision> owned, Set<String> inUse, int limit) {
    List<ControllerRevision> unused = new ArrayList<>();
    for (ControllerRevision r : owned) {
      if (!inUse.contains(r.getMetadata().getName())) unused.add(r);
    }
    for (int i = 0; i < unused.size() - limit; i++) {
      ControllerRevision r = unused.get(i);
      client.apps().controllerRevisions().inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
    }
  }

  OwnerReference ownerRef(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
  }
}
