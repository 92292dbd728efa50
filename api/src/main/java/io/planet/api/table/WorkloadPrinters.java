package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Printers for apps, batch, autoscaling and policy kinds, after upstream's printers.go. */
final class WorkloadPrinters {
  private static final String TEMPLATE_NAMES = "Names of each container in the template.";
  private static final String TEMPLATE_IMAGES = "Images referenced by each container in the template.";

  private WorkloadPrinters() {}

  static void register(Map<String, TablePrinter> p) {
    p.put("apps/Deployment", deployment());
    p.put("apps/ReplicaSet", replicaSet());
    p.put("apps/DaemonSet", daemonSet());
    p.put("apps/StatefulSet", statefulSet());
    p.put("apps/ControllerRevision", controllerRevision());
    p.put("batch/Job", job());
    p.put("batch/CronJob", cronJob());
    p.put("autoscaling/HorizontalPodAutoscaler", horizontalPodAutoscaler());
    p.put("policy/PodDisruptionBudget", podDisruptionBudget());
  }

  private static JsonNode podSpec(JsonNode o) {
    return Json.at(o, "spec", "template", "spec");
  }

  static TablePrinter deployment() {
    return ColumnPrinter.builder().name()
        .column("Ready", "string", "Number of the pod with ready state",
            o -> Cells.num(o, "status", "readyReplicas") + "/" + Cells.num(o, 1, "spec", "replicas"))
        .column("Up-to-date", "string", SwaggerDocs.of("V1DeploymentStatus", "updatedReplicas"),
            o -> Cells.num(o, "status", "updatedReplicas"))
        .column("Available", "string", SwaggerDocs.of("V1DeploymentStatus", "availableReplicas"),
            o -> Cells.num(o, "status", "availableReplicas"))
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(podSpec(o)))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(podSpec(o)))
        .wide("Selector", "string", SwaggerDocs.of("V1DeploymentSpec", "selector"), o -> {
          String s = Cells.selectorString(Json.at(o, "spec", "selector"));
          return s == null ? "<invalid>" : s;
        })
        .build();
  }

  static TablePrinter replicaSet() {
    return ColumnPrinter.builder().name()
        .column("Desired", "integer", SwaggerDocs.of("V1ReplicaSetSpec", "replicas"),
            o -> Cells.num(o, 1, "spec", "replicas"))
        .column("Current", "integer", SwaggerDocs.of("V1ReplicaSetStatus", "replicas"),
            o -> Cells.num(o, "status", "replicas"))
        .column("Ready", "integer", SwaggerDocs.of("V1ReplicaSetStatus", "readyReplicas"),
            o -> Cells.num(o, "status", "readyReplicas"))
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(podSpec(o)))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(podSpec(o)))
        .wide("Selector", "string", SwaggerDocs.of("V1ReplicaSetSpec", "selector"),
            o -> Cells.formatLabelSelector(Json.at(o, "spec", "selector")))
        .build();
  }

  static TablePrinter daemonSet() {
    return ColumnPrinter.builder().name()
        .column("Desired", "integer", SwaggerDocs.of("V1DaemonSetStatus", "desiredNumberScheduled"),
            o -> Cells.num(o, "status", "desiredNumberScheduled"))
        .column("Current", "integer", SwaggerDocs.of("V1DaemonSetStatus", "currentNumberScheduled"),
            o -> Cells.num(o, "status", "currentNumberScheduled"))
        .column("Ready", "integer", SwaggerDocs.of("V1DaemonSetStatus", "numberReady"),
            o -> Cells.num(o, "status", "numberReady"))
        .column("Up-to-date", "integer", SwaggerDocs.of("V1DaemonSetStatus", "updatedNumberScheduled"),
            o -> Cells.num(o, "status", "updatedNumberScheduled"))
        .column("Available", "integer", SwaggerDocs.of("V1DaemonSetStatus", "numberAvailable"),
            o -> Cells.num(o, "status", "numberAvailable"))
        .column("Node Selector", "string", SwaggerDocs.of("V1PodSpec", "nodeSelector"),
            o -> Cells.formatLabels(Json.at(o, "spec", "template", "spec", "nodeSelector")))
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(podSpec(o)))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(podSpec(o)))
        .wide("Selector", "string", SwaggerDocs.of("V1DaemonSetSpec", "selector"),
            o -> Cells.formatLabelSelector(Json.at(o, "spec", "selector")))
        .build();
  }

  static TablePrinter statefulSet() {
    return ColumnPrinter.builder().name()
        .column("Ready", "string", "Number of the pod with ready state",
            o -> Cells.num(o, "status", "readyReplicas") + "/" + Cells.num(o, 1, "spec", "replicas"))
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(podSpec(o)))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(podSpec(o)))
        .build();
  }

  static TablePrinter controllerRevision() {
    return ColumnPrinter.builder().name()
        .column("Controller", "string", "Controller of the object", WorkloadPrinters::controllerName)
        .column("Revision", "string", SwaggerDocs.of("V1ControllerRevision", "revision"),
            o -> Cells.num(o, "revision"))
        .age()
        .build();
  }

  /** The controller owner as "kind.group/name" in lower case ("statefulset.apps/web"), or "&lt;none&gt;". */
  static String controllerName(JsonNode obj) {
    for (JsonNode ref : Cells.list(obj, "metadata", "ownerReferences")) {
      if (!ref.path("controller").asBoolean(false)) continue;
      String apiVersion = Json.str(ref, "apiVersion");
      int slash = apiVersion.indexOf('/');
      String group = slash < 0 ? "" : apiVersion.substring(0, slash);
      String kind = Json.str(ref, "kind");
      if (kind.isEmpty() && group.isEmpty()) return Json.str(ref, "name");
      String groupKind = group.isEmpty() ? kind : kind + "." + group;
      return groupKind.toLowerCase(Locale.ROOT) + "/" + Json.str(ref, "name");
    }
    return Cells.NONE;
  }

  static TablePrinter job() {
    return ColumnPrinter.builder().name()
        .column("Status", "string", "Status of the job.", WorkloadPrinters::jobStatus)
        .column("Completions", "string", SwaggerDocs.of("V1JobStatus", "succeeded"), WorkloadPrinters::jobCompletions)
        .timed("Duration", "string", "Time required to complete the job.", WorkloadPrinters::jobDuration)
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(podSpec(o)))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(podSpec(o)))
        .wide("Selector", "string", SwaggerDocs.of("V1JobSpec", "selector"),
            o -> Cells.formatLabelSelector(Json.at(o, "spec", "selector")))
        .build();
  }

  /** Complete, Failed, Terminating, Suspended, FailureTarget or Running, in that precedence. */
  static String jobStatus(JsonNode job) {
    if (Cells.conditionTrue(job, "Complete")) return "Complete";
    if (Cells.conditionTrue(job, "Failed")) return "Failed";
    if (Meta.isDeleting(job)) return "Terminating";
    if (Cells.conditionTrue(job, "Suspended")) return "Suspended";
    if (Cells.conditionTrue(job, "FailureTarget")) return "FailureTarget";
    return "Running";
  }

  /** "succeeded/completions", or "n/1" ("n/1 of parallelism") for a work-queue job. */
  static String jobCompletions(JsonNode job) {
    long succeeded = Cells.num(job, "status", "succeeded");
    JsonNode completions = Json.at(job, "spec", "completions");
    if (completions != null) return succeeded + "/" + completions.asLong();
    long parallelism = Cells.num(job, "spec", "parallelism");
    return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
  }

  static String jobDuration(JsonNode job, Instant now) {
    Instant start = Cells.time(Json.at(job, "status", "startTime"));
    if (start == null) return "";
    Instant end = Cells.time(Json.at(job, "status", "completionTime"));
    return Durations.humanDuration(Duration.between(start, end == null ? now : end));
  }

  static TablePrinter cronJob() {
    return ColumnPrinter.builder().name()
        .column("Schedule", "string", SwaggerDocs.of("V1CronJobSpec", "schedule"), o -> Cells.str(o, "spec", "schedule"))
        .column("Timezone", "string", SwaggerDocs.of("V1CronJobSpec", "timeZone"),
            o -> Json.at(o, "spec", "timeZone") == null ? Cells.NONE : Cells.str(o, "spec", "timeZone"))
        .column("Suspend", "boolean", SwaggerDocs.of("V1CronJobSpec", "suspend"),
            o -> Cells.boolPtr(Json.at(o, "spec", "suspend")))
        .column("Active", "integer", SwaggerDocs.of("V1CronJobStatus", "active"),
            o -> (long) Cells.size(o, "status", "active"))
        .timed("Last Schedule", "string", SwaggerDocs.of("V1CronJobStatus", "lastScheduleTime"), (o, now) -> {
          JsonNode last = Json.at(o, "status", "lastScheduleTime");
          return last == null ? Cells.NONE : Cells.age(Cells.time(last), now);
        })
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES,
            o -> Cells.containerNames(Json.at(o, "spec", "jobTemplate", "spec", "template", "spec")))
        .wide("Images", "string", TEMPLATE_IMAGES,
            o -> Cells.containerImages(Json.at(o, "spec", "jobTemplate", "spec", "template", "spec")))
        .wide("Selector", "string", SwaggerDocs.of("V1JobSpec", "selector"),
            o -> Cells.formatLabelSelector(Json.at(o, "spec", "jobTemplate", "spec", "selector")))
        .build();
  }

  static TablePrinter horizontalPodAutoscaler() {
    return ColumnPrinter.builder().name()
        .column("Reference", "string", SwaggerDocs.of("V2HorizontalPodAutoscalerSpec", "scaleTargetRef"),
            o -> Cells.str(o, "spec", "scaleTargetRef", "kind") + "/" + Cells.str(o, "spec", "scaleTargetRef", "name"))
        .column("Targets", "string", SwaggerDocs.of("V2HorizontalPodAutoscalerSpec", "metrics"),
            WorkloadPrinters::hpaMetrics)
        .column("MinPods", "string", SwaggerDocs.of("V2HorizontalPodAutoscalerSpec", "minReplicas"),
            o -> Json.at(o, "spec", "minReplicas") == null ? Cells.UNSET
                : Long.toString(Cells.num(o, "spec", "minReplicas")))
        .column("MaxPods", "string", SwaggerDocs.of("V2HorizontalPodAutoscalerSpec", "maxReplicas"),
            o -> Cells.num(o, "spec", "maxReplicas"))
        .column("Replicas", "string", SwaggerDocs.of("V2HorizontalPodAutoscalerStatus", "currentReplicas"),
            o -> Cells.num(o, "status", "currentReplicas"))
        .age()
        .build();
  }

  /** formatHPAMetrics over autoscaling/v2 metrics; autoscaling/v1's CPU target reads as one Resource metric. */
  static String hpaMetrics(JsonNode hpa) {
    List<JsonNode> specs = Cells.list(hpa, "spec", "metrics");
    List<JsonNode> statuses = Cells.list(hpa, "status", "currentMetrics");
    if (specs.isEmpty() && Json.at(hpa, "spec", "targetCPUUtilizationPercentage") != null) {
      JsonNode current = Json.at(hpa, "status", "currentCPUUtilizationPercentage");
      return "cpu: " + (current == null ? Cells.UNKNOWN : current.asLong() + "%") + "/"
          + Cells.num(hpa, "spec", "targetCPUUtilizationPercentage") + "%";
    }
    if (specs.isEmpty()) return Cells.NONE;
    List<String> list = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      JsonNode spec = specs.get(i);
      JsonNode status = i < statuses.size() ? statuses.get(i) : null;
      list.add(hpaMetric(spec, status));
    }
    int max = 2;
    if (list.size() > max) {
      return String.join(", ", list.subList(0, max)) + " + " + (list.size() - max) + " more...";
    }
    return String.join(", ", list);
  }

  private static String hpaMetric(JsonNode spec, JsonNode status) {
    String type = Json.str(spec, "type");
    switch (type) {
      case "External", "Object", "Pods": {
        String field = type.equals("External") ? "external" : type.equals("Object") ? "object" : "pods";
        JsonNode target = Json.at(spec, field, "target");
        JsonNode current = status == null ? null : Json.at(status, field, "current");
        if (type.equals("Pods") || Json.at(target, "averageValue") != null) {
          String cur = current == null || Json.at(current, "averageValue") == null ? Cells.UNKNOWN
              : Json.str(current, "averageValue");
          String suffix = type.equals("Pods") ? "" : " (avg)";
          return cur + "/" + Json.str(target, "averageValue") + suffix;
        }
        String cur = current == null ? Cells.UNKNOWN : Cells.orElse(Json.str(current, "value"), "0");
        return cur + "/" + Cells.orElse(Json.str(target, "value"), "0");
      }
      case "Resource", "ContainerResource": {
        String field = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode source = spec.path(field);
        JsonNode target = source.path("target");
        JsonNode current = status == null ? null : Json.at(status, field, "current");
        String resource = Json.str(source, "name");
        if (target.hasNonNull("averageValue")) {
          String cur = current == null ? Cells.UNKNOWN : Cells.orElse(Json.str(current, "averageValue"), "0");
          return resource + ": " + cur + "/" + Json.str(target, "averageValue");
        }
        String cur = current == null || !current.hasNonNull("averageUtilization") ? Cells.UNKNOWN
            : current.get("averageUtilization").asLong() + "%";
        String tgt = target.hasNonNull("averageUtilization") ? target.get("averageUtilization").asLong() + "%"
            : "<auto>";
        return resource + ": " + cur + "/" + tgt;
      }
      default:
        return "<unknown type>";
    }
  }

  static TablePrinter podDisruptionBudget() {
    return ColumnPrinter.builder().name()
        .column("Min Available", "string", "The minimum number of pods that must be available.",
            o -> Json.at(o, "spec", "minAvailable") == null ? "N/A"
                : Cells.intOrString(Json.at(o, "spec", "minAvailable")))
        .column("Max Unavailable", "string", "The maximum number of pods that may be unavailable.",
            o -> Json.at(o, "spec", "maxUnavailable") == null ? "N/A"
                : Cells.intOrString(Json.at(o, "spec", "maxUnavailable")))
        .column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time.",
            o -> Cells.num(o, "status", "disruptionsAllowed"))
        .age()
        .build();
  }
}
