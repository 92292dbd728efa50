package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** apps/v1 StatefulSet. */
public final class StatefulSetStrategy implements ResourceStrategy {
  static final List<String> POD_MANAGEMENT = List.of("OrderedReady", "Parallel");
  static final List<String> UPDATE_TYPES = List.of("OnDelete", "RollingUpdate");
  static final List<String> RETENTION = List.of("Delete", "Retain");
  /** What an update may change; the rest of spec is fixed at creation. */
  static final Set<String> MUTABLE = Set.of("replicas", "ordinals", "template", "updateStrategy",
      "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
    ObjectNode strategy = Trees.with(spec, "updateStrategy");
    Trees.putIfAbsent(strategy, "type", "RollingUpdate");
    if (Trees.str(strategy, "type").equals("RollingUpdate")) {
      Trees.putIfAbsent(Trees.with(strategy, "rollingUpdate"), "partition", 0);
    }
    ObjectNode retention = Trees.with(spec, "persistentVolumeClaimRetentionPolicy");
    Trees.putIfAbsent(retention, "whenDeleted", "Retain");
    Trees.putIfAbsent(retention, "whenScaled", "Retain");
    Trees.putIfAbsent(spec, "replicas", 1);
    Trees.putIfAbsent(spec, "revisionHistoryLimit", 10);
    PodTemplates.applyDefaults(spec);
    for (ObjectNode claim : Trees.items(spec, "volumeClaimTemplates")) {
      PersistentVolumeClaimStrategy.specDefaults(Trees.with(claim, "spec"));
      if (!claim.has("status")) claim.putObject("status").put("phase", "Pending");
    }
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    status.put("replicas", 0);
    status.put("availableReplicas", 0);
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    String pmp = Trees.str(spec, "podManagementPolicy");
    if (pmp.isEmpty()) errors.add(Errors.required("spec.podManagementPolicy"));
    else if (!POD_MANAGEMENT.contains(pmp)) errors.add(Errors.notSupported("spec.podManagementPolicy", pmp, POD_MANAGEMENT));
    JsonNode strategy = Trees.obj(spec, "updateStrategy");
    String t = Trees.str(strategy, "type");
    if (t.isEmpty()) errors.add(Errors.required("spec.updateStrategy"));
    else if (!UPDATE_TYPES.contains(t)) errors.add(Errors.notSupported("spec.updateStrategy.type", t, UPDATE_TYPES));
    else if (t.equals("OnDelete") && Trees.obj(strategy, "rollingUpdate") != null) {
      errors.add(Errors.invalidRendered("spec.updateStrategy.rollingUpdate", strategy.get("rollingUpdate").toString(),
          "only allowed for updateStrategy 'RollingUpdate'"));
    } else {
      Errors.nonNegative(Trees.obj(strategy, "rollingUpdate"), "partition", "spec.updateStrategy.rollingUpdate.partition", errors);
    }
    JsonNode retention = Trees.obj(spec, "persistentVolumeClaimRetentionPolicy");
    for (String f : List.of("whenDeleted", "whenScaled")) {
      String v = Trees.str(retention, f);
      if (!v.isEmpty() && !RETENTION.contains(v)) {
        errors.add(Errors.notSupported("spec.persistentVolumeClaimRetentionPolicy." + f, v, RETENTION));
      }
    }
    Errors.nonNegative(spec, "replicas", "spec.replicas", errors);
    Errors.nonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    PodTemplates.validateSelector(spec, "spec", "statefulset", errors);
    PodTemplates.validateForReplicaSet(withClaimVolumes(spec), "spec", "StatefulSet", errors);
  }

  /**
   * The spec with each volumeClaimTemplate as a persistentVolumeClaim volume of the template, as the controller
   * makes its pods: containers mount claim templates by name (upstream leaves the pod spec unvalidated for this).
   */
  static JsonNode withClaimVolumes(JsonNode spec) {
    if (spec == null || !(Trees.obj(spec, "template") instanceof ObjectNode) || Trees.items(spec, "volumeClaimTemplates").isEmpty()) {
      return spec;
    }
    ObjectNode copy = ((ObjectNode) spec).deepCopy();
    ObjectNode podSpec = Trees.with(Trees.obj(copy, "template"), "spec");
    ArrayNode volumes = podSpec.get("volumes") instanceof ArrayNode a ? a : podSpec.putArray("volumes");
    Set<String> have = new HashSet<>();
    for (JsonNode v : volumes) have.add(v.path("name").asText());
    for (ObjectNode claim : Trees.items(copy, "volumeClaimTemplates")) {
      String name = claim.path("metadata").path("name").asText("");
      if (name.isEmpty() || !have.add(name)) continue;
      ObjectNode v = volumes.addObject().put("name", name);
      v.putObject("persistentVolumeClaim").put("claimName", name);
    }
    return copy;
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    ObjectNode spec = Trees.obj(obj, "spec");
    ObjectNode oldSpec = Trees.obj(old, "spec");
    ObjectNode a = spec == null ? io.planet.api.Json.object() : spec.deepCopy();
    ObjectNode b = oldSpec == null ? io.planet.api.Json.object() : oldSpec.deepCopy();
    a.remove(MUTABLE);
    b.remove(MUTABLE);
    if (!Trees.semanticEquals(a, b)) {
      errors.add(Errors.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
          + "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
}
