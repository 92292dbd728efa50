package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.api.selector.LabelSelector;
import java.util.List;
import java.util.Map;

/** core/v1 ReplicationController: a map selector that defaults to the template's labels. */
public final class ReplicationControllerStrategy extends ReplicatedPodsStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    ObjectNode template = Trees.obj(spec, "template");
    ObjectNode templateLabels = Trees.obj(Trees.obj(template, "metadata"), "labels");
    if (templateLabels != null && !templateLabels.isEmpty()) {
      if (Trees.isEmpty(spec, "selector")) spec.set("selector", templateLabels.deepCopy());
      if (Trees.isEmpty(obj.get("metadata"), "labels")) Meta.meta(obj).set("labels", templateLabels.deepCopy());
    }
    Trees.putIfAbsent(spec, "replicas", 1);
    PodTemplates.applyDefaults(spec);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    Errors.nonNegative(spec, "replicas", "spec.replicas", errors);
    Errors.nonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    JsonNode selector = spec == null ? null : spec.get("selector");
    if (Trees.isEmpty(spec, "selector")) errors.add(Errors.required("spec.selector"));
    else MetadataValidation.validateLabels(selector, "spec.selector", errors);
    JsonNode template = Trees.obj(spec, "template");
    if (template == null) {
      errors.add(Errors.required("spec.template"));
      return;
    }
    JsonNode labels = Trees.obj(Trees.obj(template, "metadata"), "labels");
    if (!Trees.isEmpty(spec, "selector") && !LabelSelector.fromMap(selector).matches(Meta.stringMap(labels))) {
      errors.add(Errors.invalidRendered("spec.template.metadata.labels", Errors.goStringMap(labels), LabelSelectors.MISMATCH));
    }
    PodSpecs.validateTemplate(template, "spec.template", errors);
    JsonNode podSpec = Trees.obj(template, "spec");
    String restart = Trees.str(podSpec, "restartPolicy");
    if (!restart.isEmpty() && !restart.equals("Always")) {
      errors.add(Errors.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
    }
    if (Trees.has(podSpec, "activeDeadlineSeconds")) {
      errors.add(Errors.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in ReplicationController is not Supported"));
    }
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("status.replicas", String.valueOf(Trees.num(obj.get("status"), "replicas", 0)));
  }
}
