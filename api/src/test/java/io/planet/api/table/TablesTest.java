package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  static ObjectNode obj(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  static final ObjectNode CM = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c1','namespace':'ns',"
      + "'uid':'u1','resourceVersion':'7','creationTimestamp':'2024-05-01T11:00:00Z','labels':{'a':'b'}},"
      + "'data':{'k':'v'}}");

  @Test
  void listTableWithPartialObjectMetadataRows() {
    ObjectNode t = Tables.table(TablePrinters.forKind("", "ConfigMap"), List.of(CM), null, true, "42", "tok", 3L,
        NOW);
    assertThat(t.get("kind").asText()).isEqualTo("Table");
    assertThat(t.get("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(t.get("metadata").toString())
        .isEqualTo("{\"resourceVersion\":\"42\",\"continue\":\"tok\",\"remainingItemCount\":3}");
    assertThat(t.get("columnDefinitions")).hasSize(3);
    JsonNode def = t.get("columnDefinitions").get(0);
    assertThat(def.fieldNames()).toIterable().containsExactly("name", "type", "format", "description", "priority");
    JsonNode row = t.get("rows").get(0);
    assertThat(row.get("cells").toString()).isEqualTo("[\"c1\",1,\"60m\"]");
    assertThat(row.get("object").get("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(row.get("object").get("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(row.get("object").get("metadata")).isEqualTo(CM.get("metadata"));
    assertThat(row.get("object").has("data")).isFalse();
    assertThat(row.has("conditions")).isFalse();
  }

  @Test
  void includeObjectVariants() {
    TablePrinter p = TablePrinters.forKind("", "ConfigMap");
    JsonNode full = Tables.table(p, List.of(CM), "Object", true, null, null, null, NOW).get("rows").get(0);
    assertThat(full.get("object")).isEqualTo(CM);
    assertThat(full.get("object")).isNotSameAs(CM);
    JsonNode none = Tables.table(p, List.of(CM), "None", true, null, null, null, NOW).get("rows").get(0);
    assertThat(none.has("object")).isFalse();
    assertThatThrownBy(() -> Tables.table(p, List.of(CM), "Everything", true, null, null, null, NOW))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void emptyMetadataAndWatchEventsWithoutColumnDefinitions() {
    ObjectNode t = Tables.table(TablePrinters.forKind("", "ConfigMap"), List.of(CM), "Metadata", false, null, "",
        null, NOW);
    assertThat(t.get("metadata").toString()).isEqualTo("{}");
    assertThat(t.get("columnDefinitions").isNull()).isTrue();
    assertThat(t.get("rows")).hasSize(1);
  }

  @Test
  void emptyListHasEmptyRows() {
    ObjectNode t = Tables.table(TablePrinters.forKind("", "Pod"), List.of(), null, true, "5", null, null, NOW);
    assertThat(t.get("rows").isArray()).isTrue();
    assertThat(t.get("rows")).isEmpty();
    assertThat(t.get("columnDefinitions")).hasSize(9);
  }

  @Test
  void completedPodRowsCarryConditions() {
    ObjectNode pod = obj("{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{'phase':'Failed'}}");
    JsonNode row = Tables.table(TablePrinters.forKind("", "Pod"), List.of(pod), "None", true, null, null, null, NOW)
        .get("rows").get(0);
    assertThat(row.get("conditions").get(0).get("reason").asText()).isEqualTo("Failed");
    assertThat(row.get("cells").get(3).asText()).isEqualTo("0");
  }

  @Test
  void nullAndBooleanCells() {
    TablePrinter p = new TablePrinter() {
      @Override
      public List<ObjectNode> columnDefinitions() {
        return List.of();
      }

      @Override
      public List<Object> cells(ObjectNode obj, Instant now) {
        return java.util.Arrays.asList("a", null, true, 4, 2.5);
      }
    };
    JsonNode cells = Tables.table(p, List.of(CM), "None", true, null, null, null, NOW).get("rows").get(0)
        .get("cells");
    assertThat(cells.toString()).isEqualTo("[\"a\",null,true,4,2.5]");
  }
}
