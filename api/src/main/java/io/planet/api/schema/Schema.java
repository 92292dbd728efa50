package io.planet.api.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A node of a type's structural schema: what OpenAPI publishes, what strict field validation checks, and what
 * strategic merge patch and server-side apply need to know about lists (merge keys, list types).
 *
 * <p>Object schemas may be recursive (JSONSchemaProps refers to itself), so properties are resolved lazily.
 */
public final class Schema {
  public enum Type { OBJECT, ARRAY, MAP, STRING, INTEGER, NUMBER, BOOLEAN, INT_OR_STRING, QUANTITY, TIME, MICRO_TIME, BYTES, ANY }

  private final Type type;
  /** OpenAPI definition name of object types, e.g. {@code io.k8s.api.core.v1.Container}; null otherwise. */
  private final String name;
  private String description = "";
  private String format;
  private Supplier<Map<String, Schema>> propertiesSupplier;
  private Map<String, Schema> properties;
  private List<String> required = List.of();
  private Schema items;
  private Schema additionalProperties;
  /** {@code x-kubernetes-patch-strategy}: "merge", "retainKeys", "merge,retainKeys" or null. */
  private String patchStrategy;
  /** {@code x-kubernetes-patch-merge-key}. */
  private String patchMergeKey;
  /** {@code x-kubernetes-list-type}: atomic, set, map; null = atomic. */
  private String listType;
  private List<String> listMapKeys = List.of();
  /** {@code x-kubernetes-map-type}: granular (default) or atomic. */
  private String mapType;
  /** {@code x-kubernetes-preserve-unknown-fields}: any field is accepted below this node. */
  private boolean preserveUnknownFields;
  private List<String> enumValues = List.of();

  public Schema(Type type, String name) {
    this.type = type;
    this.name = name;
  }

  public static Schema of(Type type) {
    return new Schema(type, null);
  }

  public static Schema arrayOf(Schema items) {
    Schema s = new Schema(Type.ARRAY, null);
    s.items = items;
    return s;
  }

  public static Schema mapOf(Schema values) {
    Schema s = new Schema(Type.MAP, null);
    s.additionalProperties = values;
    return s;
  }

  public static Schema object(String name, Supplier<Map<String, Schema>> properties) {
    Schema s = new Schema(Type.OBJECT, name);
    s.propertiesSupplier = properties;
    return s;
  }

  public Type type() { return type; }
  public String name() { return name; }
  public String description() { return description; }
  public String format() { return format; }
  public List<String> required() { return required; }
  public Schema items() { return items; }
  public Schema additionalProperties() { return additionalProperties; }
  public String patchStrategy() { return patchStrategy; }
  public String patchMergeKey() { return patchMergeKey; }
  public String listType() { return listType; }
  public List<String> listMapKeys() { return listMapKeys; }
  public String mapType() { return mapType; }
  public boolean preserveUnknownFields() { return preserveUnknownFields; }
  public List<String> enumValues() { return enumValues; }

  /** Properties of an object schema (empty for other types). */
  public synchronized Map<String, Schema> properties() {
    if (properties == null) {
      properties = propertiesSupplier == null ? new LinkedHashMap<>() : propertiesSupplier.get();
      propertiesSupplier = null;
    }
    return properties;
  }

  /** The schema of one field, or null when the field is unknown. */
  public Schema property(String field) {
    return properties().get(field);
  }

  public boolean hasPatchStrategy(String strategy) {
    if (patchStrategy == null) return false;
    for (String s : patchStrategy.split(",")) if (s.equals(strategy)) return true;
    return false;
  }

  public Schema description(String d) { this.description = d == null ? "" : d; return this; }
  public Schema format(String f) { this.format = f; return this; }
  public Schema required(List<String> r) { this.required = List.copyOf(r); return this; }
  public Schema patchStrategy(String s) { this.patchStrategy = s; return this; }
  public Schema patchMergeKey(String k) { this.patchMergeKey = k; return this; }
  public Schema listType(String t) { this.listType = t; return this; }
  public Schema listMapKeys(List<String> k) { this.listMapKeys = List.copyOf(k); return this; }
  public Schema mapType(String t) { this.mapType = t; return this; }
  public Schema preserveUnknownFields(boolean p) { this.preserveUnknownFields = p; return this; }
  public Schema enumValues(List<String> v) { this.enumValues = List.copyOf(v); return this; }
  public Schema items(Schema i) { this.items = i; return this; }
  public Schema additionalProperties(Schema a) { this.additionalProperties = a; return this; }

  @Override
  public String toString() {
    return name != null ? name : type.toString();
  }
}
