package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import java.util.List;

/** The pod template inside workloads: defaults and the replica-set style checks (restart policy Always, ...). */
final class PodTemplates {
  private PodTemplates() {}

  /** Pod-spec defaults of {@code holder.template}. */
  static void applyDefaults(ObjectNode holder) {
    ObjectNode template = Trees.obj(holder, "template");
    if (template == null) return;
    PodSpecs.applyDefaults(Trees.with(template, "spec"));
  }

  /**
   * ValidatePodTemplateSpecForReplicaSet: the selector selects the template, the template is valid and its pods
   * restart Always. {@code spec} is the workload spec at {@code path}; {@code kindName} appears in messages.
   */
  static void validateForReplicaSet(JsonNode spec, String path, String kindName, List<FieldError> errors) {
    JsonNode template = Trees.obj(spec, "template");
    String tp = path + ".template";
    if (template == null) {
      errors.add(Errors.required(tp));
      return;
    }
    LabelSelectors.matchesTemplate(spec.get("selector"), template, tp + ".metadata.labels", errors);
    PodSpecs.validateTemplate(template, tp, errors);
    JsonNode podSpec = Trees.obj(template, "spec");
    String restart = Trees.str(podSpec, "restartPolicy");
    if (!restart.isEmpty() && !restart.equals("Always")) {
      errors.add(Errors.notSupported(tp + ".spec.restartPolicy", restart, List.of("Always")));
    }
    if (Trees.has(podSpec, "activeDeadlineSeconds")) {
      errors.add(Errors.forbidden(tp + ".spec.activeDeadlineSeconds", "activeDeadlineSeconds in " + kindName + " is not Supported"));
    }
  }

  /** The selector of apps/v1 workloads: required and not empty. */
  static void validateSelector(JsonNode spec, String path, String emptyMessageKind, List<FieldError> errors) {
    JsonNode sel = spec == null ? null : spec.get("selector");
    if (sel == null || sel.isNull()) {
      errors.add(Errors.required(path + ".selector"));
      return;
    }
    LabelSelectors.validate(sel, path + ".selector", errors);
    if (LabelSelectors.isEmpty(sel)) {
      errors.add(Errors.invalidRendered(path + ".selector", Errors.goLabelSelector(sel),
          "empty selector is invalid for " + emptyMessageKind));
    }
  }

  /** apps/v1: the selector may not change. */
  static void selectorImmutable(JsonNode spec, JsonNode oldSpec, List<FieldError> errors) {
    JsonNode sel = spec == null ? null : spec.get("selector");
    JsonNode was = oldSpec == null ? null : oldSpec.get("selector");
    if (!Trees.semanticEquals(sel, was)) {
      errors.add(Errors.invalidRendered("spec.selector", Errors.goLabelSelector(sel), Errors.IMMUTABLE));
    }
  }

  /** intstr values of rolling updates: a non-negative int, or a percent (at most 100% when {@code maxPercent}). */
  static void validateIntOrPercent(JsonNode v, String path, List<FieldError> errors) {
    if (v == null || v.isNull()) return;
    if (v.isNumber()) {
      if (v.asLong() < 0) errors.add(Errors.invalid(path, v.asLong(), "must be greater than or equal to 0"));
      return;
    }
    String s = v.asText();
    if (!s.matches("[0-9]+%")) {
      errors.add(Errors.invalid(path, s, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    }
  }

  static boolean isZero(JsonNode v) {
    if (v == null || v.isNull()) return true;
    if (v.isNumber()) return v.asLong() == 0;
    String s = v.asText();
    return s.equals("0") || s.equals("0%") || s.isEmpty();
  }

  static boolean overHundredPercent(JsonNode v) {
    if (v == null || !v.isTextual()) return false;
    String s = v.asText();
    if (!s.matches("[0-9]+%")) return false;
    return Long.parseLong(s.substring(0, s.length() - 1)) > 100;
  }
}
