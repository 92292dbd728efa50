package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** core/v1 PersistentVolumeClaim. */
public final class PersistentVolumeClaimStrategy implements ResourceStrategy {
  static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
  static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");

  static void specDefaults(ObjectNode spec) {
    Trees.putIfAbsent(spec, "volumeMode", "Filesystem");
  }

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    specDefaults(Trees.with(obj, "spec"));
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status").put("phase", "Pending");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    validateSpec(Trees.obj(obj, "spec"), "spec", errors);
  }

  static void validateSpec(JsonNode spec, String path, List<FieldError> errors) {
    ArrayNode modes = Trees.array(spec, "accessModes");
    if (modes == null || modes.isEmpty()) {
      errors.add(Errors.required(path + ".accessModes", "at least 1 access mode is required"));
    } else {
      for (JsonNode m : modes) {
        if (!ACCESS_MODES.contains(m.asText())) errors.add(Errors.notSupported(path + ".accessModes", m.asText(), ACCESS_MODES));
      }
    }
    JsonNode storage = Json.at(spec, "resources", "requests", "storage");
    if (storage == null && !Trees.has(spec, "dataSourceRef") && !Trees.has(spec, "dataSource")) {
      errors.add(Errors.required(path + ".resources[storage]"));
    } else if (storage != null) {
      java.math.BigDecimal q = Quantities.parse(storage);
      if (q != null && q.signum() <= 0) errors.add(Errors.invalid(path + ".resources[storage]", storage.asText(), "must be greater than zero"));
    }
    String mode = Trees.str(spec, "volumeMode");
    if (!mode.isEmpty() && !VOLUME_MODES.contains(mode)) errors.add(Errors.notSupported(path + ".volumeMode", mode, VOLUME_MODES));
    LabelSelectors.validate(spec == null ? null : spec.get("selector"), path + ".selector", errors);
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    ObjectNode spec = Trees.obj(obj, "spec");
    ObjectNode oldSpec = Trees.obj(old, "spec");
    ObjectNode a = spec == null ? Json.object() : spec.deepCopy();
    ObjectNode b = oldSpec == null ? Json.object() : oldSpec.deepCopy();
    // binding sets volumeName once; resizing changes requests; the attributes class may change
    if (Trees.str(b, "volumeName").isEmpty()) {
      a.remove("volumeName");
      b.remove("volumeName");
    }
    a.remove(List.of("resources", "volumeAttributesClassName"));
    b.remove(List.of("resources", "volumeAttributesClassName"));
    if (!Trees.semanticEquals(a, b)) {
      errors.add(Errors.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
    }
  }
}
