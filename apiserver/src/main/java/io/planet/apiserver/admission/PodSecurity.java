package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.apiserver.admission.PodSecurityChecks.Level;
import io.planet.apiserver.admission.PodSecurityChecks.Violation;
import io.planet.apiserver.registry.ListOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Upstream's Pod Security Admission. The namespace's {@code pod-security.kubernetes.io/enforce|audit|warn} labels
 * (and {@code -version}) pick a level: pods violating the enforce level are refused with 403, the warn level's
 * violations become Warning headers, for pods and for the pod templates of workload resources. Namespace label changes
 * are validated and a tightened enforce level warns about the existing pods it would refuse. There is no audit log
 * yet, so the audit level has no effect.
 */
final class PodSecurity implements AdmissionPlugin {
  static final String PREFIX = "pod-security.kubernetes.io/";
  private static final Pattern VERSION = Pattern.compile("^v1\\.(0|[1-9][0-9]*)$");
  /** Resources whose pod templates are checked for warn (and audit), never enforced, as upstream. */
  private static final Map<String, List<String>> TEMPLATES = Map.of(
      "apps/deployments", List.of("spec", "template"), "apps/replicasets", List.of("spec", "template"),
      "apps/statefulsets", List.of("spec", "template"), "apps/daemonsets", List.of("spec", "template"),
      "batch/jobs", List.of("spec", "template"), "batch/cronjobs", List.of("spec", "jobTemplate", "spec", "template"),
      "/replicationcontrollers", List.of("spec", "template"), "/podtemplates", List.of("template"));

  private final StoreLookup stores;
  private final PodSecurityConfig config;

  PodSecurity(StoreLookup stores, PodSecurityConfig config) {
    this.stores = stores;
    this.config = config;
  }

  /** A level at a version, as upstream prints it: {@code restricted:latest}. */
  record Policy(Level level, String version) {
    @Override
    public String toString() {
      return level.label() + ":" + version;
    }
  }

  @Override
  public String name() {
    return AdmissionPlugins.POD_SECURITY;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.operation().equals(AdmissionAttributes.CREATE) && !a.operation().equals(AdmissionAttributes.UPDATE)) return;
    if (a.isResource("", "namespaces")) {
      namespace(a);
      return;
    }
    boolean pod = a.type().group().isEmpty() && a.type().plural().equals("pods")
        && (a.subresource().isEmpty() || a.subresource().equals("ephemeralcontainers"));
    List<String> templatePath = a.subresource().isEmpty() ? TEMPLATES.get(a.type().group() + "/" + a.type().plural()) : null;
    if (!pod && templatePath == null) return;
    if (config.exemptUsernames().contains(a.user().name()) || config.exemptNamespaces().contains(a.namespace())) return;
    JsonNode template = pod ? a.object() : at(a.object(), templatePath);
    if (template == null || !template.isObject()) return;
    JsonNode spec = template.path("spec");
    if (config.exemptRuntimeClasses().contains(spec.path("runtimeClassName").asText(""))) return;
    if (pod && a.operation().equals(AdmissionAttributes.UPDATE) && !significantUpdate(a.object(), a.oldObject())) return;
    JsonNode labels = labels(a.namespace());
    Policy enforce = policy(labels, "enforce", config.enforce(), config.enforceVersion());
    Policy warn = policy(labels, "warn", config.warn(), config.warnVersion());
    JsonNode metadata = template.path("metadata");
    if (pod) {
      List<Violation> v = PodSecurityChecks.evaluate(enforce.level(), metadata, spec);
      if (!v.isEmpty()) throw a.forbidden("violates PodSecurity \"" + enforce + "\": " + describe(v));
    }
    if (warn.level() != Level.PRIVILEGED) {
      List<Violation> v = PodSecurityChecks.evaluate(warn.level(), metadata, spec);
      if (!v.isEmpty()) a.warn("would violate PodSecurity \"" + warn + "\": " + describe(v));
    }
  }

  /** Upstream's aggregate: {@code reason (detail), reason (detail)}. */
  static String describe(List<Violation> violations) {
    List<String> parts = new ArrayList<>();
    for (Violation v : violations) parts.add(v.reason() + " (" + v.detail() + ")");
    return String.join(", ", parts);
  }

  /** Only a change beyond images (or to the seccomp/AppArmor annotations) is checked again, as upstream. */
  private static boolean significantUpdate(ObjectNode pod, ObjectNode old) {
    if (old == null) return true;
    ObjectNode a = withoutImages(pod.path("spec"));
    ObjectNode b = withoutImages(old.path("spec"));
    if (!a.equals(b)) return true;
    return !securityAnnotations(pod).equals(securityAnnotations(old));
  }

  private static ObjectNode withoutImages(JsonNode spec) {
    ObjectNode copy = spec.isObject() ? ((ObjectNode) spec).deepCopy() : io.planet.api.Json.object();
    for (String f : List.of("containers", "initContainers", "ephemeralContainers")) {
      for (JsonNode c : copy.path(f)) if (c.isObject()) ((ObjectNode) c).remove("image");
    }
    return copy;
  }

  private static Map<String, String> securityAnnotations(JsonNode obj) {
    Map<String, String> out = new LinkedHashMap<>();
    obj.path("metadata").path("annotations").fields().forEachRemaining(e -> {
      if (e.getKey().contains("seccomp") || e.getKey().contains("apparmor")) out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  private JsonNode labels(String namespace) {
    ObjectNode ns = NamespaceLifecycle.namespace(stores, namespace);
    return ns == null ? io.planet.api.Json.object() : ns.path("metadata").path("labels");
  }

  /** The mode's policy from the labels: an invalid level counts as restricted, an invalid version as latest. */
  static Policy policy(JsonNode labels, String mode, String defaultLevel, String defaultVersion) {
    String level = labels.path(PREFIX + mode).asText("");
    String version = labels.path(PREFIX + mode + "-version").asText("");
    if (level.isEmpty()) level = defaultLevel;
    if (version.isEmpty()) version = defaultVersion;
    Level l = parseLevel(level);
    if (l == null) l = Level.RESTRICTED;
    if (!version.equals("latest") && !VERSION.matcher(version).matches()) version = "latest";
    return new Policy(l, version);
  }

  private static Level parseLevel(String s) {
    return switch (s) {
      case "privileged" -> Level.PRIVILEGED;
      case "baseline" -> Level.BASELINE;
      case "restricted" -> Level.RESTRICTED;
      default -> null;
    };
  }

  // ---- namespaces

  private void namespace(AdmissionAttributes a) {
    ObjectNode ns = a.object();
    JsonNode labels = ns.path("metadata").path("labels");
    List<FieldError> errors = new ArrayList<>();
    for (String mode : List.of("enforce", "audit", "warn")) {
      JsonNode level = labels.get(PREFIX + mode);
      if (level != null && parseLevel(level.asText()) == null) {
        errors.add(FieldError.invalid("metadata.labels[" + PREFIX + mode + "]", level.asText(),
            "must be one of privileged, baseline, restricted"));
      }
      JsonNode version = labels.get(PREFIX + mode + "-version");
      if (version != null && !version.asText().equals("latest") && !VERSION.matcher(version.asText()).matches()) {
        errors.add(FieldError.invalid("metadata.labels[" + PREFIX + mode + "-version]", version.asText(),
            "must be \"latest\" or \"v1.x\""));
      }
    }
    if (!errors.isEmpty()) throw ApiException.invalid("", "Namespace", Meta.name(ns), errors);
    if (!a.operation().equals(AdmissionAttributes.UPDATE) || a.oldObject() == null) return;
    if (config.exemptNamespaces().contains(Meta.name(ns))) return;
    Policy now = policy(labels, "enforce", config.enforce(), config.enforceVersion());
    Policy before = policy(a.oldObject().path("metadata").path("labels"), "enforce", config.enforce(), config.enforceVersion());
    if (now.equals(before) || now.level() == Level.PRIVILEGED) return;
    warnExistingPods(a, Meta.name(ns), now);
  }

  /** Upstream's warnings for the pods a new enforce level would refuse, grouped by identical reasons. */
  private void warnExistingPods(AdmissionAttributes a, String namespace, Policy policy) {
    Map<String, List<String>> byReasons = new LinkedHashMap<>();
    List<ObjectNode> pods = new ArrayList<>(stores.store("", "v1", "pods").list(namespace, ListOptions.all()).items());
    pods.sort(java.util.Comparator.comparing(Meta::name));
    for (ObjectNode pod : pods) {
      JsonNode spec = pod.path("spec");
      if (config.exemptRuntimeClasses().contains(spec.path("runtimeClassName").asText(""))) continue;
      List<Violation> v = PodSecurityChecks.evaluate(policy.level(), pod.path("metadata"), spec);
      if (v.isEmpty()) continue;
      List<String> reasons = new ArrayList<>();
      for (Violation x : v) if (!reasons.contains(x.reason())) reasons.add(x.reason());
      byReasons.computeIfAbsent(String.join(", ", reasons), k -> new ArrayList<>()).add(Meta.name(pod));
    }
    if (byReasons.isEmpty()) return;
    a.warn("existing pods in namespace \"" + namespace + "\" violate the new PodSecurity enforce level \"" + policy + "\"");
    byReasons.forEach((reasons, names) -> a.warn(names.get(0)
        + (names.size() > 1 ? " (and " + (names.size() - 1) + " other " + (names.size() == 2 ? "pod" : "pods") + ")" : "")
        + ": " + reasons));
  }

  private static JsonNode at(JsonNode obj, List<String> path) {
    JsonNode n = obj;
    for (String p : path) {
      if (n == null) return null;
      n = n.get(p);
    }
    return n;
  }
}
