package io.planet.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceRegistry;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The swagger 2.0 document of {@code GET /openapi/v2} as gnostic's protobuf {@code openapi.v2.Document}: kubectl 1.27
 * and 1.28 ask for it only in this form (Accept {@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf})
 * and read definitions, patch strategies and the query parameters of PATCH operations from it.
 */
public final class OpenApiV2Protobuf {
  /**
   * The media type the server answers with, as kube-apiserver does: the "@" spelling kubectl asks for is no valid
   * media type, so Go's mime parser (and thus kubectl) rejects it in a Content-Type.
   */
  public static final String CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  private OpenApiV2Protobuf() {}

  private record Cached(ObjectNode source, byte[] bytes) {}

  private static final Map<ResourceRegistry, Cached> CACHE = new WeakHashMap<>();

  /** Encodes a swagger 2.0 JSON document; keys gnostic's model has no field for are dropped. */
  public static byte[] encode(JsonNode swaggerDocument) {
    return GnosticV2Encoder.document(swaggerDocument);
  }

  /**
   * The encoded {@link OpenApiV2#document}; callers must not modify the array. Re-encoded whenever OpenApiV2 rebuilds
   * its document (a registry change), which is detected by the cached JSON no longer being the current one.
   */
  public static byte[] documentBytes(ResourceRegistry registry) {
    ObjectNode doc = OpenApiV2.document(registry);
    synchronized (CACHE) {
      Cached c = CACHE.get(registry);
      if (c != null && c.source() == doc) return c.bytes();
      c = new Cached(doc, encode(doc));
      CACHE.put(registry, c);
      return c.bytes();
    }
  }

  /** Whether an Accept header asks for this encoding (also the older "...spec.v2.v1.0+protobuf" spelling). */
  public static boolean accepts(String accept) {
    return accept != null && accept.contains("application/com.github.proto-openapi.spec.v2");
  }
}
