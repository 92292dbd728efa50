package io.planet.api.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldSetTest {

  private static JsonNode json(String s) {
    return Json.parse(s.replace('\'', '"'));
  }

  @Test
  void parsesAndSerializesFieldsV1InUpstreamOrder() {
    String text = "{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"c1\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}},"
        + "\"f:replicas\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}}}";
    FieldSet s = FieldSet.parse(text);

    assertThat(s.toString()).isEqualTo("{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},"
        + "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"c1\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}},"
        + "\"f:replicas\":{}}}");
    PathElement c1 = PathElement.key(Map.of("name", Json.NODES.textNode("c1")));
    assertThat(s.has(FieldPath.of(PathElement.field("spec"), PathElement.field("containers"), c1))).isTrue();
    assertThat(s.has(FieldPath.fields("metadata", "labels"))).isTrue();
    assertThat(s.has(FieldPath.fields("spec"))).isFalse();
    assertThat(s.has(FieldPath.fields("spec", "replicas"))).isTrue();
  }

  @Test
  void keysSortTheirFieldsAndPrintAsUpstreamPaths() {
    PathElement port = PathElement.key(Map.of("protocol", Json.NODES.textNode("TCP"), "containerPort", Json.NODES.numberNode(80)));
    assertThat(port.toFieldsV1()).isEqualTo("k:{\"containerPort\":80,\"protocol\":\"TCP\"}");
    assertThat(port.toString()).isEqualTo("[containerPort=80,protocol=\"TCP\"]");
    assertThat(PathElement.parseFieldsV1(port.toFieldsV1())).isEqualTo(port);
    assertThat(PathElement.value(Json.NODES.textNode("a")).toFieldsV1()).isEqualTo("v:\"a\"");
    assertThat(PathElement.parseFieldsV1("i:3")).isEqualTo(PathElement.index(3));
    assertThat(PathElement.parseFieldsV1("z:unknown")).isNull();
    assertThatThrownBy(() -> PathElement.parseFieldsV1("nonsense")).isInstanceOf(IllegalArgumentException.class);
    assertThat(FieldPath.of(PathElement.field("spec"), PathElement.field("containers"),
        PathElement.key(Map.of("name", Json.NODES.textNode("c1"))), PathElement.field("image")).toString())
        .isEqualTo(".spec.containers[name=\"c1\"].image");
  }

  @Test
  void fieldsSortBeforeKeysAndValues() {
    FieldSet s = new FieldSet();
    s.insert(FieldPath.of(PathElement.value(Json.NODES.textNode("b"))));
    s.insert(FieldPath.of(PathElement.value(Json.NODES.textNode("a"))));
    s.insert(FieldPath.of(PathElement.key(Map.of("name", Json.NODES.textNode("x")))));
    s.insert(FieldPath.fields("z"));
    assertThat(s.toString()).isEqualTo("{\"f:z\":{},\"k:{\\\"name\\\":\\\"x\\\"}\":{},\"v:\\\"a\\\"\":{},\"v:\\\"b\\\"\":{}}");
  }

  @Test
  void setAlgebra() {
    FieldSet a = FieldSet.of(FieldPath.fields("spec", "replicas"), FieldPath.fields("spec", "paused"), FieldPath.fields("metadata", "labels", "x"));
    FieldSet b = FieldSet.of(FieldPath.fields("spec", "replicas"), FieldPath.fields("spec"));

    // Members of a level come before deeper paths, as upstream's Set.Iterate.
    assertThat(a.union(b).paths()).extracting(FieldPath::toString)
        .containsExactly(".spec", ".metadata.labels.x", ".spec.paused", ".spec.replicas");
    assertThat(a.intersection(b).paths()).extracting(FieldPath::toString).containsExactly(".spec.replicas");
    assertThat(a.difference(b).paths()).extracting(FieldPath::toString).containsExactly(".metadata.labels.x", ".spec.paused");
    // A member of the other set removes everything below it only in the recursive difference.
    assertThat(a.recursiveDifference(b).paths()).extracting(FieldPath::toString).containsExactly(".metadata.labels.x");
    assertThat(a.difference(a).isEmpty()).isTrue();
    assertThat(FieldSet.parse(a.toString())).isEqualTo(a);
  }

  @Test
  void fieldsOfAnObjectFollowTheSchema() {
    JsonNode d = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','labels':{'app':'x'}},"
        + "'spec':{'replicas':2,'selector':{'matchLabels':{'app':'x'}},'template':{'metadata':{'labels':{'app':'x'}},"
        + "'spec':{'containers':[{'name':'c1','image':'nginx','args':['a','b'],"
        + "'ports':[{'containerPort':80}],'resources':{}}]}}}}");
    FieldSet s = FieldSet.fromObject(d, MiniSchemas.deployment());
    assertThat(s.toJson()).isEqualTo(json("{'f:apiVersion':{},'f:kind':{},'f:metadata':{'f:labels':{'f:app':{}},'f:name':{}},"
        + "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},"
        + "'f:spec':{'f:containers':{'k:{\\'name\\':\\'c1\\'}':{'.':{},'f:args':{},'f:image':{},'f:name':{},"
        + "'f:ports':{'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{}}},"
        + "'f:resources':{}}}}}}}")); 
  }

  @Test
  void unknownFieldsAreDeducedMapsGranularListsAtomic() {
    JsonNode o = json("{'spec':{'a':{'b':1},'list':[1,2]}}");
    FieldSet s = FieldSet.fromObject(o, null);
    assertThat(s.toJson()).isEqualTo(json("{'f:spec':{'.':{},'f:a':{'.':{},'f:b':{}},'f:list':{}}}"));
  }

  @Test
  void setsAreKeyedByValue() {
    JsonNode o = json("{'metadata':{'finalizers':['b','a']}}");
    FieldSet s = FieldSet.fromObject(o, MiniSchemas.deployment());
    assertThat(s.toString()).isEqualTo("{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a\\\"\":{},\"v:\\\"b\\\"\":{}}}}");
  }
}
