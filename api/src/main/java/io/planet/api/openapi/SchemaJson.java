package io.planet.api.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import io.planet.api.schema.Schemas;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders schemas as OpenAPI: definitions (components.schemas in v3, definitions in v2) and the inline schemas of
 * fields, with {@code $ref}s to definitions and the x-kubernetes-* extensions. In v3 a reference that carries its own
 * description is wrapped in {@code allOf}, as upstream does (siblings of {@code $ref} are ignored in OpenAPI 3.0).
 */
final class SchemaJson {
  enum Flavor { V2, V3 }

  /** A rendered definition and the definitions it refers to; shared between documents, never mutated. */
  private record Body(ObjectNode json, List<String> refs) {}

  private static final Map<String, Body> BODIES = new ConcurrentHashMap<>();

  private final Flavor flavor;
  private final String refPrefix;
  private final Map<String, ObjectNode> definitions = new TreeMap<>();
  private final Deque<String> pending = new ArrayDeque<>();
  private final Set<String> queued = new HashSet<>();

  SchemaJson(Flavor flavor) {
    this.flavor = flavor;
    this.refPrefix = flavor == Flavor.V3 ? "#/components/schemas/" : "#/definitions/";
  }

  String ref(String definition) {
    return refPrefix + definition;
  }

  /** {"$ref": ...} to a definition, which is added to the document. */
  ObjectNode refTo(String definition) {
    require(definition);
    ObjectNode n = Json.object();
    n.put("$ref", ref(definition));
    return n;
  }

  /** Adds a built-in definition (and what it refers to) to the document. */
  void require(String definition) {
    if (!definitions.containsKey(definition) && queued.add(definition)) pending.add(definition);
  }

  /** Adds a definition whose body is given (custom resources, hand-made meta types), rendering its references. */
  void put(String definition, ObjectNode body, List<String> refs) {
    definitions.put(definition, body);
    for (String r : refs) require(r);
  }

  /** Renders a schema inline (custom resources), collecting the definitions it refers to. */
  ObjectNode inline(Schema s, List<String> refs) {
    return inline(s, true, refs, flavor);
  }

  /** All definitions: the required ones rendered, sorted by name. */
  ObjectNode definitions() {
    drain();
    ObjectNode out = Json.object();
    definitions.forEach(out::set);
    return out;
  }

  private void drain() {
    while (!pending.isEmpty()) {
      String name = pending.poll();
      if (definitions.containsKey(name)) continue;
      Body b = body(name, flavor);
      if (b == null) continue;
      definitions.put(name, b.json());
      for (String r : b.refs()) require(r);
    }
  }

  /** The definition already placed in the document (to add x-kubernetes-group-version-kind to a copy of it). */
  ObjectNode definition(String name) {
    drain();
    return definitions.get(name);
  }

  void replace(String name, ObjectNode body) {
    definitions.put(name, body);
  }

  private static Body body(String name, Flavor flavor) {
    String key = flavor + "/" + name;
    Body b = BODIES.get(key);
    if (b != null) return b;
    Schema s = Schemas.definition(name);
    if (s == null) return null;
    List<String> refs = new ArrayList<>();
    ObjectNode json = definitionBody(s, refs, flavor);
    b = new Body(json, refs);
    BODIES.put(key, b);
    return b;
  }

  private static ObjectNode definitionBody(Schema s, List<String> refs, Flavor flavor) {
    ObjectNode n = Json.object();
    if (!s.description().isEmpty()) n.put("description", s.description());
    String name = s.name();
    switch (s.type()) {
      case OBJECT -> {
        ObjectNode props = Json.object();
        for (Map.Entry<String, Schema> e : s.properties().entrySet()) {
          props.set(e.getKey(), inline(e.getValue(), true, refs, flavor));
        }
        if (!props.isEmpty()) n.set("properties", props);
        if (!s.required().isEmpty()) strings(n.putArray("required"), s.required());
        n.put("type", "object");
      }
      case TIME, MICRO_TIME -> {
        n.put("format", "date-time");
        n.put("type", "string");
      }
      case QUANTITY -> {
        if (flavor == Flavor.V3) oneOf(n, "string", "number");
        else n.put("type", "string");
      }
      case INT_OR_STRING -> {
        n.put("format", "int-or-string");
        if (flavor == Flavor.V3) oneOf(n, "integer", "string");
        else n.put("type", "string");
      }
      case ANY -> {
        if (name.endsWith(".RawExtension") || name.endsWith(".FieldsV1")) n.put("type", "object");
      }
      default -> scalar(n, s);
    }
    extensions(n, s);
    return n;
  }

  private static void oneOf(ObjectNode n, String... types) {
    ArrayNode arr = n.putArray("oneOf");
    for (String t : types) arr.addObject().put("type", t);
  }

  private static ObjectNode inline(Schema s, boolean field, List<String> refs, Flavor flavor) {
    ObjectNode n = Json.object();
    if (s.name() != null) {
      refs.add(s.name());
      String ref = (flavor == Flavor.V3 ? "#/components/schemas/" : "#/definitions/") + s.name();
      ObjectNode extras = Json.object();
      if (field && !s.description().isEmpty()) extras.put("description", s.description());
      fieldExtensions(extras, s);
      if (extras.isEmpty()) {
        n.put("$ref", ref);
      } else if (flavor == Flavor.V3 && !repeatsDefinition(s)) {
        n.putArray("allOf").addObject().put("$ref", ref);
        n.setAll(extras);
      } else {
        n.put("$ref", ref);
        n.setAll(extras);
      }
      return n;
    }
    if (!s.description().isEmpty()) n.put("description", s.description());
    switch (s.type()) {
      case OBJECT -> {
        ObjectNode props = Json.object();
        for (Map.Entry<String, Schema> e : s.properties().entrySet()) {
          props.set(e.getKey(), inline(e.getValue(), true, refs, flavor));
        }
        if (!props.isEmpty()) n.set("properties", props);
        if (!s.required().isEmpty()) strings(n.putArray("required"), s.required());
        n.put("type", "object");
      }
      case ARRAY -> {
        n.set("items", s.items() == null ? Json.object() : inline(s.items(), false, refs, flavor));
        n.put("type", "array");
      }
      case MAP -> {
        n.set("additionalProperties",
            s.additionalProperties() == null ? Json.object() : inline(s.additionalProperties(), false, refs, flavor));
        n.put("type", "object");
      }
      case INT_OR_STRING -> n.put("x-kubernetes-int-or-string", true);
      case TIME, MICRO_TIME -> {
        n.put("format", "date-time");
        n.put("type", "string");
      }
      case QUANTITY -> n.put("type", "string");
      case ANY -> { }
      default -> scalar(n, s);
    }
    extensions(n, s);
    fieldExtensions(n, s);
    return n;
  }

  /**
   * Whether a field's description is just its type's (client-java drops field descriptions of references, so the
   * type's is used): then it sits next to the $ref rather than in allOf, so kubectl explain lists it with the field
   * without printing it twice when showing the field itself.
   */
  private static boolean repeatsDefinition(Schema s) {
    Schema canonical = Schemas.definition(s.name());
    return canonical != null && !s.description().isEmpty() && s.description().equals(canonical.description());
  }

  private static void scalar(ObjectNode n, Schema s) {
    switch (s.type()) {
      case STRING -> n.put("type", "string");
      case BYTES -> n.put("type", "string");
      case INTEGER -> n.put("type", "integer");
      case NUMBER -> n.put("type", "number");
      case BOOLEAN -> n.put("type", "boolean");
      default -> { }
    }
    if (s.format() != null) n.put("format", s.format());
    if (!s.enumValues().isEmpty()) strings(n.putArray("enum"), s.enumValues());
  }

  /** Extensions that belong to a type (a definition or an inline schema). */
  private static void extensions(ObjectNode n, Schema s) {
    if (s.mapType() != null) n.put("x-kubernetes-map-type", s.mapType());
    if (s.preserveUnknownFields()) n.put("x-kubernetes-preserve-unknown-fields", true);
  }

  /** Extensions that belong to the use of a type by a field (list semantics, patch strategy). */
  private static void fieldExtensions(ObjectNode n, Schema s) {
    if (s.listType() != null) n.put("x-kubernetes-list-type", s.listType());
    if (!s.listMapKeys().isEmpty()) strings(n.putArray("x-kubernetes-list-map-keys"), s.listMapKeys());
    if (s.patchMergeKey() != null) n.put("x-kubernetes-patch-merge-key", s.patchMergeKey());
    if (s.patchStrategy() != null) n.put("x-kubernetes-patch-strategy", s.patchStrategy());
  }

  private static void strings(ArrayNode arr, List<String> values) {
    for (String v : values) arr.add(v);
  }
}
