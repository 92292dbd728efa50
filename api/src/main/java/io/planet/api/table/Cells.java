package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.selector.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Cell formatting shared by the printers, after upstream's printers.go helpers. */
final class Cells {
  static final String NONE = "<none>";
  static final String UNSET = "<unset>";
  static final String UNKNOWN = "<unknown>";

  private Cells() {}

  static String name(JsonNode obj) {
    return Meta.name(obj);
  }

  static Instant creationTimestamp(JsonNode obj) {
    return time(Json.at(obj, "metadata", "creationTimestamp"));
  }

  /** A metav1.Time or MicroTime field; null when absent or unparsable (upstream's zero time). */
  static Instant time(JsonNode node) {
    if (node == null || !node.isTextual()) return null;
    return Meta.parseTime(node.asText());
  }

  /** Upstream's translateTimestampSince: "&lt;unknown&gt;" for a zero time. */
  static String age(Instant t, Instant now) {
    return t == null ? UNKNOWN : Durations.humanDuration(Duration.between(t, now));
  }

  /** A string at a path of object fields; "" when absent. */
  static String str(JsonNode obj, String... path) {
    JsonNode v = Json.at(obj, path);
    return v == null || v.isContainerNode() ? "" : v.asText();
  }

  /** An integer at a path; {@code dflt} when absent. */
  static long num(JsonNode obj, long dflt, String... path) {
    JsonNode v = Json.at(obj, path);
    return v == null || !v.isNumber() ? dflt : v.asLong();
  }

  static long num(JsonNode obj, String... path) {
    return num(obj, 0, path);
  }

  /** The array at a path, or an empty list. */
  static List<JsonNode> list(JsonNode obj, String... path) {
    JsonNode v = Json.at(obj, path);
    List<JsonNode> out = new ArrayList<>();
    if (v != null && v.isArray()) v.forEach(out::add);
    return out;
  }

  static int size(JsonNode obj, String... path) {
    JsonNode v = Json.at(obj, path);
    return v == null || !v.isContainerNode() ? 0 : v.size();
  }

  static String orElse(String s, String dflt) {
    return s == null || s.isEmpty() ? dflt : s;
  }

  /** labels.FormatLabels: "k=v,k2=v2" sorted by key, "&lt;none&gt;" when empty. */
  static String formatLabels(JsonNode map) {
    Map<String, String> sorted = new TreeMap<>(Meta.stringMap(map));
    if (sorted.isEmpty()) return NONE;
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /** metav1.FormatLabelSelector: "&lt;none&gt;" for a nil or empty selector, "&lt;error&gt;" when invalid. */
  static String formatLabelSelector(JsonNode selector) {
    if (selector == null || selector.isNull()) return NONE;
    String s = selectorString(selector);
    if (s == null) return "<error>";
    return s.isEmpty() ? NONE : s;
  }

  /** LabelSelectorAsSelector(..).String(); null when the selector is invalid. */
  static String selectorString(JsonNode selector) {
    try {
      return LabelSelector.fromJson(selector).toString();
    } catch (ApiException e) {
      return null;
    }
  }

  /** layoutContainerCells: container names and images, comma-separated. */
  static String containerNames(JsonNode podSpec) {
    List<String> names = new ArrayList<>();
    for (JsonNode c : list(podSpec, "containers")) names.add(Json.str(c, "name"));
    return String.join(",", names);
  }

  static String containerImages(JsonNode podSpec) {
    List<String> images = new ArrayList<>();
    for (JsonNode c : list(podSpec, "containers")) images.add(Json.str(c, "image"));
    return String.join(",", images);
  }

  /** An IntOrString as its String(). */
  static String intOrString(JsonNode v) {
    return v == null || v.isNull() ? "" : v.asText();
  }

  /** printBoolPtr: "True", "False" or "&lt;unset&gt;". */
  static String boolPtr(JsonNode v) {
    if (v == null || v.isNull() || !v.isBoolean()) return UNSET;
    return v.asBoolean() ? "True" : "False";
  }

  /** helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that order, duplicates removed. */
  static String accessModes(JsonNode modes) {
    List<String> present = new ArrayList<>();
    if (modes != null && modes.isArray()) modes.forEach(m -> present.add(m.asText()));
    List<String> out = new ArrayList<>();
    if (present.contains("ReadWriteOnce")) out.add("RWO");
    if (present.contains("ReadOnlyMany")) out.add("ROX");
    if (present.contains("ReadWriteMany")) out.add("RWX");
    if (present.contains("ReadWriteOncePod")) out.add("RWOP");
    return String.join(",", out);
  }

  /** Joins up to {@code max} items and appends " + N more..." (listWithMoreString); "&lt;unset&gt;" if empty. */
  static String listWithMore(List<String> items, int max) {
    if (items.size() > max) {
      return String.join(",", items.subList(0, max)) + " + " + (items.size() - max) + " more...";
    }
    String ret = String.join(",", items);
    return ret.isEmpty() ? UNSET : ret;
  }

  /** A condition's status by type in {@code status.conditions}; null when absent. */
  static String conditionStatus(JsonNode obj, String type) {
    for (JsonNode c : list(obj, "status", "conditions")) {
      if (type.equals(Json.str(c, "type"))) return Json.str(c, "status");
    }
    return null;
  }

  static boolean conditionTrue(JsonNode obj, String type) {
    return "True".equals(conditionStatus(obj, type));
  }
}
