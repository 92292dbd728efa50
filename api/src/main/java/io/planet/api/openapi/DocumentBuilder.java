package io.planet.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceType;
import io.planet.api.schema.Schema;
import io.planet.api.schema.Schemas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles the paths and definitions of a set of resources into one OpenAPI document (a group-version for v3,
 * everything for v2): built-in kinds from their reflected schemas, custom resources from their CRD's schema, and the
 * meta types the operations use (Status, DeleteOptions, WatchEvent, Patch, Scale...).
 */
final class DocumentBuilder {
  private final SchemaJson.Flavor flavor;
  private final SchemaJson schemas;
  private final ObjectNode paths = Json.object();
  private final Operations operations;
  /** definition → the group/version/kinds it is the schema of. */
  private final Map<String, List<ObjectNode>> gvks = new LinkedHashMap<>();

  DocumentBuilder(SchemaJson.Flavor flavor) {
    this.flavor = flavor;
    this.schemas = new SchemaJson(flavor);
    this.operations = new Operations(schemas, flavor, paths);
    putPatchAndWatchEvent();
  }

  ObjectNode paths() {
    return paths;
  }

  /** The definitions with their x-kubernetes-group-version-kind. */
  ObjectNode definitions() {
    schemas.definitions();
    for (Map.Entry<String, List<ObjectNode>> e : gvks.entrySet()) {
      ObjectNode body = schemas.definition(e.getKey());
      if (body == null) continue;
      ObjectNode copy = body.deepCopy();
      ArrayNode arr = copy.putArray("x-kubernetes-group-version-kind");
      e.getValue().forEach(arr::add);
      schemas.replace(e.getKey(), copy);
    }
    return schemas.definitions();
  }

  /** GET on a discovery endpoint (/api/, /apis/, /apis/apps/, /apis/apps/v1/). */
  void discovery(String path, String operationId, String tag, String kind, String description) {
    Schema s = Schemas.forKind("", "v1", kind);
    if (s == null) return;
    operations.discovery(path, operationId, tag, s.name(), description);
  }

  void addResource(ResourceType rt) {
    String def;
    String listDef;
    if (rt.isCustom()) {
      def = customDefinitionName(rt.group(), rt.version(), rt.kind());
      listDef = def + "List";
      schemas.put(def, customBody(rt), List.of(Operations.META + "ObjectMeta"));
      schemas.put(listDef, listBody(rt, def), List.of(Operations.META + "ListMeta"));
    } else {
      Schema s = Schemas.forKind(rt.group(), rt.version(), rt.kind());
      if (s == null) return;
      def = s.name();
      Schema list = Schemas.forKind(rt.group(), rt.version(), rt.listKind());
      if (list != null) {
        listDef = list.name();
      } else {
        listDef = def + "List";
        schemas.put(listDef, listBody(rt, def), List.of(Operations.META + "ListMeta"));
      }
      schemas.require(def);
    }
    schemas.require(listDef);
    gvk(def, rt.group(), rt.version(), rt.kind());
    gvk(listDef, rt.group(), rt.version(), rt.listKind());
    // the kinds subresources and operations use must be reflected before they are referred to by name
    meta("Status");
    meta("DeleteOptions");
    gvk(Operations.DELETE_OPTIONS, rt.group(), rt.version(), "DeleteOptions");
    if (rt.subresources().contains("scale")) auxiliary("autoscaling", "v1", "Scale");
    if (rt.subresources().contains("eviction")) auxiliary("policy", "v1", "Eviction");
    if (rt.subresources().contains("binding")) auxiliary("", "v1", "Binding");
    if (rt.subresources().contains("token")) auxiliary("authentication.k8s.io", "v1", "TokenRequest");
    operations.addResource(new Operations.Target(rt, def, listDef));
  }

  private void meta(String kind) {
    Schema s = Schemas.forKind("", "v1", kind);
    if (s == null) return;
    schemas.require(s.name());
    if (kind.equals("Status")) gvk(s.name(), "", "v1", "Status");
  }

  private void auxiliary(String group, String version, String kind) {
    Schema s = Schemas.forKind(group, version, kind);
    if (s == null) return;
    schemas.require(s.name());
    gvk(s.name(), group, version, kind);
  }

  private void gvk(String definition, String group, String version, String kind) {
    List<ObjectNode> list = gvks.computeIfAbsent(definition, d -> new ArrayList<>());
    ObjectNode g = Operations.gvk(group, version, kind);
    if (!list.contains(g)) list.add(g);
  }

  /** Upstream names custom resource definitions by reversed group: stable.example.com → com.example.stable.v1.CronTab. */
  static String customDefinitionName(String group, String version, String kind) {
    String[] parts = group.split("\\.");
    StringBuilder b = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      if (b.length() > 0) b.append('.');
      b.append(parts[i]);
    }
    return b + "." + version + "." + kind;
  }

  private ObjectNode customBody(ResourceType rt) {
    JsonNode schema = null;
    JsonNode versions = Json.at(rt.crd(), "spec", "versions");
    if (versions != null) {
      for (JsonNode v : versions) {
        if (rt.version().equals(v.path("name").asText())) schema = v.path("schema").path("openAPIV3Schema");
      }
    }
    ObjectNode body = schema != null && schema.isObject() && !schema.isEmpty()
        ? ((ObjectNode) schema).deepCopy()
        : Json.object().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    JsonNode oldProps = body.get("properties");
    ObjectNode props = Json.object();
    props.set("apiVersion", typeMetaField("string", "APIVersion defines the versioned schema of this representation of an object."));
    props.set("kind", typeMetaField("string", "Kind is a string value representing the REST resource this object represents."));
    props.set("metadata", describedRef(Operations.META + "ObjectMeta", "Standard object's metadata."));
    if (oldProps != null && oldProps.isObject()) {
      oldProps.fields().forEachRemaining(e -> {
        if (!props.has(e.getKey())) props.set(e.getKey(), e.getValue());
      });
    }
    body.set("properties", props);
    if (!body.has("type")) body.put("type", "object");
    return body;
  }

  private ObjectNode listBody(ResourceType rt, String itemDefinition) {
    ObjectNode body = Json.object();
    body.put("description", rt.kind() + "List is a list of " + rt.kind());
    ObjectNode props = body.putObject("properties");
    props.set("apiVersion", typeMetaField("string", "APIVersion defines the versioned schema of this representation of an object."));
    ObjectNode items = props.putObject("items");
    items.put("description", "List of " + rt.plural() + ".");
    items.putObject("items").put("$ref", schemas.ref(itemDefinition));
    items.put("type", "array");
    props.set("kind", typeMetaField("string", "Kind is a string value representing the REST resource this object represents."));
    props.set("metadata", describedRef(Operations.META + "ListMeta", "Standard list metadata."));
    body.putArray("required").add("items");
    body.put("type", "object");
    return body;
  }

  private static ObjectNode typeMetaField(String type, String description) {
    ObjectNode n = Json.object();
    n.put("description", description);
    n.put("type", type);
    return n;
  }

  private ObjectNode describedRef(String definition, String description) {
    Schemas.objectMeta(); // ObjectMeta and ListMeta are reflected with the meta kinds
    Schemas.forKind("", "v1", "Status");
    Schemas.forKind("meta.k8s.io", "v1", "ListMeta");
    ObjectNode n = Json.object();
    if (flavor == SchemaJson.Flavor.V3) {
      n.putArray("allOf").addObject().put("$ref", schemas.ref(definition));
    } else {
      n.put("$ref", schemas.ref(definition));
    }
    n.put("description", description);
    return n;
  }

  /** Patch and WatchEvent have no client-java model: written by hand. */
  private void putPatchAndWatchEvent() {
    ObjectNode patch = Json.object();
    patch.put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.");
    patch.put("type", "object");
    schemas.put(Operations.PATCH, patch, List.of());

    Schemas.forKind("", "v1", "Status"); // reflects meta types so RawExtension is known
    ObjectNode event = Json.object();
    event.put("description", "Event represents a single event to a watched resource.");
    ObjectNode props = event.putObject("properties");
    ObjectNode object = props.putObject("object");
    String raw = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    if (flavor == SchemaJson.Flavor.V3) {
      object.putArray("allOf").addObject().put("$ref", schemas.ref(raw));
    } else {
      object.put("$ref", schemas.ref(raw));
    }
    object.put("description", "Object is the object of the event: the object for ADDED, MODIFIED and DELETED, a Status for ERROR.");
    props.putObject("type").put("type", "string");
    event.putArray("required").add("type").add("object");
    event.put("type", "object");
    schemas.put(Operations.WATCH_EVENT, event, List.of(raw));
  }
}
