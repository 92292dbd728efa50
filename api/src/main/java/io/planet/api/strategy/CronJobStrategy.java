package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** batch/v1 CronJob. */
public final class CronJobStrategy implements ResourceStrategy {
  static final List<String> CONCURRENCY = List.of("Allow", "Forbid", "Replace");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "concurrencyPolicy", "Allow");
    Trees.putIfAbsent(spec, "suspend", false);
    Trees.putIfAbsent(spec, "successfulJobsHistoryLimit", 3);
    Trees.putIfAbsent(spec, "failedJobsHistoryLimit", 1);
    ObjectNode jobSpec = Trees.obj(Trees.obj(spec, "jobTemplate"), "spec");
    if (jobSpec != null) PodTemplates.applyDefaults(jobSpec);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status");
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    String name = Meta.name(obj);
    if (name.length() > 52) errors.add(Errors.invalid("metadata.name", name, "must be no more than 52 characters"));
    JsonNode spec = Trees.obj(obj, "spec");
    String schedule = Trees.str(spec, "schedule");
    if (schedule.isEmpty()) {
      errors.add(Errors.required("spec.schedule"));
    } else {
      String err = CronSchedule.check(schedule);
      if (err != null) errors.add(Errors.invalid("spec.schedule", schedule, err));
      else if (schedule.contains("TZ")) {
        errors.add(Errors.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
      }
    }
    String tz = Trees.str(spec, "timeZone");
    if (Trees.has(spec, "timeZone")) {
      boolean known;
      try {
        java.time.ZoneId.of(tz);
        known = !tz.isEmpty() && !tz.equalsIgnoreCase("local");
      } catch (RuntimeException e) {
        known = false;
      }
      if (!known) errors.add(Errors.invalid("spec.timeZone", tz, "unknown time zone " + tz));
    }
    String cp = Trees.str(spec, "concurrencyPolicy");
    if (cp.isEmpty()) errors.add(Errors.required("spec.concurrencyPolicy"));
    else if (!CONCURRENCY.contains(cp)) errors.add(Errors.notSupported("spec.concurrencyPolicy", cp, CONCURRENCY));
    for (String f : List.of("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")) {
      Errors.nonNegative(spec, f, "spec." + f, errors);
    }
    JsonNode jobTemplate = Trees.obj(spec, "jobTemplate");
    ObjectNode tmeta = Trees.obj(jobTemplate, "metadata");
    MetadataValidation.validateLabels(Trees.obj(tmeta, "labels"), "spec.jobTemplate.metadata.labels", errors);
    MetadataValidation.validateAnnotations(Trees.obj(tmeta, "annotations"), "spec.jobTemplate.metadata.annotations", errors);
    JobStrategy.validateSpec(Trees.obj(jobTemplate, "spec"), "spec.jobTemplate.spec", false, errors);
  }
}
