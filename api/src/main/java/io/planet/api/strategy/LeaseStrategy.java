package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** coordination.k8s.io/v1 Lease. */
public final class LeaseStrategy implements ResourceStrategy {
  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    if (Trees.has(spec, "leaseDurationSeconds") && spec.get("leaseDurationSeconds").asLong() <= 0) {
      errors.add(Errors.invalid("spec.leaseDurationSeconds", spec.get("leaseDurationSeconds").asLong(), "must be greater than 0"));
    }
    Errors.nonNegative(spec, "leaseTransitions", "spec.leaseTransitions", errors);
    if (Trees.has(spec, "preferredHolder") && !Trees.has(spec, "strategy")) {
      errors.add(Errors.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
    }
  }
}
