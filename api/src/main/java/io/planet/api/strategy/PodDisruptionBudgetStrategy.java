package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** policy/v1 PodDisruptionBudget. */
public final class PodDisruptionBudgetStrategy implements ResourceStrategy {
  static final List<String> EVICTION_POLICIES = List.of("AlwaysAllow", "IfHealthyBudget");

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    for (String f : List.of("currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods")) status.put(f, 0);
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
    if (Trees.has(spec, "minAvailable") && Trees.has(spec, "maxUnavailable")) {
      errors.add(Errors.invalidRendered("spec", spec.toString(), "minAvailable and maxUnavailable cannot be both set"));
    }
    for (String f : List.of("minAvailable", "maxUnavailable")) {
      JsonNode v = spec == null ? null : spec.get(f);
      PodTemplates.validateIntOrPercent(v, "spec." + f, errors);
      if (PodTemplates.overHundredPercent(v)) errors.add(Errors.invalid("spec." + f, v.asText(), "must not be greater than 100%"));
    }
    LabelSelectors.validate(spec == null ? null : spec.get("selector"), "spec.selector", errors);
    String policy = Trees.str(spec, "unhealthyPodEvictionPolicy");
    if (!policy.isEmpty() && !EVICTION_POLICIES.contains(policy)) {
      errors.add(Errors.notSupported("spec.unhealthyPodEvictionPolicy", policy, EVICTION_POLICIES));
    }
  }
}
