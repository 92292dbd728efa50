package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ephemeral containers (upstream's validateEphemeralContainers and ValidatePodEphemeralContainersUpdate, 1.32): no
 * ports, resources, resize or restart policy, probes or lifecycle hooks, no subPath mounts, a target that is one of
 * the pod's containers; and through pods/ephemeralcontainers, entries may only be added, never removed or changed.
 */
final class EphemeralContainerValidation {
  static final String FORBIDDEN = "cannot be set for an Ephemeral Container";
  /** The fields of EphemeralContainerCommon upstream does not allow, in the struct's order. */
  static final List<String> NOT_ALLOWED = List.of("ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe",
      "readinessProbe", "startupProbe", "lifecycle");

  private EphemeralContainerValidation() {}

  /** The ephemeral-only rules for spec.ephemeralContainers (the common container rules are PodSpecs'). */
  static void validate(ObjectNode spec, String path, List<FieldError> errors) {
    List<ObjectNode> ephemeral = Trees.items(spec, "ephemeralContainers");
    if (ephemeral.isEmpty()) return;
    Set<String> targets = new HashSet<>();
    for (String list : List.of("initContainers", "containers")) {
      for (ObjectNode c : Trees.items(spec, list)) targets.add(Trees.str(c, "name"));
    }
    for (int i = 0; i < ephemeral.size(); i++) {
      ObjectNode c = ephemeral.get(i);
      String p = path + ".ephemeralContainers[" + i + "]";
      for (String f : NOT_ALLOWED) {
        if (set(c.get(f))) errors.add(Errors.forbidden(p + "." + f, FORBIDDEN));
      }
      List<ObjectNode> mounts = Trees.items(c, "volumeMounts");
      for (int j = 0; j < mounts.size(); j++) {
        for (String f : List.of("subPath", "subPathExpr")) {
          if (!Trees.str(mounts.get(j), f).isEmpty()) {
            errors.add(Errors.forbidden(p + ".volumeMounts[" + j + "]." + f, FORBIDDEN));
          }
        }
      }
      String target = Trees.str(c, "targetContainerName");
      if (!target.isEmpty() && !targets.contains(target)) errors.add(Errors.notFound(p + ".targetContainerName", target));
    }
  }

  /** Go's non-zero value: a field present with something in it (an empty resources object counts as unset). */
  private static boolean set(JsonNode v) {
    if (v == null || v.isNull()) return false;
    if (v.isObject()) {
      for (JsonNode child : v) if (set(child)) return true;
      return false;
    }
    if (v.isArray()) return !v.isEmpty();
    if (v.isTextual()) return !v.asText().isEmpty();
    return true;
  }

  /** ValidatePodEphemeralContainersUpdate's second part: existing entries stay, unchanged. */
  static void validateUpdate(ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    if (!Trees.str(Trees.obj(Trees.obj(old, "metadata"), "annotations"), "kubernetes.io/config.mirror").isEmpty()) {
      errors.add(Errors.forbidden("", "static pods do not support ephemeral containers"));
      return;
    }
    Map<String, ObjectNode> now = new LinkedHashMap<>();
    for (ObjectNode c : Trees.items(Trees.obj(obj, "spec"), "ephemeralContainers")) now.put(Trees.str(c, "name"), c);
    for (ObjectNode was : Trees.items(Trees.obj(old, "spec"), "ephemeralContainers")) {
      String name = Trees.str(was, "name");
      ObjectNode c = now.get(name);
      if (c == null) {
        errors.add(Errors.forbidden("spec.ephemeralContainers", "existing ephemeral containers \"" + name
            + "\" may not be removed\n"));
      } else if (!Trees.semanticEquals(was, c)) {
        errors.add(Errors.forbidden("spec.ephemeralContainers", "existing ephemeral containers \"" + name
            + "\" may not be changed\n"));
      }
    }
  }
}
