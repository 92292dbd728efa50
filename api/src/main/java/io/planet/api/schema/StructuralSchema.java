package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One node of a custom resource version's OpenAPI v3 schema compiled for the request path (upstream's
 * {@code structuralschema.Structural} plus its value validations): what pruning, defaulting and validation need,
 * parsed once per CRD version. Value validations under allOf/anyOf/oneOf/not are kept as nested nodes; they validate
 * but never prune or default, as upstream.
 */
public final class StructuralSchema {
  /** "object", "array", "string", "integer", "number", "boolean" or "" (untyped). */
  final String type;
  final boolean nullable;
  /** The {@code default} value, or null when there is none. */
  final JsonNode defaultValue;
  final String format;
  final Map<String, StructuralSchema> properties;
  /** additionalProperties as a schema; null when absent or a boolean. */
  final StructuralSchema additionalProperties;
  /** additionalProperties was given (as a schema or a boolean). */
  final boolean hasAdditionalProperties;
  /** additionalProperties is a schema or true. */
  final boolean allowsAdditionalProperties;
  final StructuralSchema items;
  final boolean preserveUnknownFields;
  final boolean embeddedResource;
  final boolean intOrString;
  final String listType;
  final List<String> listMapKeys;

  // value validations
  final List<String> required;
  final List<JsonNode> enumValues;
  final String pattern;
  final Pattern compiledPattern;
  final BigDecimal maximum;
  final boolean exclusiveMaximum;
  final BigDecimal minimum;
  final boolean exclusiveMinimum;
  final BigDecimal multipleOf;
  final Long maxLength;
  final Long minLength;
  final Long maxItems;
  final Long minItems;
  final boolean uniqueItems;
  final Long maxProperties;
  final Long minProperties;
  final List<StructuralSchema> allOf;
  final List<StructuralSchema> anyOf;
  final List<StructuralSchema> oneOf;
  final StructuralSchema not;
  /** Some node of this subtree (structurally, not under value validations) has a default. */
  final boolean hasDefaults;

  private StructuralSchema(JsonNode n) {
    type = n.path("type").asText("");
    nullable = n.path("nullable").asBoolean(false);
    defaultValue = n.has("default") && !n.get("default").isNull() ? n.get("default") : null;
    format = n.hasNonNull("format") ? n.get("format").asText() : "";
    Map<String, StructuralSchema> props = new LinkedHashMap<>();
    JsonNode p = n.get("properties");
    if (p != null && p.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = p.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isObject()) props.put(e.getKey(), new StructuralSchema(e.getValue()));
      }
    }
    properties = Collections.unmodifiableMap(props);
    JsonNode ap = n.get("additionalProperties");
    hasAdditionalProperties = ap != null && (ap.isObject() || ap.isBoolean());
    additionalProperties = ap != null && ap.isObject() ? new StructuralSchema(ap) : null;
    allowsAdditionalProperties = ap != null && (ap.isObject() || ap.asBoolean(false));
    JsonNode it = n.get("items");
    items = it != null && it.isObject() ? new StructuralSchema(it) : null;
    preserveUnknownFields = n.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    embeddedResource = n.path("x-kubernetes-embedded-resource").asBoolean(false);
    intOrString = n.path("x-kubernetes-int-or-string").asBoolean(false);
    listType = n.hasNonNull("x-kubernetes-list-type") ? n.get("x-kubernetes-list-type").asText() : null;
    listMapKeys = strings(n.get("x-kubernetes-list-map-keys"));
    required = strings(n.get("required"));
    List<JsonNode> en = new ArrayList<>();
    if (n.path("enum").isArray()) n.get("enum").forEach(en::add);
    enumValues = List.copyOf(en);
    pattern = n.hasNonNull("pattern") ? n.get("pattern").asText() : null;
    compiledPattern = compile(pattern);
    maximum = decimal(n.get("maximum"));
    exclusiveMaximum = n.path("exclusiveMaximum").asBoolean(false);
    minimum = decimal(n.get("minimum"));
    exclusiveMinimum = n.path("exclusiveMinimum").asBoolean(false);
    multipleOf = decimal(n.get("multipleOf"));
    maxLength = longOrNull(n.get("maxLength"));
    minLength = longOrNull(n.get("minLength"));
    maxItems = longOrNull(n.get("maxItems"));
    minItems = longOrNull(n.get("minItems"));
    uniqueItems = n.path("uniqueItems").asBoolean(false);
    maxProperties = longOrNull(n.get("maxProperties"));
    minProperties = longOrNull(n.get("minProperties"));
    allOf = nested(n.get("allOf"));
    anyOf = nested(n.get("anyOf"));
    oneOf = nested(n.get("oneOf"));
    not = n.path("not").isObject() ? new StructuralSchema(n.get("not")) : null;
    boolean d = defaultValue != null;
    for (StructuralSchema s : properties.values()) d |= s.hasDefaults;
    if (additionalProperties != null) d |= additionalProperties.hasDefaults;
    if (items != null) d |= items.hasDefaults;
    hasDefaults = d;
  }

  /** Compiles a version's {@code openAPIV3Schema}; null for a missing schema (everything is preserved then). */
  public static StructuralSchema compile(JsonNode openAPIV3Schema) {
    if (openAPIV3Schema == null || !openAPIV3Schema.isObject()) return null;
    return new StructuralSchema(openAPIV3Schema);
  }

  /** Whether any default is declared below this node: reads only copy and default objects when one is. */
  public boolean hasDefaults() {
    return hasDefaults;
  }

  /** The schema of field {@code k} of an object: its property, else additionalProperties' schema, else null. */
  StructuralSchema field(String k) {
    StructuralSchema p = properties.get(k);
    return p != null ? p : additionalProperties;
  }

  private static List<StructuralSchema> nested(JsonNode arr) {
    if (arr == null || !arr.isArray()) return List.of();
    List<StructuralSchema> out = new ArrayList<>();
    for (JsonNode n : arr) if (n.isObject()) out.add(new StructuralSchema(n));
    return List.copyOf(out);
  }

  private static List<String> strings(JsonNode arr) {
    if (arr == null || !arr.isArray()) return List.of();
    List<String> out = new ArrayList<>();
    arr.forEach(v -> out.add(v.asText()));
    return List.copyOf(out);
  }

  private static BigDecimal decimal(JsonNode n) {
    return n != null && n.isNumber() ? n.decimalValue() : null;
  }

  private static Long longOrNull(JsonNode n) {
    return n != null && n.isNumber() ? n.asLong() : null;
  }

  /** A pattern Java can compile; ECMA/RE2 patterns that Java rejects are not enforced (CRD validation reports them). */
  static Pattern compile(String pattern) {
    if (pattern == null) return null;
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }
}
