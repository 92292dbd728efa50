package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.selector.LabelSelector;
import java.util.List;

/** Checks of label selectors and of the template labels they must select (ValidateLabelSelector and friends). */
final class LabelSelectors {
  private LabelSelectors() {}

  static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");
  static final String MISMATCH = "`selector` does not match template `labels`";

  /** ValidateLabelSelector for a metav1.LabelSelector at {@code path}. */
  static void validate(JsonNode sel, String path, List<FieldError> errors) {
    if (sel == null || !sel.isObject()) return;
    List<ObjectNode> exprs = Trees.items(sel, "matchExpressions");
    for (int i = 0; i < exprs.size(); i++) {
      ObjectNode e = exprs.get(i);
      String p = path + ".matchExpressions[" + i + "]";
      String op = Trees.str(e, "operator");
      int values = Trees.array(e, "values") == null ? 0 : e.get("values").size();
      switch (op) {
        case "In", "NotIn" -> {
          if (values == 0) errors.add(Errors.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        case "Exists", "DoesNotExist" -> {
          if (values > 0) errors.add(Errors.forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        default -> errors.add(Errors.invalid(p + ".operator", op, "not a valid selector operator"));
      }
      String key = Trees.str(e, "key");
      for (String m : Names.qualifiedName(key)) errors.add(Errors.invalid(p + ".key", key, m));
    }
    MetadataValidation.validateLabels(Trees.obj(sel, "matchLabels"), path + ".matchLabels", errors);
  }

  static boolean isEmpty(JsonNode sel) {
    return Trees.isEmpty(sel, "matchLabels") && Trees.isEmpty(sel, "matchExpressions");
  }

  /** The template-labels check of workloads: a non-empty selector must select the template's labels. */
  static void matchesTemplate(JsonNode sel, JsonNode template, String labelsPath, List<FieldError> errors) {
    if (sel == null || !sel.isObject() || isEmpty(sel)) return;
    JsonNode labels = Trees.obj(Trees.obj(template, "metadata"), "labels");
    LabelSelector s;
    try {
      s = LabelSelector.fromJson(sel);
    } catch (RuntimeException e) {
      return;
    }
    if (!s.matches(Meta.stringMap(labels))) {
      errors.add(Errors.invalidRendered(labelsPath, Errors.goStringMap(labels), MISMATCH));
    }
  }
}
