package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceType;
import java.util.List;

/** Placeholder until the strategies work lands: generic metadata validation. */
public final class MetadataValidation {
  private MetadataValidation() {}

  public static void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {}

  public static void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {}
}
