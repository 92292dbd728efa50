package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's ValidateObjectMeta / ValidateObjectMetaUpdate (k8s.io/apimachinery/pkg/api/validation/objectmeta.go),
 * applied to every resource including custom resources, with each kind's name rule.
 */
public final class MetadataValidation {
  private MetadataValidation() {}

  /** ValidateAnnotations' limit on the sum of key and value lengths. */
  public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

  public static void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode meta = Trees.obj(obj, "metadata");
    String name = Trees.str(meta, "name");
    String generateName = Trees.str(meta, "generateName");
    Names.Rule rule = nameRule(type.group(), type.kind());
    if (!generateName.isEmpty()) {
      for (String msg : rule.check(generateName, true)) errors.add(Errors.invalid("metadata.generateName", generateName, msg));
    }
    if (name.isEmpty()) {
      errors.add(Errors.required("metadata.name", "name or generateName is required"));
    } else {
      for (String msg : rule.check(name, false)) errors.add(Errors.invalid("metadata.name", name, msg));
    }
    String namespace = Trees.str(meta, "namespace");
    if (type.namespaced()) {
      if (namespace.isEmpty()) {
        errors.add(Errors.required("metadata.namespace"));
      } else {
        for (String msg : Names.dns1123Label(namespace)) errors.add(Errors.invalid("metadata.namespace", namespace, msg));
      }
    } else if (!namespace.isEmpty()) {
      errors.add(Errors.forbidden("metadata.namespace", "not allowed on this type"));
    }
    Errors.nonNegative(meta, "generation", "metadata.generation", errors);
    validateCommon(meta, errors);
  }

  /** The parts of ValidateObjectMeta that updates re-check. */
  private static void validateCommon(ObjectNode meta, List<FieldError> errors) {
    validateLabels(Trees.obj(meta, "labels"), "metadata.labels", errors);
    validateAnnotations(Trees.obj(meta, "annotations"), "metadata.annotations", errors);
    validateOwnerReferences(meta == null ? null : meta.get("ownerReferences"), errors);
    validateFinalizers(meta == null ? null : meta.get("finalizers"), errors);
  }

  public static void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    ObjectNode meta = Trees.obj(obj, "metadata");
    ObjectNode oldMeta = Trees.obj(old, "metadata");
    if (Trees.has(oldMeta, "deletionTimestamp")) {
      Set<String> extra = new LinkedHashSet<>(strings(meta == null ? null : meta.get("finalizers")));
      extra.removeAll(strings(oldMeta.get("finalizers")));
      if (!extra.isEmpty()) {
        StringBuilder b = new StringBuilder("[]string{");
        int i = 0;
        for (String f : new java.util.TreeSet<>(extra)) b.append(i++ > 0 ? ", " : "").append(Errors.quote(f));
        errors.add(Errors.forbidden("metadata.finalizers",
            "no new finalizers can be added if the object is being deleted, found new finalizers " + b + "}"));
      }
    }
    long gen = Trees.num(meta, "generation", 0);
    if (gen < Trees.num(oldMeta, "generation", 0)) {
      errors.add(Errors.invalid("metadata.generation", gen, "must not be decremented"));
    }
    Errors.immutable(Trees.str(meta, "name"), Trees.str(oldMeta, "name"), "metadata.name", errors);
    Errors.immutable(Trees.str(meta, "namespace"), Trees.str(oldMeta, "namespace"), "metadata.namespace", errors);
    // an update without uid or creationTimestamp keeps the stored ones (upstream's BeforeUpdate fills them first)
    if (Trees.has(meta, "uid")) Errors.immutable(Trees.str(meta, "uid"), Trees.str(oldMeta, "uid"), "metadata.uid", errors);
    if (Trees.has(meta, "creationTimestamp") && Trees.has(oldMeta, "creationTimestamp")) {
      String now = Trees.str(meta, "creationTimestamp");
      String was = Trees.str(oldMeta, "creationTimestamp");
      java.time.Instant a = io.planet.api.Meta.parseTime(now);
      java.time.Instant b = io.planet.api.Meta.parseTime(was);
      if (a == null || !a.equals(b)) errors.add(Errors.invalid("metadata.creationTimestamp", now, Errors.IMMUTABLE));
    }
    validateCommon(meta, errors);
  }

  /** The name rule upstream's ValidateObjectMeta uses for each kind (custom resources: DNS-1123 subdomain). */
  static Names.Rule nameRule(String group, String kind) {
    return switch (group + "/" + kind) {
      case "/Namespace" -> Names.DNS1123_LABEL;
      case "/Service" -> Names.DNS1035_LABEL;
      case "/PersistentVolume", "/PersistentVolumeClaim",
          "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole",
          "rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding",
          "apiregistration.k8s.io/APIService",
          // upstream's ValidateCertificateRequestName accepts any name; only the path rules remain
          "certificates.k8s.io/CertificateSigningRequest" -> Names.PATH_SEGMENT;
      default -> Names.DNS1123_SUBDOMAIN;
    };
  }

  /** ValidateLabels: errors on the map's path, without the key (as upstream). */
  static void validateLabels(JsonNode labels, String path, List<FieldError> errors) {
    if (labels == null || !labels.isObject()) return;
    labels.fields().forEachRemaining(e -> {
      for (String msg : Names.qualifiedName(e.getKey())) errors.add(Errors.invalid(path, e.getKey(), msg));
      String v = e.getValue().isNull() ? "" : e.getValue().asText();
      for (String msg : Names.labelValue(v)) errors.add(Errors.invalid(path, v, msg));
    });
  }

  static void validateAnnotations(JsonNode annotations, String path, List<FieldError> errors) {
    if (annotations == null || !annotations.isObject()) return;
    long total = 0;
    for (Map.Entry<String, JsonNode> e : iterable(annotations)) {
      for (String msg : Names.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
        errors.add(Errors.invalid(path, e.getKey(), msg));
      }
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      total += (e.getValue().isNull() ? "" : e.getValue().asText()).getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errors.add(Errors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  }

  static void validateFinalizers(JsonNode finalizers, List<FieldError> errors) {
    for (String f : strings(finalizers)) {
      for (String msg : Names.qualifiedName(f)) errors.add(Errors.invalid("metadata.finalizers", f, msg));
    }
    List<String> all = strings(finalizers);
    if (all.contains("orphan") && all.contains("foregroundDeletion")) {
      errors.add(Errors.invalidRendered("metadata.finalizers", Errors.goStringSlice(finalizers),
          "finalizer orphan and foregroundDeletion cannot be both set"));
    }
  }

  static void validateOwnerReferences(JsonNode refs, List<FieldError> errors) {
    if (refs == null || !refs.isArray()) return;
    String path = "metadata.ownerReferences";
    String controller = null;
    for (JsonNode ref : refs) {
      String apiVersion = Trees.str(ref, "apiVersion");
      String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
      if (version.isEmpty()) errors.add(Errors.invalid(path + ".apiVersion", apiVersion, "version must not be empty"));
      if (Trees.str(ref, "kind").isEmpty()) errors.add(Errors.invalid(path + ".kind", "", "must not be empty"));
      if (Trees.str(ref, "name").isEmpty()) errors.add(Errors.invalid(path + ".name", "", "must not be empty"));
      if (Trees.str(ref, "uid").isEmpty()) errors.add(Errors.invalid(path + ".uid", "", "must not be empty"));
      if (Trees.bool(ref, "controller")) {
        String here = Trees.str(ref, "kind") + "/" + Trees.str(ref, "name");
        if (controller != null) {
          errors.add(Errors.invalidRendered(path, refs.toString(),
              "Only one reference can have Controller set to true. Found \"true\" in references for " + controller
                  + " and " + here));
        } else {
          controller = here;
        }
      }
    }
  }

  static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) for (JsonNode n : arr) out.add(n.asText());
    return out;
  }

  static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode obj) {
    return obj::fields;
  }
}
