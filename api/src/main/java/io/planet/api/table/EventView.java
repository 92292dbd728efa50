package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import java.time.Instant;
import java.util.Locale;

/**
 * An Event read the same way whether it is core/v1 or events.k8s.io/v1: upstream prints both from the internal
 * Event, so events.k8s.io's {@code regarding}, {@code note}, {@code deprecated*} fields map onto core's.
 */
record EventView(JsonNode event, boolean eventsGroup) {

  static EventView of(JsonNode event) {
    boolean eventsGroup = Json.str(event, "apiVersion").startsWith("events.k8s.io/")
        || (event.has("regarding") && !event.has("involvedObject"));
    return new EventView(event, eventsGroup);
  }

  private JsonNode field(String core, String events) {
    return Json.at(event, eventsGroup ? events : core);
  }

  JsonNode involvedObject() {
    JsonNode ref = field("involvedObject", "regarding");
    return ref == null ? Json.object() : ref;
  }

  String message() {
    JsonNode m = field("message", "note");
    return m == null ? "" : m.asText();
  }

  /** "kind/name" in lower-case kind, or the kind alone for an unnamed object. */
  String target() {
    JsonNode ref = involvedObject();
    String kind = Json.str(ref, "kind").toLowerCase(Locale.ROOT);
    String name = Json.str(ref, "name");
    return name.isEmpty() ? kind : kind + "/" + name;
  }

  String firstSeen(Instant now) {
    Instant first = Cells.time(field("firstTimestamp", "deprecatedFirstTimestamp"));
    return first != null ? Cells.age(first, now) : Cells.age(Cells.time(event.get("eventTime")), now);
  }

  String lastSeen(Instant now) {
    JsonNode series = event.get("series");
    if (series != null && series.isObject()) return Cells.age(Cells.time(series.get("lastObservedTime")), now);
    Instant last = Cells.time(field("lastTimestamp", "deprecatedLastTimestamp"));
    return last != null ? Cells.age(last, now) : firstSeen(now);
  }

  long count() {
    JsonNode series = event.get("series");
    if (series != null && series.isObject()) return series.path("count").asLong();
    JsonNode c = field("count", "deprecatedCount");
    long count = c == null ? 0 : c.asLong();
    // singleton events don't have a count set in the new API
    return count == 0 ? 1 : count;
  }

  /** formatEventSource: "component, host", falling back to the reporting controller and instance. */
  String source() {
    JsonNode src = field("source", "deprecatedSource");
    String reportingController = Json.str(event, eventsGroup ? "reportingController" : "reportingComponent");
    String component = Cells.orElse(Json.str(src, "component"), reportingController);
    String instance = Cells.orElse(Json.str(src, "host"), Json.str(event, "reportingInstance"));
    return instance.isEmpty() ? component : component + ", " + instance;
  }
}
