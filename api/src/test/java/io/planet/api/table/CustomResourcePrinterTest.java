package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceType;
import io.planet.api.strategy.Strategies;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CustomResourcePrinterTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  static ObjectNode obj(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  static final ObjectNode CRD = obj("{'spec':{'group':'example.com','names':{'kind':'Widget','plural':'widgets'},"
      + "'versions':[{'name':'v1','additionalPrinterColumns':["
      + "{'name':'Replicas','type':'integer','jsonPath':'.spec.replicas'},"
      + "{'name':'Ready','type':'string','jsonPath':'.status.conditions[?(@.type==\\'Ready\\')].status',"
      + "'description':'Readiness'},"
      + "{'name':'Paused','type':'boolean','jsonPath':'.spec.paused','priority':1},"
      + "{'name':'Tags','type':'string','jsonPath':'.spec.tags'},"
      + "{'name':'Age','type':'date','jsonPath':'.metadata.creationTimestamp'}]},"
      + "{'name':'v2'}]}}");

  static ResourceType widgets(String version) {
    return new ResourceType("example.com", version, "Widget", "widgets", "widget", true, List.of(), List.of(),
        Set.of(), "example.com/widgets", "v1", Strategies.forKind("example.com", "Widget"), CRD);
  }

  @Test
  void additionalPrinterColumnsFollowTheName() {
    TablePrinter p = TablePrinters.forType(widgets("v1"));
    assertThat(p.columnDefinitions()).extracting(c -> c.get("name").asText() + ":" + c.get("type").asText() + ":"
        + c.get("priority").asInt()).containsExactly("Name:string:0", "Replicas:integer:0", "Ready:string:0",
        "Paused:boolean:1", "Tags:string:0", "Age:date:0");
    assertThat(p.columnDefinitions().get(1).get("description").asText())
        .isEqualTo("Custom resource definition column (in JSONPath format): .spec.replicas");
    assertThat(p.columnDefinitions().get(2).get("description").asText()).isEqualTo("Readiness");

    List<Object> c = p.cells(obj("{'metadata':{'name':'w1','creationTimestamp':'2024-05-01T09:00:00Z'},"
        + "'spec':{'replicas':3,'paused':true,'tags':['a','b']},'status':{'conditions':["
        + "{'type':'Synced','status':'True'},{'type':'Ready','status':'False'}]}}"), NOW);
    assertThat(c).containsExactly("w1", 3L, "False", true, "[a b]", "3h");
  }

  @Test
  void missingValuesAreNullCells() {
    List<Object> c = TablePrinters.forType(widgets("v1")).cells(obj("{'metadata':{'name':'w2'}}"), NOW);
    assertThat(c).containsExactly("w2", null, null, null, null, null);
  }

  @Test
  void versionWithoutColumnsGetsAge() {
    TablePrinter p = TablePrinters.forType(widgets("v2"));
    assertThat(p.columnDefinitions()).extracting(c -> c.get("name").asText() + ":" + c.get("type").asText())
        .containsExactly("Name:string", "Age:date");
    assertThat(p.cells(obj("{'metadata':{'name':'w','creationTimestamp':'2024-05-01T11:59:00Z'}}"), NOW))
        .containsExactly("w", "60s");
  }

  @Test
  void cellTypesFollowTheColumnType() {
    assertThat(CustomResourcePrinter.cell("integer", Json.parse("2.7"), NOW)).isEqualTo(2L);
    assertThat(CustomResourcePrinter.cell("integer", Json.parse("\"x\""), NOW)).isNull();
    assertThat(CustomResourcePrinter.cell("number", Json.parse("2.5"), NOW)).isEqualTo(2.5);
    assertThat(CustomResourcePrinter.cell("string", Json.parse("42"), NOW)).isEqualTo("42");
    assertThat(CustomResourcePrinter.cell("string", Json.parse("{\"b\":1,\"a\":\"x\"}"), NOW))
        .isEqualTo("map[a:x b:1]");
    assertThat(CustomResourcePrinter.cell("date", Json.parse("\"bogus\""), NOW)).isEqualTo("<invalid>");
  }

  @Test
  void jsonPathSubset() {
    ObjectNode o = obj("{'metadata':{'labels':{'app.kubernetes.io/name':'w'}},'spec':{'items':[{'n':1},{'n':2}]}}");
    assertThat(JsonPath.parse(".metadata.labels['app.kubernetes.io/name']").first(o).asText()).isEqualTo("w");
    assertThat(JsonPath.parse(".metadata.labels.app\\.kubernetes\\.io/name").first(o).asText()).isEqualTo("w");
    assertThat(JsonPath.parse("{.spec.items[-1].n}").first(o).asInt()).isEqualTo(2);
    assertThat(JsonPath.parse(".spec.items[*].n").find(o)).hasSize(2);
    assertThat(JsonPath.parse(".spec.items[?(@.n>1)].n").first(o).asInt()).isEqualTo(2);
    assertThat(JsonPath.parse(".spec.missing.x").find(o)).isEmpty();
  }
}
