package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** core/v1 ConfigMap: key syntax, 1 MiB total, immutable configmaps. */
public final class ConfigMapStrategy implements ResourceStrategy {
  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    long total = DataKeys.validateKeys(obj, "data", false, errors);
    total += DataKeys.validateKeys(obj, "binaryData", true, errors);
    ObjectNode data = Trees.obj(obj, "data");
    ObjectNode binary = Trees.obj(obj, "binaryData");
    if (data != null && binary != null) {
      binary.fieldNames().forEachRemaining(k -> {
        if (data.has(k)) errors.add(Errors.invalid("binaryData[" + k + "]", k, "duplicate of key present in data"));
      });
    }
    if (total > DataKeys.MAX_SIZE) errors.add(Errors.tooLong("", DataKeys.MAX_SIZE));
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    DataKeys.immutability(obj, old, List.of("data", "binaryData"), errors);
    validate(type, obj, errors);
  }
}
