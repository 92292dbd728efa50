package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Assembles {@code meta.k8s.io/v1 Table} responses, as upstream's endpoint handlers do (asTable). */
public final class Tables {
  public static final String INCLUDE_NONE = "None";
  public static final String INCLUDE_METADATA = "Metadata";
  public static final String INCLUDE_OBJECT = "Object";

  private Tables() {}

  /**
   * A Table of {@code objects}.
   *
   * @param includeObject what each row's {@code object} holds: "None" (no object), "Metadata" (a
   *     PartialObjectMetadata; the default when null or empty) or "Object" (the object itself); 400 otherwise
   * @param withColumnDefinitions false for watch events after the first, which upstream sends without
   *     column definitions ({@code columnDefinitions: null})
   * @param resourceVersion the list's (or single object's) resourceVersion; omitted when null or empty
   * @param continueToken the list's continue token; omitted when null or empty
   * @param remainingItemCount omitted when null
   */
  public static ObjectNode table(TablePrinter p, List<ObjectNode> objects, String includeObject,
      boolean withColumnDefinitions, String resourceVersion, String continueToken, Long remainingItemCount,
      Instant now) {
    String include = includeObject == null || includeObject.isEmpty() ? INCLUDE_METADATA : includeObject;
    if (!include.equals(INCLUDE_NONE) && !include.equals(INCLUDE_METADATA) && !include.equals(INCLUDE_OBJECT)) {
      throw ApiException.badRequest("unrecognized includeObject value: \"" + includeObject + "\"");
    }
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (resourceVersion != null && !resourceVersion.isEmpty()) metadata.put("resourceVersion", resourceVersion);
    if (continueToken != null && !continueToken.isEmpty()) metadata.put("continue", continueToken);
    if (remainingItemCount != null) metadata.put("remainingItemCount", remainingItemCount);
    if (withColumnDefinitions) {
      ArrayNode defs = table.putArray("columnDefinitions");
      p.columnDefinitions().forEach(defs::add);
    } else {
      table.putNull("columnDefinitions");
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode obj : objects) rows.add(row(p, obj, include, now));
    return table;
  }

  private static ObjectNode row(TablePrinter p, ObjectNode obj, String include, Instant now) {
    ObjectNode row = Json.object();
    ArrayNode cells = row.putArray("cells");
    for (Object cell : p.cells(obj, now)) cells.add(cellNode(cell));
    List<ObjectNode> conditions = p.rowConditions(obj);
    if (!conditions.isEmpty()) {
      ArrayNode c = row.putArray("conditions");
      conditions.forEach(c::add);
    }
    switch (include) {
      case INCLUDE_OBJECT -> row.set("object", obj.deepCopy());
      case INCLUDE_METADATA -> row.set("object", partialObjectMetadata(obj));
      default -> { }
    }
    return row;
  }

  /** meta.AsPartialObjectMetadata: the whole metadata, under kind PartialObjectMetadata of meta.k8s.io/v1. */
  public static ObjectNode partialObjectMetadata(ObjectNode obj) {
    ObjectNode partial = Json.object();
    partial.put("kind", "PartialObjectMetadata");
    partial.put("apiVersion", "meta.k8s.io/v1");
    JsonNode m = obj.get("metadata");
    partial.set("metadata", m instanceof ObjectNode om ? om.deepCopy() : Json.object());
    return partial;
  }

  private static JsonNode cellNode(Object cell) {
    if (cell == null) return Json.NODES.nullNode();
    if (cell instanceof String s) return Json.NODES.textNode(s);
    if (cell instanceof Long l) return Json.NODES.numberNode(l);
    if (cell instanceof Integer i) return Json.NODES.numberNode(i.longValue());
    if (cell instanceof Double d) return Json.NODES.numberNode(d);
    if (cell instanceof Boolean b) return Json.NODES.booleanNode(b);
    if (cell instanceof JsonNode n) return n;
    return Json.NODES.textNode(cell.toString());
  }

  /** Upstream's duration.HumanDuration; see {@link Durations#humanDuration}. */
  public static String humanDuration(Duration d) {
    return Durations.humanDuration(d);
  }
}
