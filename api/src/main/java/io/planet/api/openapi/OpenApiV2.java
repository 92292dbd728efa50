package io.planet.api.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The swagger 2.0 document of {@code GET /openapi/v2}: every served resource's paths and every definition they use,
 * in one document. Cached per registry state like {@link OpenApiV3}; callers must not modify the returned node.
 */
public final class OpenApiV2 {
  private OpenApiV2() {}

  private record Cached(ObjectNode document, byte[] bytes, String hash) {}

  private static final Map<ResourceRegistry, Cached> CACHE = new WeakHashMap<>();

  public static ObjectNode document(ResourceRegistry registry) {
    return cached(registry).document();
  }

  /** The serialized document. */
  public static byte[] documentBytes(ResourceRegistry registry) {
    return cached(registry).bytes();
  }

  /** Upper-case hex SHA-512 of the document, usable as an ETag. */
  public static String hash(ResourceRegistry registry) {
    return cached(registry).hash();
  }

  private static Cached cached(ResourceRegistry registry) {
    synchronized (CACHE) {
      Cached c = CACHE.get(registry);
      if (c != null) return c;
      if (!CACHE.containsKey(registry)) {
        registry.onChange(r -> {
          synchronized (CACHE) {
            CACHE.put(r, null);
          }
        });
      }
      ObjectNode doc = build(registry);
      byte[] bytes = Json.bytes(doc);
      c = new Cached(doc, bytes, OpenApiV3.sha512(bytes));
      CACHE.put(registry, c);
      return c;
    }
  }

  private static ObjectNode build(ResourceRegistry registry) {
    DocumentBuilder b = new DocumentBuilder(SchemaJson.Flavor.V2);
    b.discovery("/api/", "getCoreAPIVersions", "core", "APIVersions", "get available API versions");
    b.discovery("/apis/", "getAPIVersions", "apis", "APIGroupList", "get available API versions");
    for (ResourceType rt : registry.all()) b.addResource(rt);
    ObjectNode doc = Json.object();
    doc.put("swagger", "2.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", "unversioned");
    doc.set("paths", b.paths());
    doc.set("definitions", b.definitions());
    ObjectNode bearer = doc.putObject("securityDefinitions").putObject("BearerToken");
    bearer.put("description", "Bearer Token authentication");
    bearer.put("in", "header");
    bearer.put("name", "authorization");
    bearer.put("type", "apiKey");
    doc.putArray("security").addObject().putArray("BearerToken");
    return doc;
  }
}
