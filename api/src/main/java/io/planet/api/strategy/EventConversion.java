package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.util.Iterator;
import java.util.Map;

/** core/v1 Event ↔ events.k8s.io/v1 Event (pkg/apis/events/v1/conversion.go): renames, nothing lost. */
public final class EventConversion {
  private EventConversion() {}

  /** core/v1 field → events.k8s.io/v1 field, for the fields whose names differ. */
  private static final Map<String, String> CORE_TO_EVENTS = Map.of(
      "involvedObject", "regarding",
      "message", "note",
      "source", "deprecatedSource",
      "firstTimestamp", "deprecatedFirstTimestamp",
      "lastTimestamp", "deprecatedLastTimestamp",
      "count", "deprecatedCount",
      "reportingComponent", "reportingController");

  public static ObjectNode toEventsV1(ObjectNode core) {
    ObjectNode out = rename(core, CORE_TO_EVENTS);
    out.put("apiVersion", "events.k8s.io/v1");
    out.put("kind", "Event");
    return out;
  }

  public static ObjectNode toCore(ObjectNode events) {
    Map<String, String> back = new java.util.HashMap<>();
    CORE_TO_EVENTS.forEach((k, v) -> back.put(v, k));
    ObjectNode out = rename(events, back);
    out.put("apiVersion", "v1");
    out.put("kind", "Event");
    return out;
  }

  public static boolean isEventsV1(JsonNode obj) {
    return Trees.str(obj, "apiVersion").startsWith("events.k8s.io/");
  }

  private static ObjectNode rename(ObjectNode in, Map<String, String> names) {
    ObjectNode out = Json.object();
    Iterator<Map.Entry<String, JsonNode>> it = in.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.set(names.getOrDefault(e.getKey(), e.getKey()), e.getValue().deepCopy());
    }
    return out;
  }
}
