package io.planet.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Accessors for {@code metadata} of an object held as a JSON tree. */
public final class Meta {
  private Meta() {}

  public static ObjectNode meta(ObjectNode obj) {
    return Json.with(obj, "metadata");
  }

  public static String name(JsonNode obj) { return Json.str(obj.get("metadata"), "name"); }
  public static String namespace(JsonNode obj) { return Json.str(obj.get("metadata"), "namespace"); }
  public static String uid(JsonNode obj) { return Json.str(obj.get("metadata"), "uid"); }
  public static String resourceVersion(JsonNode obj) { return Json.str(obj.get("metadata"), "resourceVersion"); }
  public static String generateName(JsonNode obj) { return Json.str(obj.get("metadata"), "generateName"); }

  public static boolean isDeleting(JsonNode obj) {
    JsonNode m = obj.get("metadata");
    return m != null && m.hasNonNull("deletionTimestamp");
  }

  public static boolean hasFinalizers(JsonNode obj) {
    JsonNode f = Json.at(obj, "metadata", "finalizers");
    return f != null && f.isArray() && f.size() > 0;
  }

  public static Map<String, String> labels(JsonNode obj) {
    return stringMap(Json.at(obj, "metadata", "labels"));
  }

  public static Map<String, String> annotations(JsonNode obj) {
    return stringMap(Json.at(obj, "metadata", "annotations"));
  }

  public static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> m = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    }
    return m;
  }

  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

  /** RFC 3339 with second precision, as {@code metav1.Time} serializes. */
  public static String timestamp(Instant t) {
    return RFC3339.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** RFC 3339 with microseconds, as {@code metav1.MicroTime} serializes. */
  public static String microTimestamp(Instant t) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC)
        .format(t.truncatedTo(ChronoUnit.MICROS));
  }

  public static String now() {
    return timestamp(Instant.now());
  }

  public static Instant parseTime(String s) {
    try {
      return s == null || s.isEmpty() ? null : Instant.parse(s);
    } catch (RuntimeException e) {
      try {
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }
}
