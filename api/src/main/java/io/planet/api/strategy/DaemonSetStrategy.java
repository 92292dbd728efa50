package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** apps/v1 DaemonSet, including the template-generation annotation apps/v1 carries. */
public final class DaemonSetStrategy implements ResourceStrategy {
  static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";
  static final List<String> UPDATE_TYPES = List.of("OnDelete", "RollingUpdate");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    ObjectNode strategy = Trees.with(spec, "updateStrategy");
    Trees.putIfAbsent(strategy, "type", "RollingUpdate");
    if (Trees.str(strategy, "type").equals("RollingUpdate")) {
      ObjectNode ru = Trees.with(strategy, "rollingUpdate");
      if (!ru.hasNonNull("maxUnavailable")) ru.put("maxUnavailable", 1);
      if (!ru.hasNonNull("maxSurge")) ru.put("maxSurge", 0);
    }
    Trees.putIfAbsent(spec, "revisionHistoryLimit", 10);
    PodTemplates.applyDefaults(spec);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    for (String f : List.of("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")) {
      status.put(f, 0);
    }
    Generations.onCreate(obj);
    Trees.with(Meta.meta(obj), "annotations").put(TEMPLATE_GENERATION, "1");
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
    String was = Meta.annotations(old).getOrDefault(TEMPLATE_GENERATION, "");
    long gen = was.matches("[0-9]+") ? Long.parseLong(was) : 0;
    if (!Trees.semanticEquals(Json.at(obj, "spec", "template"), Json.at(old, "spec", "template"))) gen++;
    if (gen > 0) Trees.with(Meta.meta(obj), "annotations").put(TEMPLATE_GENERATION, String.valueOf(gen));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    JsonNode sel = spec == null ? null : spec.get("selector");
    if (sel == null || sel.isNull()) errors.add(Errors.required("spec.selector"));
    else {
      LabelSelectors.validate(sel, "spec.selector", errors);
      if (LabelSelectors.isEmpty(sel)) {
        errors.add(Errors.invalidRendered("spec.selector", Errors.goLabelSelector(sel), "empty selector is invalid for daemonset"));
      }
    }
    JsonNode template = Trees.obj(spec, "template");
    if (template == null) {
      errors.add(Errors.required("spec.template"));
    } else {
      LabelSelectors.matchesTemplate(sel, template, "spec.template.metadata.labels", errors);
      PodSpecs.validateTemplate(template, "spec.template", errors);
      JsonNode podSpec = Trees.obj(template, "spec");
      String restart = Trees.str(podSpec, "restartPolicy");
      if (!restart.isEmpty() && !restart.equals("Always")) {
        errors.add(Errors.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
      }
      if (Trees.has(podSpec, "activeDeadlineSeconds")) {
        errors.add(Errors.invalid("spec.template.spec.activeDeadlineSeconds", podSpec.get("activeDeadlineSeconds").asLong(),
            "activeDeadlineSeconds must be nil for daemon set"));
      }
    }
    Errors.nonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    Errors.nonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
    JsonNode strategy = Trees.obj(spec, "updateStrategy");
    String t = Trees.str(strategy, "type");
    if (t.isEmpty()) errors.add(Errors.required("spec.updateStrategy.type"));
    else if (!UPDATE_TYPES.contains(t)) errors.add(Errors.notSupported("spec.updateStrategy.type", t, UPDATE_TYPES));
    else if (t.equals("RollingUpdate") && Trees.obj(strategy, "rollingUpdate") != null) {
      DeploymentStrategy.validateRollingUpdate(strategy.get("rollingUpdate"), "spec.updateStrategy.rollingUpdate", errors);
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    PodTemplates.selectorImmutable(obj.get("spec"), old.get("spec"), errors);
  }
}
