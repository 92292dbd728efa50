package io.planet.controllers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code pod-template-hash} a Deployment gives each ReplicaSet (upstream's ComputeHash and EqualIgnoreHash): a
 * 32-bit FNV-1a hash of the template (and the collision count), spelled in the alphabet upstream uses for names.
 */
final class PodTemplateHash {
  static final String LABEL = "pod-template-hash";
  /** Upstream's rand.SafeEncodeString alphabet: no vowels, no look-alike digits. */
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private PodTemplateHash() {}

  static String compute(PodTemplateSpec template, Integer collisionCount) {
    byte[] bytes;
    try {
      // maps in key order so the hash does not depend on the order the server sent labels in
      bytes = MAPPER.writeValueAsBytes(MAPPER.convertValue(template, Map.class));
    } catch (Exception e) {
      throw new IllegalStateException("cannot hash pod template", e);
    }
    int h = 0x811c9dc5;
    for (byte b : bytes) h = fnv(h, b);
    if (collisionCount != null) {
      int c = collisionCount;
      // little-endian, as upstream writes the counter
      for (int i = 0; i < 4; i++) h = fnv(h, (byte) (c >>> (8 * i)));
    }
    return safeEncode(Integer.toUnsignedString(h));
  }

  private static int fnv(int h, byte b) {
    return (h ^ (b & 0xff)) * 0x01000193;
  }

  private static String safeEncode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.US_ASCII)) out.append(ALPHANUMS.charAt(b % ALPHANUMS.length()));
    return out.toString();
  }

  /** Whether two templates are the same once the hash label is left out of both. */
  static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
    return withoutHash(a).equals(withoutHash(b));
  }

  private static JsonNode withoutHash(PodTemplateSpec t) {
    JsonNode n = MAPPER.valueToTree(t);
    JsonNode labels = n.path("metadata").path("labels");
    if (labels instanceof ObjectNode l) {
      l.remove(LABEL);
      if (l.isEmpty()) ((ObjectNode) n.get("metadata")).remove("labels");
    }
    return n;
  }
}
