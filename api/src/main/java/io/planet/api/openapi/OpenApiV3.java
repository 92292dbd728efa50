package io.planet.api.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The OpenAPI v3 documents kube-apiserver serves: {@code GET /openapi/v3} (an index of one document per
 * group-version, each with a content hash) and {@code GET /openapi/v3/<path>} ({@code api/v1}, {@code apis/apps/v1},
 * and the discovery documents {@code api}, {@code apis}, {@code apis/<group>}).
 *
 * <p>kubectl uses them to learn that the server validates fields itself (the PATCH operations' {@code fieldValidation}
 * parameter: it then sends {@code fieldValidation=Strict}), for client-side apply (strategic merge patch is offered
 * for built-in kinds only) and for {@code kubectl explain}. Documents are generated once per registry state and
 * cached: the registry's changes (CRDs added, updated, removed) drop the cache. Callers must not modify the returned
 * nodes.
 */
public final class OpenApiV3 {
  private OpenApiV3() {}

  /** The documents of one registry state. */
  private static final class State {
    final Map<String, ObjectNode> documents = new LinkedHashMap<>();
    final Map<String, byte[]> bytes = new LinkedHashMap<>();
    final Map<String, String> hashes = new LinkedHashMap<>();
    ObjectNode index;
  }

  private static final Map<ResourceRegistry, State> STATES = new WeakHashMap<>();

  private static State state(ResourceRegistry registry) {
    synchronized (STATES) {
      State s = STATES.get(registry);
      if (s == null) {
        if (!STATES.containsKey(registry)) registry.onChange(OpenApiV3::invalidate);
        s = new State();
        STATES.put(registry, s);
      }
      return s;
    }
  }

  /** Drops the cached documents of a registry (called on registry changes). */
  public static void invalidate(ResourceRegistry registry) {
    synchronized (STATES) {
      if (STATES.containsKey(registry)) STATES.put(registry, null);
    }
  }

  /** Every document path served: api, api/v1, apis, apis/apps, apis/apps/v1, ... */
  public static List<String> paths(ResourceRegistry registry) {
    List<String> out = new ArrayList<>();
    for (String group : registry.groups()) {
      List<String> versions = registry.versions(group);
      if (group.isEmpty()) {
        out.add("api");
        for (String v : versions) if (!registry.resources(group, v).isEmpty()) out.add("api/" + v);
      }
    }
    out.add("apis");
    for (String group : registry.groups()) {
      if (group.isEmpty()) continue;
      boolean any = false;
      for (String v : registry.versions(group)) {
        if (!registry.resources(group, v).isEmpty()) {
          if (!any) out.add("apis/" + group);
          any = true;
          out.add("apis/" + group + "/" + v);
        }
      }
    }
    return out;
  }

  /**
   * {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=<HASH>"}, ...}}}, the hash being the
   * upper-case hex SHA-512 of the document.
   */
  public static ObjectNode index(ResourceRegistry registry) {
    State s = state(registry);
    synchronized (s) {
      if (s.index != null) return s.index;
      ObjectNode index = Json.object();
      ObjectNode paths = index.putObject("paths");
      for (String p : paths(registry)) {
        String hash = hash(registry, p);
        if (hash == null) continue;
        paths.putObject(p).put("serverRelativeURL", "/openapi/v3/" + p + "?hash=" + hash);
      }
      s.index = index;
      return index;
    }
  }

  /** The document of {@code api/v1}, {@code apis/<group>/<version>}, {@code api}, {@code apis}, {@code apis/<group>}; null when unknown. */
  public static ObjectNode document(ResourceRegistry registry, String groupVersionPath) {
    String path = normalize(groupVersionPath);
    State s = state(registry);
    synchronized (s) {
      if (s.documents.containsKey(path)) return s.documents.get(path);
      ObjectNode doc = build(registry, path);
      s.documents.put(path, doc);
      if (doc != null) {
        byte[] b = Json.bytes(doc);
        s.bytes.put(path, b);
        s.hashes.put(path, sha512(b));
      }
      return doc;
    }
  }

  /** The serialized document (what to send); null when unknown. */
  public static byte[] documentBytes(ResourceRegistry registry, String groupVersionPath) {
    String path = normalize(groupVersionPath);
    if (document(registry, path) == null) return null;
    State s = state(registry);
    synchronized (s) {
      byte[] b = s.bytes.get(path);
      return b != null ? b : Json.bytes(document(registry, path));
    }
  }

  /** The content hash of a document (upper-case hex SHA-512), as in the index's serverRelativeURL; null when unknown. */
  public static String hash(ResourceRegistry registry, String groupVersionPath) {
    String path = normalize(groupVersionPath);
    if (document(registry, path) == null) return null;
    State s = state(registry);
    synchronized (s) {
      String h = s.hashes.get(path);
      return h != null ? h : sha512(Json.bytes(document(registry, path)));
    }
  }

  private static String normalize(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.startsWith("openapi/v3/")) p = p.substring("openapi/v3/".length());
    int q = p.indexOf('?');
    if (q >= 0) p = p.substring(0, q);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    return p;
  }

  private static ObjectNode build(ResourceRegistry registry, String path) {
    String[] parts = path.split("/");
    DocumentBuilder b = new DocumentBuilder(SchemaJson.Flavor.V3);
    if (path.equals("api")) {
      b.discovery("/api/", "getCoreAPIVersions", "core", "APIVersions", "get available API versions");
    } else if (path.equals("apis")) {
      b.discovery("/apis/", "getAPIVersions", "apis", "APIGroupList", "get available API versions");
    } else if (parts.length == 2 && parts[0].equals("api")) {
      List<ResourceType> rts = registry.resources("", parts[1]);
      if (rts.isEmpty()) return null;
      b.discovery("/api/" + parts[1] + "/", "get" + Operations.groupVersionCamel("", parts[1]) + "APIResources",
          Operations.tag("", parts[1]), "APIResourceList", "get available resources");
      for (ResourceType rt : rts) b.addResource(rt);
    } else if (parts.length == 2 && parts[0].equals("apis")) {
      String group = parts[1];
      if (group.isEmpty() || registry.versions(group).stream().allMatch(v -> registry.resources(group, v).isEmpty())) {
        return null;
      }
      String camel = Operations.groupVersionCamel(group, "x");
      camel = camel.substring(0, camel.length() - 1);
      b.discovery("/apis/" + group + "/", "get" + camel + "APIGroup",
          Character.toLowerCase(camel.charAt(0)) + camel.substring(1), "APIGroup", "get information of a group");
    } else if (parts.length == 3 && parts[0].equals("apis")) {
      List<ResourceType> rts = registry.resources(parts[1], parts[2]);
      if (rts.isEmpty()) return null;
      b.discovery("/apis/" + parts[1] + "/" + parts[2] + "/",
          "get" + Operations.groupVersionCamel(parts[1], parts[2]) + "APIResources",
          Operations.tag(parts[1], parts[2]), "APIResourceList", "get available resources");
      for (ResourceType rt : rts) b.addResource(rt);
    } else {
      return null;
    }
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", "unversioned");
    doc.set("paths", b.paths());
    ObjectNode components = doc.putObject("components");
    components.set("schemas", b.definitions());
    ObjectNode bearer = components.putObject("securitySchemes").putObject("BearerToken");
    bearer.put("description", "Bearer Token authentication");
    bearer.put("in", "header");
    bearer.put("name", "authorization");
    bearer.put("type", "apiKey");
    doc.putArray("security").addObject().putArray("BearerToken");
    return doc;
  }

  static String sha512(byte[] bytes) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha512(String s) {
    return sha512(s.getBytes(StandardCharsets.UTF_8));
  }
}
