package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.math.BigDecimal;
import java.util.List;

/**
 * node.k8s.io/v1 RuntimeClass: the handler is a DNS label and never changes; overhead quantities and scheduling
 * (node selector labels, tolerations) validated as upstream.
 */
public final class RuntimeClassStrategy implements ResourceStrategy {

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    String handler = Trees.str(obj, "handler");
    for (String m : Names.dns1123Label(handler)) errors.add(Errors.invalid("handler", handler, m));
    ObjectNode podFixed = Trees.obj(Trees.obj(obj, "overhead"), "podFixed");
    if (podFixed != null) {
      podFixed.fields().forEachRemaining(e -> {
        BigDecimal q = Quantities.parse(e.getValue());
        if (q != null && q.signum() < 0) {
          errors.add(Errors.invalid("overhead.podFixed[" + e.getKey() + "]", e.getValue().asText(),
              "must be greater than or equal to 0"));
        }
      });
    }
    ObjectNode scheduling = Trees.obj(obj, "scheduling");
    if (scheduling != null) {
      MetadataValidation.validateLabels(Trees.obj(scheduling, "nodeSelector"), "scheduling.nodeSelector", errors);
      PodSpecs.validateTolerations(Trees.array(scheduling, "tolerations"), "scheduling.tolerations", errors);
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    Errors.immutable(Trees.str(obj, "handler"), Trees.str(old, "handler"), "handler", errors);
  }
}
