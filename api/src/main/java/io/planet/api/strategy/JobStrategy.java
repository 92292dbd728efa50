package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Map;

/** batch/v1 Job: defaults, the generated selector (controller-uid), and the job spec's update rules. */
public final class JobStrategy implements ResourceStrategy {
  static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
  static final String LEGACY_CONTROLLER_UID = "controller-uid";
  static final String JOB_NAME = "batch.kubernetes.io/job-name";
  static final String LEGACY_JOB_NAME = "job-name";
  static final List<String> COMPLETION_MODES = List.of("Indexed", "NonIndexed");
  /** Pod template fields a suspended job that never started may change. */
  static final List<String> SCHEDULING_DIRECTIVES = List.of("nodeSelector", "affinity", "tolerations", "schedulingGates");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    if (!spec.hasNonNull("completions") && !spec.hasNonNull("parallelism")) {
      spec.put("completions", 1);
      spec.put("parallelism", 1);
    }
    Trees.putIfAbsent(spec, "parallelism", 1);
    if (!spec.hasNonNull("backoffLimit")) spec.put("backoffLimit", spec.hasNonNull("backoffLimitPerIndex") ? Integer.MAX_VALUE : 6);
    JsonNode templateLabels = Json.at(spec, "template", "metadata", "labels");
    if (templateLabels != null && Trees.isEmpty(obj.get("metadata"), "labels")) Meta.meta(obj).set("labels", templateLabels.deepCopy());
    Trees.putIfAbsent(spec, "completionMode", "NonIndexed");
    Trees.putIfAbsent(spec, "suspend", false);
    Trees.putIfAbsent(spec, "podReplacementPolicy", spec.hasNonNull("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
    for (ObjectNode rule : Trees.items(Trees.obj(spec, "podFailurePolicy"), "rules")) {
      for (ObjectNode cond : Trees.items(rule, "onPodConditions")) Trees.putIfAbsent(cond, "status", "True");
    }
    PodTemplates.applyDefaults(spec);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status");
    Generations.onCreate(obj);
    generateSelector(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }

  /**
   * Unless spec.manualSelector, the job selects its pods by its uid: labels controller-uid and job-name on the
   * template, matchLabels controller-uid in the selector. Needs metadata.uid (the server assigns it on create).
   */
  public static void generateSelector(ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    if (Trees.bool(spec, "manualSelector")) return;
    String uid = Meta.uid(obj);
    if (uid.isEmpty()) return;
    ObjectNode labels = Trees.with(Trees.with(Trees.with(spec, "template"), "metadata"), "labels");
    for (String k : List.of(LEGACY_JOB_NAME, JOB_NAME)) if (!labels.has(k)) labels.put(k, Meta.name(obj));
    for (String k : List.of(LEGACY_CONTROLLER_UID, CONTROLLER_UID)) if (!labels.has(k)) labels.put(k, uid);
    ObjectNode matchLabels = Trees.with(Trees.with(spec, "selector"), "matchLabels");
    if (!matchLabels.has(CONTROLLER_UID)) matchLabels.put(CONTROLLER_UID, uid);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    generateSelector(obj);
    // a generated selector needs the uid; without one yet, its absence is not the user's error
    boolean selectorRequired = Trees.bool(obj.get("spec"), "manualSelector") || !Meta.uid(obj).isEmpty();
    validateSpec(Trees.obj(obj, "spec"), "spec", selectorRequired, errors);
  }

  /** validateJobSpec; {@code selectorRequired} is false for a CronJob's job template. */
  static void validateSpec(JsonNode spec, String path, boolean selectorRequired, List<FieldError> errors) {
    for (String f : List.of("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished")) {
      Errors.nonNegative(spec, f, path + "." + f, errors);
    }
    String mode = Trees.str(spec, "completionMode");
    if (!mode.isEmpty() && !COMPLETION_MODES.contains(mode)) {
      errors.add(Errors.notSupported(path + ".completionMode", mode, COMPLETION_MODES));
    } else if (mode.equals("Indexed") && !Trees.has(spec, "completions")) {
      errors.add(Errors.required(path + ".completions", "when completion mode is Indexed"));
    }
    JsonNode sel = spec == null ? null : spec.get("selector");
    if (sel == null || sel.isNull()) {
      if (selectorRequired) errors.add(Errors.required(path + ".selector"));
    } else {
      LabelSelectors.validate(sel, path + ".selector", errors);
    }
    JsonNode template = Trees.obj(spec, "template");
    if (template == null) {
      errors.add(Errors.required(path + ".template"));
      return;
    }
    if (sel != null && !sel.isNull()) LabelSelectors.matchesTemplate(sel, template, path + ".template.metadata.labels", errors);
    PodSpecs.validateTemplate(template, path + ".template", errors);
    String restart = Trees.str(Trees.obj(template, "spec"), "restartPolicy");
    if (!restart.equals("OnFailure") && !restart.equals("Never")) {
      errors.add(Errors.required(path + ".template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\""));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validateSpec(Trees.obj(obj, "spec"), "spec", true, errors);
    JsonNode spec = obj.get("spec");
    JsonNode oldSpec = old.get("spec");
    JsonNode sel = spec == null ? null : spec.get("selector");
    if (!Trees.semanticEquals(sel, oldSpec == null ? null : oldSpec.get("selector"))) {
      errors.add(Errors.invalidRendered("spec.selector", Errors.goLabelSelector(sel), Errors.IMMUTABLE));
    }
    // completions may change only with parallelism for Indexed jobs (elastic indexed jobs)
    boolean elastic = Trees.str(spec, "completionMode").equals("Indexed")
        && Trees.num(spec, "completions", -1) == Trees.num(spec, "parallelism", -2);
    if (!elastic && Trees.num(spec, "completions", -1) != Trees.num(oldSpec, "completions", -1)) {
      errors.add(spec != null && spec.hasNonNull("completions")
          ? Errors.invalid("spec.completions", spec.get("completions").asLong(), Errors.IMMUTABLE)
          : Errors.invalid("spec.completions", null, Errors.IMMUTABLE));
    }
    Errors.immutable(Trees.str(spec, "completionMode"), Trees.str(oldSpec, "completionMode"), "spec.completionMode", errors);
    Errors.immutableTree(spec == null ? null : spec.get("podFailurePolicy"), oldSpec == null ? null : oldSpec.get("podFailurePolicy"),
        "spec.podFailurePolicy", errors);
    JsonNode template = spec == null ? null : spec.get("template");
    JsonNode oldTemplate = oldSpec == null ? null : oldSpec.get("template");
    if (template != null && oldTemplate != null && mayMutateSchedulingDirectives(old)) {
      template = template.deepCopy();
      ObjectNode tSpec = Trees.with((ObjectNode) template, "spec");
      ObjectNode oSpec = Trees.obj(oldTemplate, "spec");
      for (String f : SCHEDULING_DIRECTIVES) {
        if (oSpec != null && oSpec.has(f)) tSpec.set(f, oSpec.get(f).deepCopy());
        else tSpec.remove(f);
      }
      ObjectNode tMeta = Trees.with((ObjectNode) template, "metadata");
      ObjectNode oMeta = Trees.obj(oldTemplate, "metadata");
      for (String f : List.of("labels", "annotations")) {
        if (oMeta != null && oMeta.has(f)) tMeta.set(f, oMeta.get(f).deepCopy());
        else tMeta.remove(f);
      }
    }
    if (!Trees.semanticEquals(template, oldTemplate)) {
      errors.add(Errors.invalidRendered("spec.template", template == null ? "null" : template.toString(), Errors.IMMUTABLE));
    }
  }

  /** A suspended job that never started may change where its pods run. */
  private static boolean mayMutateSchedulingDirectives(ObjectNode old) {
    JsonNode status = old.get("status");
    return Trees.bool(old.get("spec"), "suspend") && !Trees.has(status, "startTime");
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("status.successful", String.valueOf(Trees.num(obj.get("status"), "succeeded", 0)));
  }
}
