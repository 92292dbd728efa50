package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The structural schema of every built-in kind (reflected from the client-java models, with upstream's definition
 * names and patch facts) and of custom resources (converted from their CRD's OpenAPI v3 schema). Schemas are cached.
 */
public final class Schemas {
  private Schemas() {}

  static final String OBJECT_META = ModelReflector.META + ".ObjectMeta";
  private static final Map<String, Optional<Schema>> BY_KIND = new ConcurrentHashMap<>();
  /** Custom resource schemas by CRD uid/resourceVersion/version; small, CRDs are few. */
  private static final Map<String, Schema> BY_CRD = new ConcurrentHashMap<>();
  /** Compiled structural schemas of custom resource versions, by the same key. */
  private static final Map<String, Optional<StructuralSchema>> STRUCTURAL_BY_CRD = new ConcurrentHashMap<>();
  private static final Map<CrdVersion, Optional<StructuralSchema>> STRUCTURAL_BY_IDENTITY = new ConcurrentHashMap<>();

  /** Kinds whose model class name does not follow "V" + version + kind. */
  private static final Map<String, String> CLASS_OF_KIND = Map.of(
      "/v1/Event", "CoreV1Event",
      "/v1/EventList", "CoreV1EventList",
      "events.k8s.io/v1/Event", "EventsV1Event",
      "events.k8s.io/v1/EventList", "EventsV1EventList");

  /** The schema of a top-level kind, e.g. ("apps", "v1", "Deployment"); null when unknown. */
  public static Schema forKind(String group, String version, String kind) {
    return BY_KIND.computeIfAbsent(group + "/" + version + "/" + kind,
        k -> Optional.ofNullable(reflectKind(group, version, kind))).orElse(null);
  }

  /** The canonical schema of a definition by its OpenAPI name (e.g. io.k8s.api.core.v1.Container); null if unknown. */
  public static Schema definition(String name) {
    return ModelReflector.INSTANCE.definition(name);
  }

  /** The schema of ObjectMeta, which every object's {@code metadata} has. */
  public static Schema objectMeta() {
    return forKind("meta.k8s.io", "v1", "ObjectMeta");
  }

  private static Schema reflectKind(String group, String version, String kind) {
    String vPrefix = "V" + version.substring(1);
    List<String> candidates = new ArrayList<>();
    String explicit = CLASS_OF_KIND.get(group + "/" + version + "/" + kind);
    if (explicit != null) candidates.add(explicit);
    candidates.add(vPrefix + kind);
    String seg = groupSegment(group);
    candidates.add(Character.toUpperCase(seg.charAt(0)) + seg.substring(1) + vPrefix + kind);
    for (String simple : candidates) {
      Class<?> c;
      try {
        c = Class.forName(ModelReflector.MODELS_PACKAGE + simple);
      } catch (ClassNotFoundException e) {
        continue;
      }
      Schema s = ModelReflector.INSTANCE.forClass(c);
      String pkg = s.name().substring(0, s.name().lastIndexOf('.'));
      String actual = ProtoIndex.groupSegment(pkg);
      boolean metaKind = actual.equals("meta") && (group.isEmpty() || seg.equals("meta"));
      if ((actual.equals(seg) || metaKind) && pkg.endsWith("." + version)) return s;
    }
    return null;
  }

  /** "" → core, "rbac.authorization.k8s.io" → rbac, "meta.k8s.io" → meta. */
  private static String groupSegment(String group) {
    if (group.isEmpty()) return "core";
    int dot = group.indexOf('.');
    return dot < 0 ? group : group.substring(0, dot);
  }

  /**
   * The schema of a custom resource version from its CRD object ({@code spec.versions[].schema.openAPIV3Schema});
   * an object preserving unknown fields when the version has no schema; null when the CRD lacks the version.
   */
  public static Schema forCustomResource(JsonNode crd, String version) {
    JsonNode versions = Json.at(crd, "spec", "versions");
    JsonNode found = null;
    if (versions != null) {
      for (JsonNode v : versions) if (version.equals(v.path("name").asText())) found = v;
    }
    if (found == null) return null;
    JsonNode schema = found.path("schema").path("openAPIV3Schema");
    if (BY_CRD.size() > 512) BY_CRD.clear();
    return BY_CRD.computeIfAbsent(crdKey(crd, version, found), k -> fromOpenApiV3(schema.isObject() ? schema : null));
  }

  /**
   * The compiled structural schema of a custom resource version (pruning, defaulting, validation), built once per
   * CRD revision; null when the CRD lacks the version or the version has no schema.
   */
  public static StructuralSchema structuralForCustomResource(JsonNode crd, String version) {
    // the hot path (every read of a custom resource) asks with the same CRD object: no hashing of its schema then
    CrdVersion served = new CrdVersion(crd, version);
    Optional<StructuralSchema> hit = STRUCTURAL_BY_IDENTITY.get(served);
    if (hit != null) return hit.orElse(null);
    StructuralSchema s = structuralByContent(crd, version);
    if (STRUCTURAL_BY_IDENTITY.size() > 512) STRUCTURAL_BY_IDENTITY.clear();
    STRUCTURAL_BY_IDENTITY.put(served, Optional.ofNullable(s));
    return s;
  }

  /** A CRD object (by identity) and a version name. */
  private record CrdVersion(JsonNode crd, String version) {
    @Override
    public boolean equals(Object o) {
      return o instanceof CrdVersion c && c.crd == crd && c.version.equals(version);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(crd) * 31 + version.hashCode();
    }
  }

  private static StructuralSchema structuralByContent(JsonNode crd, String version) {
    JsonNode found = null;
    for (JsonNode v : crd.path("spec").path("versions")) if (version.equals(v.path("name").asText())) found = v;
    if (found == null) return null;
    JsonNode schema = found.path("schema").path("openAPIV3Schema");
    if (STRUCTURAL_BY_CRD.size() > 512) STRUCTURAL_BY_CRD.clear();
    return STRUCTURAL_BY_CRD.computeIfAbsent(crdKey(crd, version, found),
        k -> Optional.ofNullable(StructuralSchema.compile(schema))).orElse(null);
  }

  private static String crdKey(JsonNode crd, String version, JsonNode versionNode) {
    return Json.str(crd.path("metadata"), "uid") + "/" + Json.str(crd.path("metadata"), "name") + "/"
        + Json.str(crd.path("metadata"), "resourceVersion") + "/" + version + "/" + versionNode.path("schema").hashCode();
  }

  /**
   * Converts a custom resource's {@code openAPIV3Schema} (JSON Schema props with the x-kubernetes-* extensions) to a
   * Schema. The result always has {@code apiVersion}, {@code kind} and {@code metadata} (ObjectMeta) properties; a
   * null or empty schema gives an object that preserves unknown fields.
   */
  public static Schema fromOpenApiV3(JsonNode openAPIV3Schema) {
    if (openAPIV3Schema == null || openAPIV3Schema.isNull() || openAPIV3Schema.isEmpty()) {
      Map<String, Schema> props = new LinkedHashMap<>();
      addTypeMeta(props);
      return Schema.object(null, () -> props).preserveUnknownFields(true);
    }
    Schema converted = convert(openAPIV3Schema);
    if (converted.type() != Schema.Type.OBJECT) {
      Map<String, Schema> props = new LinkedHashMap<>();
      addTypeMeta(props);
      return Schema.object(null, () -> props).preserveUnknownFields(true).description(converted.description());
    }
    Map<String, Schema> props = new LinkedHashMap<>();
    addTypeMeta(props);
    for (Map.Entry<String, Schema> e : converted.properties().entrySet()) {
      if (!e.getKey().equals("metadata")) props.put(e.getKey(), e.getValue());
    }
    return Schema.object(null, () -> props)
        .description(converted.description())
        .required(converted.required())
        .preserveUnknownFields(converted.preserveUnknownFields());
  }

  private static void addTypeMeta(Map<String, Schema> props) {
    props.put("apiVersion", Schema.of(Schema.Type.STRING).description(
        "APIVersion defines the versioned schema of this representation of an object."));
    props.put("kind", Schema.of(Schema.Type.STRING).description(
        "Kind is a string value representing the REST resource this object represents."));
    props.put("metadata", ModelReflector.view(objectMeta()).description("Standard object's metadata."));
  }

  private static Schema convert(JsonNode n) {
    String type = n.path("type").asText("");
    boolean preserve = n.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    Schema s;
    if (n.path("x-kubernetes-int-or-string").asBoolean(false)) {
      s = Schema.of(Schema.Type.INT_OR_STRING);
    } else {
      switch (type) {
        case "object" -> s = convertObject(n, preserve);
        case "array" -> {
          JsonNode items = n.get("items");
          s = Schema.arrayOf(items != null && items.isObject() ? convert(items) : Schema.of(Schema.Type.ANY));
        }
        case "string" -> s = Schema.of(Schema.Type.STRING);
        case "integer" -> s = Schema.of(Schema.Type.INTEGER);
        case "number" -> s = Schema.of(Schema.Type.NUMBER);
        case "boolean" -> s = Schema.of(Schema.Type.BOOLEAN);
        default -> s = n.has("properties") ? convertObject(n, preserve) : Schema.of(Schema.Type.ANY);
      }
    }
    s.description(n.path("description").asText(""));
    if (n.hasNonNull("format")) s.format(n.get("format").asText());
    if (preserve) s.preserveUnknownFields(true);
    if (n.hasNonNull("x-kubernetes-list-type")) s.listType(n.get("x-kubernetes-list-type").asText());
    if (n.path("x-kubernetes-list-map-keys").isArray()) s.listMapKeys(strings(n.get("x-kubernetes-list-map-keys")));
    if (n.hasNonNull("x-kubernetes-map-type")) s.mapType(n.get("x-kubernetes-map-type").asText());
    if (n.path("enum").isArray()) s.enumValues(strings(n.get("enum")));
    return s;
  }

  private static Schema convertObject(JsonNode n, boolean preserve) {
    JsonNode props = n.get("properties");
    JsonNode additional = n.get("additionalProperties");
    boolean embedded = n.path("x-kubernetes-embedded-resource").asBoolean(false);
    if ((props == null || props.isEmpty()) && additional != null && !embedded) {
      if (additional.isObject()) return Schema.mapOf(convert(additional));
      if (additional.asBoolean(false)) return Schema.mapOf(Schema.of(Schema.Type.ANY).preserveUnknownFields(true));
    }
    Map<String, Schema> out = new LinkedHashMap<>();
    if (embedded) addTypeMeta(out);
    if (props != null) {
      Iterator<Map.Entry<String, JsonNode>> it = props.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (embedded && e.getKey().equals("metadata")) continue;
        out.put(e.getKey(), convert(e.getValue()));
      }
    }
    Schema s = Schema.object(null, () -> out);
    if (n.path("required").isArray()) s.required(strings(n.get("required")));
    if (preserve) s.preserveUnknownFields(true);
    return s;
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : arr) out.add(v.isTextual() ? v.asText() : v.toString());
    return out;
  }
}
