package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Map;

/** apps/v1 ReplicaSet. */
public final class ReplicaSetStrategy extends ReplicatedPodsStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "replicas", 1);
    PodTemplates.applyDefaults(spec);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    Errors.nonNegative(spec, "replicas", "spec.replicas", errors);
    Errors.nonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    PodTemplates.validateSelector(spec, "spec", "deployment", errors);
    PodTemplates.validateForReplicaSet(spec, "spec", "ReplicaSet", errors);
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    PodTemplates.selectorImmutable(obj.get("spec"), old.get("spec"), errors);
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("status.replicas", String.valueOf(Trees.num(obj.get("status"), "replicas", 0)));
  }
}
