package io.planet.api.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.time.Instant;

/** One column of a table: its definition and how to compute its cell from an object. */
record Column(String name, String type, String format, String description, int priority, Cell cell) {

  /** Computes one cell; {@code now} is the instant ages are measured against. */
  @FunctionalInterface
  interface Cell {
    Object of(ObjectNode obj, Instant now);
  }

  ObjectNode definition() {
    ObjectNode d = Json.object();
    d.put("name", name);
    d.put("type", type);
    d.put("format", format);
    d.put("description", description);
    d.put("priority", priority);
    return d;
  }
}
