package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** core/v1 PodTemplate. */
public final class PodTemplateStrategy implements ResourceStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    PodTemplates.applyDefaults(obj);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    Generations.onUpdate(obj, old, !Trees.semanticEquals(obj.get("template"), old.get("template")));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode template = Trees.obj(obj, "template");
    if (template == null) errors.add(Errors.required("template"));
    else PodSpecs.validateTemplate(template, "template", errors);
  }
}
