package io.planet.apiserver.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.api.schema.FieldValidator;
import io.planet.api.selector.LabelSelector;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import io.planet.apiserver.registry.DeleteOptions;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import io.planet.apiserver.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request-level pieces the resource handler composes: body decoding (JSON, YAML, protobuf) with field validation,
 * patches, server-side apply, tables, scale, eviction. Kept apart so each can be swapped for its full implementation.
 */
public class Features {
  private final Storage storage;

  public Features(Storage storage) {
    this.storage = storage;
  }

  public long currentRevision() {
    return storage.currentRevision();
  }

  // ---- decoding

  /** Decodes a request body of any supported media type into a JSON tree. */
  public ObjectNode decodeAny(ApiRequest req, List<String> warnings) {
    String ct = req.contentType().split(";")[0].trim().toLowerCase();
    byte[] body = req.body();
    if (body.length == 0) throw ApiException.badRequest("the body of the request was empty");
    JsonNode node;
    try {
      if (ct.equals("application/yaml") || ct.equals("application/apply-patch+yaml")) {
        node = Json.YAML.readTree(body);
      } else if (ct.isEmpty() || ct.equals("application/json") || ct.endsWith("+json")) {
        node = parseJson(body);
      } else if (ct.equals("application/vnd.kubernetes.protobuf")) {
        return decodeProtobuf(body);
      } else {
        throw ApiException.unsupportedMediaType(ct);
      }
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("error decoding request body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest("error reading request body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("the body of the request must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * One strict parse in the common case; a body with duplicate keys is parsed again leniently (the last value wins,
   * as Go's decoder) and remembered so field validation can report the duplicates.
   */
  private static JsonNode parseJson(byte[] body) throws IOException {
    try {
      return Json.STRICT_MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonParseException e) {
      if (e.getOriginalMessage() == null || !e.getOriginalMessage().startsWith("Duplicate field")) throw e;
      JsonNode lenient = Json.MAPPER.readTree(body);
      HAD_DUPLICATES.set(Boolean.TRUE);
      return lenient;
    }
  }

  /** Set by {@link #parseJson} on the request's worker thread for {@link #decode}; cleared there. */
  private static final ThreadLocal<Boolean> HAD_DUPLICATES = new ThreadLocal<>();

  protected ObjectNode decodeProtobuf(byte[] body) {
    throw ApiException.unsupportedMediaType("application/vnd.kubernetes.protobuf");
  }

  /** Decodes a write's body and applies field validation (Strict: 400, Warn: warnings). */
  public ObjectNode decode(ApiRequest req, ResourceType type, WriteOptions opts, List<String> warnings) {
    HAD_DUPLICATES.remove();
    ObjectNode obj = decodeAny(req, warnings);
    boolean duplicates = Boolean.TRUE.equals(HAD_DUPLICATES.get());
    HAD_DUPLICATES.remove();
    if (!opts.fieldValidation().equals("Ignore")) {
      List<String> problems = new java.util.ArrayList<>(duplicates ? duplicateFields(req) : List.of());
      problems.addAll(unknownFields(type, obj));
      if (!problems.isEmpty()) {
        if (opts.fieldValidation().equals("Strict")) {
          throw ApiException.badRequest(FieldValidator.strictDecodingError(problems));
        }
        warnings.addAll(problems);
      }
    }
    return obj;
  }

  private List<String> duplicateFields(ApiRequest req) {
    String ct = req.contentType().split(";")[0].trim().toLowerCase();
    if (!(ct.isEmpty() || ct.equals("application/json"))) return List.of();
    return FieldValidator.duplicateFieldMessages(FieldValidator.duplicateFields(req.body()));
  }

  /** Unknown fields of a decoded object, as upstream's strict decoder reports them. */
  protected List<String> unknownFields(ResourceType type, ObjectNode obj) {
    return List.of();
  }

  // ---- options

  public Set<String> supportedFieldSelectors(ResourceType type) {
    if (type.isCustom()) {
      Set<String> s = new LinkedHashSet<>();
      s.add("metadata.name");
      if (type.namespaced()) s.add("metadata.namespace");
      return s;
    }
    return io.planet.api.strategy.Strategies.supportedFieldSelectors(type.group(), type.kind());
  }

  /** Upstream's message for a field selector on a field the resource does not support. */
  public String unsupportedFieldSelector(ResourceType type, String field) {
    return io.planet.api.strategy.Strategies.unsupportedFieldSelectorMessage(type.group(), type.kind(), field, type.isCustom());
  }

  /** A create's options with the field manager defaulted from the User-Agent, as upstream. */
  public WriteOptions forCreate(ResourceType type, WriteOptions opts) {
    return opts.fieldManager().isEmpty() ? opts.withManager(defaultManager(opts.userAgent())) : opts;
  }

  public WriteOptions forPatch(WriteOptions opts, String contentType) {
    return opts.fieldManager().isEmpty() ? opts.withManager(defaultManager(opts.userAgent())) : opts;
  }

  static String defaultManager(String userAgent) {
    if (userAgent == null || userAgent.isEmpty()) return "unknown";
    int slash = userAgent.indexOf('/');
    String m = slash > 0 ? userAgent.substring(0, slash) : userAgent;
    return m.length() > 128 ? m.substring(0, 128) : m;
  }

  /** Upstream allows create-on-update (PUT of a missing object) for a few kinds only. */
  public boolean allowCreateOnUpdate(ResourceType type) {
    if (type.isCustom()) return false;
    return type.group().isEmpty() && Set.of("services", "endpoints", "limitranges", "nodes", "events").contains(type.plural())
        || type.group().equals("coordination.k8s.io") || type.group().equals("rbac.authorization.k8s.io")
        || type.group().equals("events.k8s.io") || type.group().equals("discovery.k8s.io");
  }

  public boolean returnsDeletedObject(ResourceType type) {
    return type.isCustom() || type.group().isEmpty() && Set.of("pods", "services", "namespaces").contains(type.plural())
        || type.plural().equals("customresourcedefinitions");
  }

  // ---- patches

  public ObjectNode applyPatch(String contentType, ObjectNode current, byte[] body, ResourceType type, WriteOptions opts,
      List<String> warnings) {
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("error decoding patch: " + e.getMessage());
    }
    if (contentType.equals("application/merge-patch+json") || contentType.equals("application/strategic-merge-patch+json")) {
      JsonNode out = mergePatch(current, patch);
      if (!out.isObject()) throw ApiException.badRequest("patch produced a non-object");
      return (ObjectNode) out;
    }
    throw ApiException.unsupportedMediaType(contentType);
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) return patch.deepCopy();
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) result.remove(e.getKey());
      else result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
    }
    return result;
  }

  public ObjectNode serverSideApply(ApiRequest req, ResourcePath p, ResourceType type, Store store, WriteOptions opts,
      String sub, List<String> warnings) {
    throw ApiException.unsupportedMediaType("application/apply-patch+yaml");
  }

  // ---- tables

  /** A meta.k8s.io/v1 Table of the objects (the server wires the printers in). */
  public ObjectNode table(ResourceType type, List<ObjectNode> items, String includeObject, boolean withColumns,
      String resourceVersion, String continueToken, Long remaining, Instant now) {
    throw new ApiException(406, "NotAcceptable", "tables are not available");
  }

  // ---- subresources

  /** The scale subresource as autoscaling/v1 Scale over spec.replicas. */
  public void scale(ApiRequest req, ResourcePath p, ResourceType type, Store store) {
    switch (req.method()) {
      case "GET" -> Responses.json(req, 200, toScale(type, store.get(p.namespace(), p.name())));
      case "PUT", "PATCH" -> {
        WriteOptions opts = new WriteOptions(req.flag("dryRun") || req.param("dryRun").equals("All"),
            req.param("fieldManager"), "Ignore", req.flag("force"), req.userAgent());
        ObjectNode out = store.update(p.namespace(), p.name(), "scale", forPatch(opts, ""), current -> {
          ObjectNode scale = toScale(type, current);
          ObjectNode desired;
          if (req.method().equals("PUT")) {
            List<String> w = new java.util.ArrayList<>();
            desired = decodeAny(req, w);
            ResourceHandler.checkKind(desired, "autoscaling/v1", "Scale");
          } else {
            String ct = req.contentType().split(";")[0].trim().toLowerCase();
            desired = applyPatch(ct, scale, req.body(), type, opts, new java.util.ArrayList<>());
          }
          String rv = Meta.resourceVersion(desired);
          if (!rv.isEmpty() && !rv.equals(Meta.resourceVersion(current))) {
            throw ApiException.conflict(type.group(), type.plural(), p.name(),
                "the object has been modified; please apply your changes to the latest version and try again");
          }
          JsonNode replicas = Json.at(desired, "spec", "replicas");
          long n = replicas == null ? 0 : replicas.asLong();
          if (n < 0) {
            throw ApiException.invalid("autoscaling", "Scale", p.name(), List.of(io.planet.api.FieldError.invalid(
                "spec.replicas", n, "must be greater than or equal to 0")));
          }
          setPath(current, scalePaths(type)[0], Json.NODES.numberNode(n));
          return current;
        });
        Responses.json(req, 200, toScale(type, out));
      }
      default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
  }

  /**
   * Where replicas live: spec.replicas / status.replicas / spec.selector for built-ins; a CRD's
   * specReplicasPath, statusReplicasPath and labelSelectorPath for custom resources.
   */
  static String[] scalePaths(ResourceType type) {
    if (type.isCustom()) {
      for (JsonNode v : type.crd().path("spec").path("versions")) {
        if (!v.path("name").asText().equals(type.version())) continue;
        JsonNode sc = v.path("subresources").path("scale");
        return new String[] {sc.path("specReplicasPath").asText(".spec.replicas"),
            sc.path("statusReplicasPath").asText(".status.replicas"), sc.path("labelSelectorPath").asText("")};
      }
    }
    return new String[] {".spec.replicas", ".status.replicas", ".spec.selector"};
  }

  private static JsonNode atPath(JsonNode obj, String path) {
    JsonNode cur = obj;
    for (String part : path.replaceFirst("^\\.", "").split("\\.")) {
      if (part.isEmpty()) continue;
      if (cur == null) return null;
      cur = cur.get(part);
    }
    return cur;
  }

  private static void setPath(ObjectNode obj, String path, JsonNode value) {
    String[] parts = path.replaceFirst("^\\.", "").split("\\.");
    ObjectNode cur = obj;
    for (int i = 0; i < parts.length - 1; i++) cur = Json.with(cur, parts[i]);
    cur.set(parts[parts.length - 1], value);
  }

  static ObjectNode toScale(ResourceType type, ObjectNode obj) {
    String[] paths = scalePaths(type);
    ObjectNode s = Json.object();
    s.put("kind", "Scale");
    s.put("apiVersion", "autoscaling/v1");
    ObjectNode m = s.putObject("metadata");
    ObjectNode om = (ObjectNode) obj.get("metadata");
    for (String f : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      if (om.has(f)) m.set(f, om.get(f));
    }
    JsonNode specReplicas = atPath(obj, paths[0]);
    JsonNode statusReplicas = atPath(obj, paths[1]);
    s.putObject("spec").put("replicas", specReplicas == null ? 0 : specReplicas.asLong());
    ObjectNode st = s.putObject("status");
    st.put("replicas", statusReplicas == null ? 0 : statusReplicas.asLong());
    JsonNode sel = paths[2].isEmpty() ? null : atPath(obj, paths[2]);
    String selector = "";
    if (sel != null && sel.isTextual()) {
      selector = sel.asText();
    } else if (sel != null) {
      selector = type.kind().equals("ReplicationController") && type.group().isEmpty()
          ? LabelSelector.fromMap(sel).toString() : LabelSelector.fromJson(sel).toString();
    }
    if (!selector.isEmpty()) st.put("selector", selector);
    return s;
  }

  /** After namespaces/finalize: a terminating namespace with no finalizers left is removed. */
  public void afterFinalize(ResourceType type, Store store, ObjectNode ns) {
    if (Meta.isDeleting(ns) && ns.path("spec").path("finalizers").size() == 0 && !Meta.hasFinalizers(ns)) {
      try {
        store.delete("", Meta.name(ns), DeleteOptions.DEFAULT);
      } catch (ApiException e) {
        if (e.code() != 404) throw e;
      }
    }
  }

  /** log, exec, attach, portforward, proxy: served by the node agent, which is not part of this server yet. */
  public void connect(ApiRequest req, ResourcePath p, ResourceType type, Store store) {
    ObjectNode obj = store.get(p.namespace(), p.name());
    if (type.kind().equals("Pod") && obj.path("spec").path("nodeName").asText("").isEmpty()) {
      throw ApiException.badRequest("pod " + p.name() + " does not have a host assigned");
    }
    throw new ApiException(503, "ServiceUnavailable", "no node agent serves " + p.subresource() + " for " + type.plural() + " yet");
  }

}
