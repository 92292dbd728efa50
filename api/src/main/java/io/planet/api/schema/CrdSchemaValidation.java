package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.FieldError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks a CustomResourceDefinition's {@code openAPIV3Schema} must pass (apiextensions.k8s.io/v1 requires
 * structural schemas), with upstream's paths and messages: structural invariants (types given, metadata restricted to
 * name/generateName, nothing structural inside allOf/anyOf/oneOf/not), defaults that are pruned and valid, and the
 * common OpenAPI rules (additionalProperties next to properties, uniqueItems, list types).
 *
 * <p>Not checked: the completeness rule (every field in a value validation also specified structurally), schema
 * keywords v1 forbids ($ref, patternProperties, dependencies, ...), CEL rules and their cost, defaults inside
 * metadata.
 */
public final class CrdSchemaValidation {
  private CrdSchemaValidation() {}

  private enum Level { ROOT, ITEM, FIELD }

  private static final Set<String> META_FIELDS = Set.of("apiVersion", "kind", "metadata");

  /** Errors of {@code schema} at {@code path} (e.g. {@code spec.versions[0].schema.openAPIV3Schema}). */
  public static List<FieldError> validate(JsonNode schema, String path) {
    List<FieldError> out = new ArrayList<>();
    if (schema == null || !schema.isObject()) return out;
    if (schema.path("nullable").asBoolean(false)) out.add(FieldError.forbidden(path + ".nullable", "nullable cannot be true at the root"));
    List<FieldError> structural = new ArrayList<>();
    invariants(schema, Level.ROOT, path, structural);
    structural.sort(Comparator.comparing(FieldError::message));
    out.addAll(structural);
    if (structural.isEmpty()) defaults(StructuralSchema.compile(schema), true, path, out);
    openApi(schema, path, out);
    return out;
  }

  // ---- structural invariants (upstream's schema.ValidateStructural)

  private static void invariants(JsonNode s, Level lvl, String path, List<FieldError> out) {
    String type = s.path("type").asText("");
    boolean embedded = s.path("x-kubernetes-embedded-resource").asBoolean(false);
    boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
    if (type.equals("array") && !s.path("items").isObject()) out.add(FieldError.required(path + ".items", "must be specified"));
    if (s.path("items").isObject()) invariants(s.get("items"), Level.ITEM, path + ".items", out);
    JsonNode props = s.path("properties");
    props.fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) invariants(e.getValue(), Level.FIELD, path + ".properties[" + e.getKey() + "]", out);
    });
    JsonNode ap = s.get("additionalProperties");
    if (ap != null && !ap.isNull()) {
      if (lvl == Level.ROOT) out.add(FieldError.forbidden(path + ".additionalProperties", "must not be used at the root"));
      if (ap.isObject()) invariants(ap, Level.FIELD, path + ".additionalProperties", out);
    }
    if (intOrString && preserve) {
      out.add(FieldError.invalid(path + ".x-kubernetes-preserve-unknown-fields", true, "must be false if x-kubernetes-int-or-string is true"));
    }
    if (intOrString && embedded) {
      out.add(FieldError.invalid(path + ".x-kubernetes-embedded-resource", true, "must be false if x-kubernetes-int-or-string is true"));
    }
    boolean skipAnyOf = intOrStringAnyOf(s.get("anyOf"));
    boolean skipFirstAllOfAnyOf = s.path("allOf").isArray() && s.get("allOf").size() > 0
        && intOrStringAnyOf(s.get("allOf").get(0).get("anyOf"));
    valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path, out);
    boolean checkMetadata = lvl == Level.ROOT || embedded;
    if (embedded && !type.equals("object")) {
      if (type.isEmpty()) out.add(FieldError.required(path + ".type", "must be object if x-kubernetes-embedded-resource is true"));
      else out.add(FieldError.invalid(path + ".type", type, "must be object if x-kubernetes-embedded-resource is true"));
    } else if (type.isEmpty() && !intOrString && !preserve) {
      String detail = switch (lvl) {
        case ROOT -> "must not be empty at the root";
        case ITEM -> "must not be empty for specified array items";
        case FIELD -> "must not be empty for specified object fields";
      };
      out.add(FieldError.required(path + ".type", detail));
    }
    if (embedded && ap != null && !ap.isNull()) {
      out.add(FieldError.forbidden(path + ".additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"));
    }
    if (lvl == Level.ROOT && !type.isEmpty() && !type.equals("object")) {
      out.add(FieldError.invalid(path + ".type", type, "must be object at the root"));
    }
    for (String f : List.of("kind", "apiVersion")) {
      JsonNode p = props.get(f);
      if (p != null && checkMetadata && !p.path("type").asText("").equals("string")) {
        out.add(FieldError.invalid(path + ".properties[" + f + "].type", p.path("type").asText(""), "must be string"));
      }
    }
    JsonNode meta = props.get("metadata");
    if (meta != null && meta.isObject()) {
      String mp = path + ".properties[metadata]";
      if (checkMetadata && !meta.path("type").asText("").equals("object")) {
        out.add(FieldError.invalid(mp + ".type", meta.path("type").asText(""), "must be object"));
      }
      if (lvl == Level.ROOT && !onlyNameAndGenerateName(meta)) {
        out.add(FieldError.forbidden(mp, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
      }
    }
    if (embedded && !preserve && props.size() == 0) {
      out.add(FieldError.required(path + ".properties",
          "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
    }
  }

  /** Root metadata may restrict name and generateName only (type and default are ignored). */
  private static boolean onlyNameAndGenerateName(JsonNode meta) {
    Iterator<String> keys = meta.fieldNames();
    while (keys.hasNext()) {
      String k = keys.next();
      if (k.equals("type") || k.equals("default")) continue;
      if (!k.equals("properties")) return false;
      Iterator<String> props = meta.get("properties").fieldNames();
      while (props.hasNext()) {
        String p = props.next();
        if (!p.equals("name") && !p.equals("generateName")) return false;
      }
    }
    return true;
  }

  private static boolean intOrStringAnyOf(JsonNode anyOf) {
    if (anyOf == null || !anyOf.isArray() || anyOf.size() != 2) return false;
    return isOnlyType(anyOf.get(0), "integer") && isOnlyType(anyOf.get(1), "string");
  }

  private static boolean isOnlyType(JsonNode n, String type) {
    return n.isObject() && n.size() == 1 && type.equals(n.path("type").asText());
  }

  private static void valueValidation(JsonNode s, boolean skipAnyOf, boolean skipFirstAllOfAnyOf, String path, List<FieldError> out) {
    if (!skipAnyOf) nestedList(s.get("anyOf"), path + ".anyOf", -1, out);
    nestedList(s.get("allOf"), path + ".allOf", skipFirstAllOfAnyOf ? 0 : -1, out);
    nestedList(s.get("oneOf"), path + ".oneOf", -1, out);
    if (s.path("not").isObject()) nested(s.get("not"), false, path + ".not", out);
    String pattern = s.hasNonNull("pattern") ? s.get("pattern").asText() : null;
    if (pattern != null) {
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        out.add(FieldError.invalid(path + ".pattern", pattern, "must be a valid regular expression, but isn't: " + e.getDescription()));
      }
    }
  }

  private static void nestedList(JsonNode arr, String path, int skipAnyOfAt, List<FieldError> out) {
    if (arr == null || !arr.isArray()) return;
    for (int i = 0; i < arr.size(); i++) {
      if (arr.get(i).isObject()) nested(arr.get(i), i == skipAnyOfAt, path + "[" + i + "]", out);
    }
  }

  /** Inside allOf/anyOf/oneOf/not only value validations may appear. */
  private static void nested(JsonNode v, boolean skipAnyOf, String path, List<FieldError> out) {
    valueValidation(v, skipAnyOf, false, path, out);
    if (v.path("items").isObject()) nested(v.get("items"), false, path + ".items", out);
    v.path("properties").fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) nested(e.getValue(), false, path + ".properties[" + e.getKey() + "]", out);
    });
    if (v.hasNonNull("type") && !v.get("type").asText().isEmpty()) out.add(FieldError.forbidden(path + ".type", "must be empty to be structural"));
    if (v.has("additionalProperties")) out.add(FieldError.forbidden(path + ".additionalProperties", "must be undefined to be structural"));
    if (v.hasNonNull("default")) out.add(FieldError.forbidden(path + ".default", "must be undefined to be structural"));
    if (!v.path("title").asText("").isEmpty()) out.add(FieldError.forbidden(path + ".title", "must be empty to be structural"));
    if (!v.path("description").asText("").isEmpty()) out.add(FieldError.forbidden(path + ".description", "must be empty to be structural"));
    if (v.path("nullable").asBoolean(false)) out.add(FieldError.forbidden(path + ".nullable", "must be false to be structural"));
    if (v.has("externalDocs")) out.add(FieldError.forbidden(path + ".externalDocs", "must be undefined to be structural"));
    if (v.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      out.add(FieldError.forbidden(path + ".x-kubernetes-preserve-unknown-fields", "must be false to be structural"));
    }
    if (v.path("x-kubernetes-embedded-resource").asBoolean(false)) {
      out.add(FieldError.forbidden(path + ".x-kubernetes-embedded-resource", "must be false to be structural"));
    }
    if (v.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.add(FieldError.forbidden(path + ".x-kubernetes-int-or-string", "must be false to be structural"));
    }
    if (v.path("x-kubernetes-list-map-keys").size() > 0) {
      out.add(FieldError.forbidden(path + ".x-kubernetes-list-map-keys", "must be empty to be structural"));
    }
    if (v.hasNonNull("x-kubernetes-list-type")) out.add(FieldError.forbidden(path + ".x-kubernetes-list-type", "must be undefined to be structural"));
    if (v.hasNonNull("x-kubernetes-map-type")) out.add(FieldError.forbidden(path + ".x-kubernetes-map-type", "must be undefined to be structural"));
    if (v.path("x-kubernetes-validations").size() > 0) {
      out.add(FieldError.forbidden(path + ".x-kubernetes-validations", "must be empty to be structural"));
    }
    if (v.path("properties").has("metadata")) {
      out.add(FieldError.forbidden(path + ".properties[metadata]", "must not be specified in a nested context"));
    }
  }

  // ---- defaults (upstream's defaulting.ValidateDefaults): pruned and valid against their own schema

  private static void defaults(StructuralSchema s, boolean resourceRoot, String path, List<FieldError> out) {
    if (s == null) return;
    if (s.defaultValue != null) {
      JsonNode d = s.defaultValue;
      JsonNode pruned = d.deepCopy();
      Pruning.pruneValue(pruned, s);
      if (!pruned.equals(d)) out.add(FieldError.invalid(path + ".default", d, "must not have unknown fields"));
      out.addAll(SchemaValidation.validateValue(s, d, path + ".default"));
    }
    if (s.items != null) defaults(s.items, false, path + ".items", out);
    for (Map.Entry<String, StructuralSchema> e : s.properties.entrySet()) {
      // defaults inside apiVersion, kind and metadata of a resource are checked by upstream against ObjectMeta: skipped
      if ((resourceRoot || s.embeddedResource) && META_FIELDS.contains(e.getKey())) continue;
      defaults(e.getValue(), false, path + ".properties[" + e.getKey() + "]", out);
    }
  }

  // ---- OpenAPI rules (upstream's ValidateCustomResourceDefinitionOpenAPISchema, the common ones)

  private static void openApi(JsonNode s, String path, List<FieldError> out) {
    if (s.path("uniqueItems").asBoolean(false)) {
      out.add(FieldError.forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
    }
    JsonNode ap = s.get("additionalProperties");
    if (ap != null && !ap.isNull()) {
      if (s.path("properties").size() > 0 && (ap.isObject() || !ap.asBoolean(false))) {
        out.add(FieldError.forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
      }
      if (ap.isObject()) openApi(ap, path + ".additionalProperties", out);
    }
    s.path("properties").fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) openApi(e.getValue(), path + ".properties[" + e.getKey() + "]", out);
    });
    if (s.path("not").isObject()) openApi(s.get("not"), path + ".not", out);
    for (String j : List.of("allOf", "oneOf", "anyOf")) {
      JsonNode arr = s.get(j);
      if (arr != null && arr.isArray()) {
        for (int i = 0; i < arr.size(); i++) if (arr.get(i).isObject()) openApi(arr.get(i), path + "." + j + "[" + i + "]", out);
      }
    }
    if (s.path("items").isObject()) openApi(s.get("items"), path + ".items", out);
    JsonNode preserve = s.get("x-kubernetes-preserve-unknown-fields");
    if (preserve != null && preserve.isBoolean() && !preserve.asBoolean()) {
      out.add(FieldError.invalid(path + ".x-kubernetes-preserve-unknown-fields", false, "must be true or undefined"));
    }
    String type = s.path("type").asText("");
    String listType = s.hasNonNull("x-kubernetes-list-type") ? s.get("x-kubernetes-list-type").asText() : null;
    if (listType != null && !type.equals("array")) {
      if (type.isEmpty()) out.add(FieldError.required(path + ".type", "must be array if x-kubernetes-list-type is specified"));
      else out.add(FieldError.invalid(path + ".type", type, "must be array if x-kubernetes-list-type is specified"));
    }
    if (listType != null && !List.of("atomic", "set", "map").contains(listType)) {
      out.add(FieldError.notSupported(path + ".x-kubernetes-list-type", listType, List.of("atomic", "set", "map")));
    }
    boolean hasKeys = s.path("x-kubernetes-list-map-keys").size() > 0;
    if (hasKeys && listType == null) {
      out.add(FieldError.required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty"));
    } else if (hasKeys && !listType.equals("map")) {
      out.add(FieldError.invalid(path + ".x-kubernetes-list-type", listType, "must be map if x-kubernetes-list-map-keys is non-empty"));
    }
    if ("map".equals(listType)) {
      if (!hasKeys) out.add(FieldError.required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"));
      JsonNode items = s.get("items");
      if (items == null) out.add(FieldError.required(path + ".items", "must have a schema if x-kubernetes-list-type is map"));
      else if (!items.path("type").asText("").equals("object")) {
        out.add(FieldError.invalid(path + ".items.type", items.path("type").asText(""), "must be object if parent array's x-kubernetes-list-type is map"));
      }
    }
    String mapType = s.hasNonNull("x-kubernetes-map-type") ? s.get("x-kubernetes-map-type").asText() : null;
    if (mapType != null && !type.equals("object")) {
      if (type.isEmpty()) out.add(FieldError.required(path + ".type", "must be object if x-kubernetes-map-type is specified"));
      else out.add(FieldError.invalid(path + ".type", type, "must be object if x-kubernetes-map-type is specified"));
    }
    if (mapType != null && !mapType.equals("atomic") && !mapType.equals("granular")) {
      out.add(FieldError.notSupported(path + ".x-kubernetes-map-type", mapType, List.of("atomic", "granular")));
    }
  }
}
