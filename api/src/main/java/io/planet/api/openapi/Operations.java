package io.planet.api.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Set;

/**
 * The REST operations of resources as upstream publishes them: one path per collection, item, watch and subresource
 * endpoint ({@code /api/v1/namespaces/{namespace}/pods/{name}}), operations named like upstream's operation ids
 * ({@code patchCoreV1NamespacedPod}) with {@code x-kubernetes-action} and {@code x-kubernetes-group-version-kind}.
 * kubectl reads the PATCH operations' {@code fieldValidation} parameter and request content types, and explain finds a
 * resource's kind from these operations.
 */
final class Operations {
  static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  static final String STATUS = META + "Status";
  static final String DELETE_OPTIONS = META + "DeleteOptions";
  static final String PATCH = META + "Patch";
  static final String WATCH_EVENT = META + "WatchEvent";

  private static final List<String> READ_TYPES = List.of("application/json", "application/yaml",
      "application/vnd.kubernetes.protobuf");
  private static final List<String> WATCH_TYPES = List.of("application/json", "application/yaml",
      "application/vnd.kubernetes.protobuf", "application/json;stream=watch",
      "application/vnd.kubernetes.protobuf;stream=watch");

  private final SchemaJson schemas;
  private final SchemaJson.Flavor flavor;
  private final ObjectNode paths;

  Operations(SchemaJson schemas, SchemaJson.Flavor flavor, ObjectNode paths) {
    this.schemas = schemas;
    this.flavor = flavor;
    this.paths = paths;
  }

  /** What one resource's operations return and accept. */
  record Target(ResourceType type, String definition, String listDefinition) {}

  /** The GET on a group-version root ({@code /apis/apps/v1/}) answering APIResourceList. */
  void discovery(String path, String operationId, String tag, String definition, String description) {
    ObjectNode op = operation(description, operationId, tag);
    responses(op, definition, false, false);
    pathItem(path).set("get", op);
  }

  void addResource(Target t) {
    ResourceType rt = t.type();
    List<String> verbs = rt.verbs();
    String prefix = rt.group().isEmpty() ? "/api/" + rt.version() : "/apis/" + rt.group() + "/" + rt.version();
    String gv = groupVersionCamel(rt.group(), rt.version());
    String tag = tag(rt.group(), rt.version());
    String scope = rt.namespaced() ? "Namespaced" : "";
    String collection = prefix + (rt.namespaced() ? "/namespaces/{namespace}/" : "/") + rt.plural();
    String item = collection + "/{name}";
    ObjectNode gvk = gvk(rt.group(), rt.version(), rt.kind());
    String kind = rt.kind();

    // collection
    ObjectNode coll = pathItem(collection);
    if (verbs.contains("list")) {
      ObjectNode op = operation("list or watch objects of kind " + kind, "list" + gv + scope + kind, tag);
      listParameters(op, true);
      responses(op, t.listDefinition(), false, true);
      action(op, "list", gvk);
      coll.set("get", op);
    }
    if (verbs.contains("create")) {
      ObjectNode op = operation("create " + article(kind) + " " + kind, "create" + gv + scope + kind, tag);
      writeParameters(op, false);
      body(op, t.definition(), List.of("*/*"));
      responses(op, t.definition(), true, false);
      responseCode(op, "202", t.definition(), "Accepted");
      action(op, "post", gvk);
      coll.set("post", op);
    }
    if (verbs.contains("deletecollection")) {
      ObjectNode op = operation("delete collection of " + kind, "delete" + gv + "Collection" + scope + kind, tag);
      deleteParameters(op);
      listParameters(op, false);
      body(op, DELETE_OPTIONS, List.of("*/*"));
      responses(op, STATUS, false, false);
      action(op, "deletecollection", gvk);
      coll.set("delete", op);
    }
    if (rt.namespaced()) pathParameter(coll, "namespace", "object name and auth scope, such as for teams and projects");
    queryParameter(coll, "pretty", "If 'true', then the output is pretty printed.", "string");
    if (coll.size() <= 1) paths.remove(collection);

    // item
    ObjectNode it = pathItem(item);
    if (verbs.contains("get")) {
      ObjectNode op = operation("read the specified " + kind, "read" + gv + scope + kind, tag);
      responses(op, t.definition(), false, false);
      action(op, "get", gvk);
      it.set("get", op);
    }
    if (verbs.contains("update")) {
      ObjectNode op = operation("replace the specified " + kind, "replace" + gv + scope + kind, tag);
      writeParameters(op, false);
      body(op, t.definition(), List.of("*/*"));
      responses(op, t.definition(), true, false);
      action(op, "put", gvk);
      it.set("put", op);
    }
    if (verbs.contains("patch")) {
      ObjectNode op = operation("partially update the specified " + kind, "patch" + gv + scope + kind, tag);
      writeParameters(op, true);
      body(op, PATCH, patchTypes(rt));
      responses(op, t.definition(), true, false);
      action(op, "patch", gvk);
      it.set("patch", op);
    }
    if (verbs.contains("delete")) {
      ObjectNode op = operation("delete " + article(kind) + " " + kind, "delete" + gv + scope + kind, tag);
      deleteParameters(op);
      body(op, DELETE_OPTIONS, List.of("*/*"));
      responses(op, STATUS, false, false);
      responseCode(op, "202", STATUS, "Accepted");
      action(op, "delete", gvk);
      it.set("delete", op);
    }
    pathParameter(it, "name", "name of the " + kind);
    if (rt.namespaced()) pathParameter(it, "namespace", "object name and auth scope, such as for teams and projects");
    queryParameter(it, "pretty", "If 'true', then the output is pretty printed.", "string");
    if (it.size() <= 1) paths.remove(item);

    // all namespaces, and the deprecated watch paths
    if (rt.namespaced() && verbs.contains("list")) {
      ObjectNode all = pathItem(prefix + "/" + rt.plural());
      ObjectNode op = operation("list or watch objects of kind " + kind, "list" + gv + kind + "ForAllNamespaces", tag);
      responses(op, t.listDefinition(), false, true);
      action(op, "list", gvk);
      all.set("get", op);
      listParameters(all, true);
    }
    if (verbs.contains("watch")) {
      String watchColl = prefix + "/watch" + (rt.namespaced() ? "/namespaces/{namespace}/" : "/") + rt.plural();
      watch(watchColl, "watch" + gv + scope + kind + "List", tag, gvk, "watchlist", rt.namespaced(), false, kind);
      watch(watchColl + "/{name}", "watch" + gv + scope + kind, tag, gvk, "watch", rt.namespaced(), true, kind);
      if (rt.namespaced()) {
        watch(prefix + "/watch/" + rt.plural(), "watch" + gv + kind + "ListForAllNamespaces", tag, gvk, "watchlist",
            false, false, kind);
      }
    }

    for (String sub : rt.subresources()) subresource(t, sub, item, gv, scope, tag);
  }

  private void subresource(Target t, String sub, String item, String gv, String scope, String tag) {
    ResourceType rt = t.type();
    String kind = rt.kind();
    String path = item + "/" + sub;
    String camel = Character.toUpperCase(sub.charAt(0)) + sub.substring(1);
    ObjectNode p;
    switch (sub) {
      case "status", "scale", "ephemeralcontainers" -> {
        String def = t.definition();
        ObjectNode gvk = gvk(rt.group(), rt.version(), kind);
        if (sub.equals("scale")) {
          def = "io.k8s.api.autoscaling.v1.Scale";
          gvk = gvk("autoscaling", "v1", "Scale");
        }
        if (sub.equals("ephemeralcontainers")) camel = "EphemeralContainers";
        p = pathItem(path);
        ObjectNode get = operation("read " + sub + " of the specified " + kind, "read" + gv + scope + kind + camel, tag);
        responses(get, def, false, false);
        action(get, "get", gvk);
        p.set("get", get);
        ObjectNode put = operation("replace " + sub + " of the specified " + kind, "replace" + gv + scope + kind + camel, tag);
        writeParameters(put, false);
        body(put, def, List.of("*/*"));
        responses(put, def, true, false);
        action(put, "put", gvk);
        p.set("put", put);
        ObjectNode patch = operation("partially update " + sub + " of the specified " + kind,
            "patch" + gv + scope + kind + camel, tag);
        writeParameters(patch, true);
        body(patch, PATCH, patchTypes(rt));
        responses(patch, def, true, false);
        action(patch, "patch", gvk);
        p.set("patch", patch);
      }
      case "binding", "eviction", "token" -> {
        String group = sub.equals("eviction") ? "policy" : sub.equals("token") ? "authentication.k8s.io" : "";
        String subKind = sub.equals("eviction") ? "Eviction" : sub.equals("token") ? "TokenRequest" : "Binding";
        String def = sub.equals("eviction") ? "io.k8s.api.policy.v1.Eviction"
            : sub.equals("token") ? "io.k8s.api.authentication.v1.TokenRequest" : "io.k8s.api.core.v1.Binding";
        p = pathItem(path);
        ObjectNode post = operation("create " + sub + " of " + article(kind) + " " + kind,
            "create" + gv + scope + kind + camel, tag);
        writeParameters(post, false);
        body(post, def, List.of("*/*"));
        responses(post, def, true, false);
        responseCode(post, "202", def, "Accepted");
        action(post, "post", gvk(group, "v1", subKind));
        p.set("post", post);
      }
      case "finalize" -> {
        p = pathItem(path);
        ObjectNode put = operation("replace finalize of the specified " + kind, "replace" + gv + scope + kind + "Finalize", tag);
        writeParameters(put, false);
        body(put, t.definition(), List.of("*/*"));
        responses(put, t.definition(), true, false);
        action(put, "put", gvk(rt.group(), rt.version(), kind));
        p.set("put", put);
      }
      case "log" -> {
        p = pathItem(path);
        ObjectNode get = operation("read log of the specified " + kind, "read" + gv + scope + kind + "Log", tag);
        textResponse(get, "text/plain");
        for (String q : List.of("container", "sinceTime")) queryParameter(get, q, q, "string");
        for (String q : List.of("follow", "insecureSkipTLSVerifyBackend", "previous", "timestamps")) {
          queryParameter(get, q, q, "boolean");
        }
        for (String q : List.of("limitBytes", "sinceSeconds", "tailLines")) queryParameter(get, q, q, "integer");
        action(get, "get", gvk(rt.group(), rt.version(), kind));
        p.set("get", get);
      }
      case "exec", "attach", "portforward", "proxy" -> {
        String optionsKind = kind + (sub.equals("portforward") ? "PortForward" : camel) + "Options";
        p = pathItem(path);
        for (String method : List.of("get", "post")) {
          String m = Character.toUpperCase(method.charAt(0)) + method.substring(1);
          ObjectNode op = operation("connect " + method.toUpperCase() + " requests to " + sub + " of " + kind,
              "connect" + gv + m + scope + kind + camel, tag);
          textResponse(op, "*/*");
          action(op, "connect", gvk(rt.group(), rt.version(), optionsKind));
          p.set(method, op);
        }
      }
      default -> {
        return;
      }
    }
    pathParameter(p, "name", "name of the " + kind);
    if (rt.namespaced()) pathParameter(p, "namespace", "object name and auth scope, such as for teams and projects");
    queryParameter(p, "pretty", "If 'true', then the output is pretty printed.", "string");
  }

  private void watch(String path, String operationId, String tag, ObjectNode gvk, String action, boolean namespaced,
      boolean named, String kind) {
    ObjectNode p = pathItem(path);
    ObjectNode op = operation(named
        ? "watch changes to an object of kind " + kind + ". deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter."
        : "watch individual changes to a list of " + kind + ". deprecated: use the 'watch' parameter with a list operation instead.",
        operationId, tag);
    responses(op, WATCH_EVENT, false, true);
    action(op, action, gvk);
    p.set("get", op);
    listParameters(p, true);
    if (named) pathParameter(p, "name", "name of the " + kind);
    if (namespaced) pathParameter(p, "namespace", "object name and auth scope, such as for teams and projects");
  }

  /** Patch content types: strategic merge patch only for built-in kinds, as upstream. */
  private static List<String> patchTypes(ResourceType rt) {
    if (rt.isCustom()) {
      return List.of("application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json");
    }
    return List.of("application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json");
  }

  private ObjectNode pathItem(String path) {
    ObjectNode p = (ObjectNode) paths.get(path);
    if (p == null) p = paths.putObject(path);
    return p;
  }

  private ObjectNode operation(String description, String operationId, String tag) {
    ObjectNode op = Json.object();
    op.put("description", description);
    op.put("operationId", operationId);
    op.putArray("tags").add(tag);
    if (flavor == SchemaJson.Flavor.V2) {
      op.putArray("consumes").add("*/*");
      op.putArray("produces").add("application/json").add("application/yaml").add("application/vnd.kubernetes.protobuf");
      op.putArray("schemes").add("https");
    }
    return op;
  }

  private static void action(ObjectNode op, String action, ObjectNode gvk) {
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvk);
  }

  static ObjectNode gvk(String group, String version, String kind) {
    ObjectNode n = Json.object();
    n.put("group", group);
    n.put("kind", kind);
    n.put("version", version);
    return n;
  }

  private void body(ObjectNode op, String definition, List<String> contentTypes) {
    if (flavor == SchemaJson.Flavor.V3) {
      ObjectNode rb = op.putObject("requestBody");
      ObjectNode content = rb.putObject("content");
      for (String ct : contentTypes) content.putObject(ct).set("schema", schemas.refTo(definition));
      rb.put("required", true);
    } else {
      if (!contentTypes.equals(List.of("*/*"))) {
        ArrayNode consumes = op.putArray("consumes");
        contentTypes.forEach(consumes::add);
      }
      ObjectNode p = params(op).addObject();
      p.put("in", "body");
      p.put("name", "body");
      p.put("required", true);
      p.set("schema", schemas.refTo(definition));
    }
  }

  private void responses(ObjectNode op, String definition, boolean created, boolean watchable) {
    ObjectNode r = op.putObject("responses");
    responseCode(op, "200", definition, "OK", watchable);
    if (created) responseCode(op, "201", definition, "Created", false);
    r.putObject("401").put("description", "Unauthorized");
  }

  private void responseCode(ObjectNode op, String code, String definition, String description) {
    responseCode(op, code, definition, description, false);
    // keep 401 last, as upstream sorts response codes
    ObjectNode r = (ObjectNode) op.get("responses");
    if (r.has("401")) r.set("401", r.remove("401"));
  }

  private void responseCode(ObjectNode op, String code, String definition, String description, boolean watchable) {
    ObjectNode r = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
    ObjectNode resp = r.putObject(code);
    if (flavor == SchemaJson.Flavor.V3) {
      ObjectNode content = resp.putObject("content");
      for (String ct : watchable ? WATCH_TYPES : READ_TYPES) content.putObject(ct).set("schema", schemas.refTo(definition));
      resp.put("description", description);
    } else {
      resp.put("description", description);
      resp.set("schema", schemas.refTo(definition));
    }
  }

  /** A 200 answering plain text (logs, connect upgrades) and a 401. */
  private void textResponse(ObjectNode op, String contentType) {
    ObjectNode r = op.putObject("responses");
    ObjectNode ok = r.putObject("200");
    if (flavor == SchemaJson.Flavor.V3) {
      ok.putObject("content").putObject(contentType).putObject("schema").put("type", "string");
      ok.put("description", "OK");
    } else {
      ok.put("description", "OK");
      ok.putObject("schema").put("type", "string");
    }
    r.putObject("401").put("description", "Unauthorized");
  }

  private ArrayNode params(ObjectNode holder) {
    return holder.has("parameters") ? (ArrayNode) holder.get("parameters") : holder.putArray("parameters");
  }

  private void queryParameter(ObjectNode holder, String name, String description, String type) {
    ObjectNode p = params(holder).addObject();
    p.put("description", description);
    p.put("in", "query");
    p.put("name", name);
    if (flavor == SchemaJson.Flavor.V3) {
      p.putObject("schema").put("type", type).put("uniqueItems", true);
    } else {
      p.put("type", type);
      p.put("uniqueItems", true);
    }
  }

  private void pathParameter(ObjectNode holder, String name, String description) {
    ArrayNode arr = params(holder);
    ObjectNode p = Json.object();
    p.put("description", description);
    p.put("in", "path");
    p.put("name", name);
    p.put("required", true);
    if (flavor == SchemaJson.Flavor.V3) {
      p.putObject("schema").put("type", "string").put("uniqueItems", true);
    } else {
      p.put("type", "string");
      p.put("uniqueItems", true);
    }
    arr.insert(0, p);
  }

  private void listParameters(ObjectNode holder, boolean withWatch) {
    queryParameter(holder, "allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", "boolean");
    queryParameter(holder, "continue", "The continue option should be set when retrieving more results from the server.", "string");
    queryParameter(holder, "fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything.", "string");
    queryParameter(holder, "labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything.", "string");
    queryParameter(holder, "limit", "limit is a maximum number of responses to return for a list call.", "integer");
    queryParameter(holder, "resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from.", "string");
    queryParameter(holder, "resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls.", "string");
    queryParameter(holder, "sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", "boolean");
    queryParameter(holder, "timeoutSeconds", "Timeout for the list/watch call.", "integer");
    if (withWatch) {
      queryParameter(holder, "watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", "boolean");
    }
  }

  private void writeParameters(ObjectNode op, boolean patch) {
    queryParameter(op, "dryRun", "When present, indicates that modifications should not be persisted. Valid value: All.", "string");
    queryParameter(op, "fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes.", "string");
    queryParameter(op, "fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.", "string");
    if (patch) {
      queryParameter(op, "force", "Force is going to \"force\" Apply requests: re-acquire conflicting fields owned by other people.", "boolean");
    }
  }

  private void deleteParameters(ObjectNode op) {
    queryParameter(op, "dryRun", "When present, indicates that modifications should not be persisted. Valid value: All.", "string");
    queryParameter(op, "gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer");
    queryParameter(op, "ignoreStoreReadErrorWithClusterBreakingPotential", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.", "boolean");
    queryParameter(op, "orphanDependents", "Deprecated: please use the PropagationPolicy.", "boolean");
    queryParameter(op, "propagationPolicy", "Whether and how garbage collection will be performed: Orphan, Background or Foreground.", "string");
  }

  /** "" → CoreV1, "rbac.authorization.k8s.io" → RbacAuthorizationV1, "apps" → AppsV1. */
  static String groupVersionCamel(String group, String version) {
    StringBuilder b = new StringBuilder();
    if (group.isEmpty()) {
      b.append("Core");
    } else {
      String g = group.endsWith(".k8s.io") ? group.substring(0, group.length() - ".k8s.io".length()) : group;
      for (String part : g.split("[.-]")) {
        if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    b.append(Character.toUpperCase(version.charAt(0))).append(version.substring(1));
    return b.toString();
  }

  /** Upstream's tag: core_v1, apps_v1, rbacAuthorization_v1. */
  static String tag(String group, String version) {
    String camel = groupVersionCamel(group, version);
    String g = camel.substring(0, camel.length() - version.length());
    return Character.toLowerCase(g.charAt(0)) + g.substring(1) + "_" + version;
  }

  private static String article(String kind) {
    return Set.of('A', 'E', 'I', 'O', 'U').contains(kind.charAt(0)) ? "an" : "a";
  }
}
