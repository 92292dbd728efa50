package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Custom resources: the CRD version's {@code additionalPrinterColumns} after a Name column (apiextensions'
 * tableconvertor); a version without columns gets the default "Age" column.
 */
final class CustomResourcePrinter implements TablePrinter {
  private record PrinterColumn(String type, JsonPath path) {}

  private final List<ObjectNode> definitions = new ArrayList<>();
  private final List<PrinterColumn> columns = new ArrayList<>();

  private CustomResourcePrinter() {}

  /** The printer for {@code version} of {@code crd}; columns with an unparsable JSONPath print null cells. */
  static TablePrinter forVersion(ObjectNode crd, String version) {
    CustomResourcePrinter p = new CustomResourcePrinter();
    p.definitions.add(new Column("Name", "string", "name", SwaggerDocs.meta("name"), 0, null).definition());
    List<JsonNode> specs = new ArrayList<>();
    for (JsonNode v : Cells.list(crd, "spec", "versions")) {
      if (version.equals(Json.str(v, "name"))) v.path("additionalPrinterColumns").forEach(specs::add);
    }
    if (specs.isEmpty()) {
      ObjectNode age = Json.object();
      age.put("name", "Age");
      age.put("type", "date");
      age.put("description", SwaggerDocs.meta("creationTimestamp"));
      age.put("jsonPath", ".metadata.creationTimestamp");
      specs.add(age);
    }
    for (JsonNode col : specs) {
      String jsonPath = Json.str(col, "jsonPath");
      String description = Json.str(col, "description");
      if (description.isEmpty()) {
        description = "Custom resource definition column (in JSONPath format): " + jsonPath;
      }
      String type = Json.str(col, "type");
      p.definitions.add(new Column(Json.str(col, "name"), type, Json.str(col, "format"), description,
          col.path("priority").asInt(0), null).definition());
      JsonPath path;
      try {
        path = JsonPath.parse(jsonPath);
      } catch (IllegalArgumentException e) {
        path = null;
      }
      p.columns.add(new PrinterColumn(type, path));
    }
    return p;
  }

  @Override
  public List<ObjectNode> columnDefinitions() {
    return definitions.stream().map(ObjectNode::deepCopy).toList();
  }

  @Override
  public List<Object> cells(ObjectNode obj, Instant now) {
    List<Object> cells = new ArrayList<>();
    cells.add(Meta.name(obj));
    for (PrinterColumn c : columns) {
      JsonNode value = c.path == null ? null : c.path.first(obj);
      cells.add(value == null ? null : cell(c.type, value, now));
    }
    return cells;
  }

  /** cellForJSONValue; "string" columns print any value as Go's fmt would. */
  static Object cell(String type, JsonNode value, Instant now) {
    if (value.isNull()) return type.equals("string") ? "<nil>" : null;
    switch (type) {
      case "string":
        return goText(value);
      case "integer":
        if (value.isIntegralNumber()) return value.asLong();
        if (value.isNumber()) return (long) value.asDouble();
        return null;
      case "number":
        return value.isNumber() ? value.asDouble() : null;
      case "boolean":
        return value.isBoolean() ? value.asBoolean() : null;
      case "date":
        if (!value.isTextual()) return null;
        if (value.asText().isEmpty()) return Cells.UNKNOWN;
        Instant t = Meta.parseTime(value.asText());
        return t == null ? "<invalid>" : Cells.age(t, now);
      default:
        return null;
    }
  }

  /** fmt.Fprint of a decoded JSON value: maps as map[k:v], arrays as [a b]. */
  static String goText(JsonNode v) {
    if (v.isTextual()) return v.asText();
    if (v.isNull()) return "<nil>";
    if (v.isNumber()) {
      if (v.isIntegralNumber()) return v.asText();
      return new BigDecimal(v.asText()).stripTrailingZeros().toPlainString();
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(goText(e)));
      return "[" + String.join(" ", parts) + "]";
    }
    if (v.isObject()) {
      Map<String, String> sorted = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = v.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        sorted.put(e.getKey(), goText(e.getValue()));
      }
      List<String> parts = new ArrayList<>();
      sorted.forEach((k, val) -> parts.add(k + ":" + val));
      return "map[" + String.join(" ", parts) + "]";
    }
    return v.asText();
  }
}
