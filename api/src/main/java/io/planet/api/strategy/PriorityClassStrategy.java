package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** scheduling.k8s.io/v1 PriorityClass: preemptionPolicy defaults, a user value cap, value and policy immutable. */
public final class PriorityClassStrategy implements ResourceStrategy {
  /** Upstream's HighestUserDefinablePriority; only the system- classes go above it. */
  static final long HIGHEST_USER_PRIORITY = 1_000_000_000L;

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    if (!obj.has("preemptionPolicy")) obj.put("preemptionPolicy", "PreemptLowerPriority");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    long value = obj.path("value").asLong();
    String name = obj.path("metadata").path("name").asText("");
    if (value > HIGHEST_USER_PRIORITY && !name.startsWith("system-")) {
      errors.add(Errors.invalid("value", value, "maximum allowed value of a user defined priority is " + HIGHEST_USER_PRIORITY));
    }
    String policy = obj.path("preemptionPolicy").asText("PreemptLowerPriority");
    if (!policy.equals("PreemptLowerPriority") && !policy.equals("Never")) {
      errors.add(Errors.invalid("preemptionPolicy", policy, "supported values: \"Never\", \"PreemptLowerPriority\""));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    if (obj.path("value").asLong() != old.path("value").asLong()) {
      errors.add(Errors.forbidden("value", "may not be changed in an update."));
    }
    if (!obj.path("preemptionPolicy").asText().equals(old.path("preemptionPolicy").asText())) {
      errors.add(Errors.invalid("preemptionPolicy", obj.path("preemptionPolicy").asText(), "field is immutable"));
    }
  }
}
