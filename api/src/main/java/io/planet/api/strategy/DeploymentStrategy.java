package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** apps/v1 Deployment: SetDefaults_Deployment, ValidateDeployment(Update), generation tracking. */
public final class DeploymentStrategy implements ResourceStrategy {
  static final List<String> STRATEGY_TYPES = List.of("Recreate", "RollingUpdate");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "replicas", 1);
    ObjectNode strategy = Trees.with(spec, "strategy");
    Trees.putIfAbsent(strategy, "type", "RollingUpdate");
    if (Trees.str(strategy, "type").equals("RollingUpdate")) {
      ObjectNode ru = Trees.with(strategy, "rollingUpdate");
      if (!ru.hasNonNull("maxUnavailable")) ru.put("maxUnavailable", "25%");
      if (!ru.hasNonNull("maxSurge")) ru.put("maxSurge", "25%");
    }
    Trees.putIfAbsent(spec, "revisionHistoryLimit", 10);
    Trees.putIfAbsent(spec, "progressDeadlineSeconds", 600);
    PodTemplates.applyDefaults(spec);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status");
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    // annotations count too: they are copied to the replica sets
    boolean changed = Generations.specChanged(obj, old)
        || !Trees.semanticEquals(Trees.obj(obj.get("metadata"), "annotations"), Trees.obj(old.get("metadata"), "annotations"));
    Generations.onUpdate(obj, old, changed);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    Errors.nonNegative(spec, "replicas", "spec.replicas", errors);
    PodTemplates.validateSelector(spec, "spec", "deployment", errors);
    PodTemplates.validateForReplicaSet(spec, "spec", "ReplicaSet", errors);
    validateStrategy(Trees.obj(spec, "strategy"), errors);
    Errors.nonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
    Errors.nonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    if (Trees.has(spec, "progressDeadlineSeconds")) {
      long pds = spec.get("progressDeadlineSeconds").asLong();
      Errors.nonNegative(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", errors);
      if (pds <= Trees.num(spec, "minReadySeconds", 0)) {
        errors.add(Errors.invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
      }
    }
  }

  private static void validateStrategy(JsonNode strategy, List<FieldError> errors) {
    String type = Trees.str(strategy, "type");
    if (type.isEmpty()) {
      errors.add(Errors.required("spec.strategy.type"));
      return;
    }
    if (!STRATEGY_TYPES.contains(type)) {
      errors.add(Errors.notSupported("spec.strategy.type", type, STRATEGY_TYPES));
      return;
    }
    JsonNode ru = Trees.obj(strategy, "rollingUpdate");
    if (type.equals("Recreate")) {
      if (ru != null) errors.add(Errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
      return;
    }
    if (ru == null) return;
    validateRollingUpdate(ru, "spec.strategy.rollingUpdate", errors);
  }

  static void validateRollingUpdate(JsonNode ru, String path, List<FieldError> errors) {
    JsonNode mu = ru.get("maxUnavailable");
    JsonNode ms = ru.get("maxSurge");
    PodTemplates.validateIntOrPercent(mu, path + ".maxUnavailable", errors);
    PodTemplates.validateIntOrPercent(ms, path + ".maxSurge", errors);
    if (PodTemplates.isZero(mu) && PodTemplates.isZero(ms)) {
      errors.add(Errors.invalid(path + ".maxUnavailable", mu == null ? null : (mu.isNumber() ? (Object) mu.asLong() : mu.asText()),
          "may not be 0 when `maxSurge` is 0"));
    }
    if (PodTemplates.overHundredPercent(mu)) {
      errors.add(Errors.invalid(path + ".maxUnavailable", mu.asText(), "must not be greater than 100%"));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    PodTemplates.selectorImmutable(obj.get("spec"), old.get("spec"), errors);
  }
}
