package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import java.util.ArrayList;
import java.util.List;

/** Runs the server's write sequence (defaults, prepare, metadata + kind validation) on YAML objects. */
final class StrategyTestSupport {
  private StrategyTestSupport() {}

  static final ResourceRegistry REGISTRY = ResourceRegistry.builtins();

  static ResourceType type(String group, String version, String plural) {
    return REGISTRY.get(group, version, plural).orElseThrow();
  }

  static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) Json.YAML.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Create: returns the errors; {@code obj} is left defaulted and prepared. */
  static List<FieldError> create(ResourceType t, ObjectNode obj) {
    t.strategy().applyDefaults(t, obj);
    t.strategy().prepareForCreate(t, obj);
    List<FieldError> errors = new ArrayList<>();
    MetadataValidation.validate(t, obj, errors);
    t.strategy().validate(t, obj, errors);
    return errors;
  }

  static List<FieldError> update(ResourceType t, ObjectNode obj, ObjectNode old) {
    t.strategy().applyDefaults(t, obj);
    t.strategy().prepareForUpdate(t, obj, old);
    List<FieldError> errors = new ArrayList<>();
    MetadataValidation.validateUpdate(t, obj, old, errors);
    t.strategy().validateUpdate(t, obj, old, errors);
    return errors;
  }

  static List<String> messages(List<FieldError> errors) {
    return errors.stream().map(FieldError::message).toList();
  }
}
