package io.planet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class StructuralSchemaTest {
  private static final StructuralSchema WIDGET = StructuralSchema.compile(Json.parse("""
      {"type":"object","properties":{
        "spec":{"type":"object","required":["name"],"properties":{
          "name":{"type":"string","minLength":3,"maxLength":8,"pattern":"^[a-z]+$"},
          "replicas":{"type":"integer","minimum":1,"maximum":10,"default":1},
          "color":{"type":"string","enum":["red","blue"],"default":"red"},
          "ratio":{"type":"number","exclusiveMaximum":true,"maximum":1.5},
          "when":{"type":"string","format":"date-time"},
          "port":{"x-kubernetes-int-or-string":true},
          "note":{"type":"string","nullable":true},
          "size":{"type":"integer","default":5},
          "tags":{"type":"array","items":{"type":"string"},"maxItems":3,"minItems":1,"x-kubernetes-list-type":"set"},
          "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
            "items":{"type":"object","properties":{"name":{"type":"string"},"protocol":{"type":"string","default":"TCP"}}}},
          "labels":{"type":"object","maxProperties":2,"additionalProperties":{"type":"object",
            "properties":{"v":{"type":"string","default":"x"}}}},
          "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object"}}},
          "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}},
          "either":{"type":"string","anyOf":[{"pattern":"^a"},{"pattern":"^b"}]}}},
        "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
      """));

  private static ObjectNode obj(String spec) {
    return (ObjectNode) Json.parse("{\"apiVersion\":\"x.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"spec\":" + spec + "}");
  }

  private static List<String> messages(ObjectNode o) {
    return SchemaValidation.validate(WIDGET, o, null).stream().map(FieldError::message).toList();
  }

  @Test
  void prunesUnknownFieldsAndReportsTheirPaths() {
    ObjectNode o = (ObjectNode) Json.parse("""
        {"apiVersion":"x.io/v1","kind":"Widget","metadata":{"name":"w","bogus":1,"labels":{"a":"b"}},"top":1,
         "spec":{"name":"abc","extra":{"x":1},"ports":[{"name":"p","zzz":1}],"labels":{"k":{"v":"s","w":2}},
           "free":{"any":1,"known":{"nope":1}},
           "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t","junk":1},"spec":{"a":1},"other":1}},
         "status":{"phase":"Ready","gone":true}}
        """);
    List<String> dropped = Pruning.prune(o, WIDGET);
    assertThat(dropped).containsExactly("metadata.bogus", "top", "spec.extra", "spec.ports[0].zzz", "spec.labels.k.w",
        "spec.free.known.nope", "spec.template.metadata.junk", "spec.template.spec.a", "spec.template.other", "status.gone");
    assertThat(o.toString()).isEqualTo(Json.parse("""
        {"apiVersion":"x.io/v1","kind":"Widget","metadata":{"name":"w","labels":{"a":"b"}},
         "spec":{"name":"abc","ports":[{"name":"p"}],"labels":{"k":{"v":"s"}},"free":{"any":1,"known":{}},
           "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{}}},
         "status":{"phase":"Ready"}}
        """).toString());
    // pruning and the unknown-field report are one walk: the existing reporter agrees on what is unknown
    ObjectNode again = (ObjectNode) Json.parse("{\"spec\":{\"name\":\"abc\",\"extra\":1},\"top\":1}");
    assertThat(FieldValidator.unknownFields(Schemas.fromOpenApiV3(Json.parse("""
        {"type":"object","properties":{"spec":{"type":"object","properties":{"name":{"type":"string"}}}}}
        """)), again)).containsExactly("spec.extra", "top");
  }

  @Test
  void appliesDefaultsIncludingNestedAndNonNullableNulls() {
    ObjectNode o = obj("""
        {"name":"abc","size":null,"note":null,"ports":[{"name":"a"}],"labels":{"k":{}}}
        """);
    assertThat(Defaulting.needed(o, WIDGET)).isTrue();
    Pruning.prune(o, WIDGET);
    Defaulting.apply(o, WIDGET);
    assertThat(o.path("spec").path("replicas").asInt()).isEqualTo(1);
    assertThat(o.path("spec").path("color").asText()).isEqualTo("red");
    assertThat(o.path("spec").path("size").asInt()).isEqualTo(5);
    assertThat(o.path("spec").get("note").isNull()).as("nullable keeps null").isTrue();
    assertThat(o.path("spec").path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
    assertThat(o.path("spec").path("labels").path("k").path("v").asText()).isEqualTo("x");
    assertThat(Defaulting.needed(o, WIDGET)).isFalse();

    ObjectNode nulls = obj("{\"name\":null}");
    Pruning.prune(nulls, WIDGET);
    assertThat(nulls.path("spec").has("name")).as("non-nullable null without default is dropped").isFalse();
    assertThat(messages(nulls)).containsExactly("spec.name: Required value");
  }

  @Test
  void reportsValueValidationsWithUpstreamMessages() {
    assertThat(messages(obj("""
        {"name":"ab","replicas":20,"color":"pink","ratio":1.5,"when":"yesterday","port":true,
         "tags":["a","b","a","c"],"labels":{"a":{},"b":{},"c":{}},"either":"c"}
        """))).containsExactly(
        "spec.name: Invalid value: \"ab\": spec.name in body should be at least 3 chars long",
        "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
        "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"blue\"",
        "spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5",
        "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
        "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
        "spec.tags: Too many: 4: must have at most 3 items",
        "spec.labels: Too many: 3: must have at most 2 items",
        "<nil>: Invalid value: \"\": \"spec.either\" must validate at least one schema (anyOf)",
        "spec.either: Invalid value: \"c\": spec.either in body should match '^a'",
        "spec.tags[2]: Duplicate value: \"a\"");
    assertThat(messages(obj("{\"name\":\"Abcdefghij\",\"replicas\":\"3\",\"tags\":[]}"))).containsExactly(
        "spec.name: Too long: may not be more than 8 bytes",
        "spec.name: Invalid value: \"Abcdefghij\": spec.name in body should match '^[a-z]+$'",
        "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
        "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items");
    assertThat(messages(obj("{\"ports\":[{\"name\":\"a\"},{\"name\":\"a\",\"protocol\":\"UDP\"}]}"))).containsExactly(
        "spec.name: Required value",
        "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}");
    assertThat(messages(obj("{\"name\":\"abc\",\"replicas\":3,\"port\":8080,\"when\":\"2024-01-02T03:04:05Z\"}"))).isEmpty();
  }

  @Test
  void updatesRatchetUnchangedInvalidValues() {
    ObjectNode old = obj("{\"name\":\"abc\",\"replicas\":20}");
    ObjectNode same = obj("{\"name\":\"abcd\",\"replicas\":20}");
    assertThat(SchemaValidation.validate(WIDGET, same, old)).isEmpty();
    ObjectNode changed = obj("{\"name\":\"abc\",\"replicas\":30}");
    assertThat(SchemaValidation.validate(WIDGET, changed, old)).extracting(FieldError::field).containsExactly("spec.replicas");
  }

  @Test
  void crdSchemasMustBeStructural() {
    String p = "spec.versions[0].schema.openAPIV3Schema";
    assertThat(CrdSchemaValidation.validate(Json.parse("""
        {"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}},
          "additionalProperties":{"type":"string"}},
          "list":{"type":"array"},
          "meta":{"type":"object","x-kubernetes-preserve-unknown-fields":false},
          "metadata":{"type":"object","properties":{"labels":{"type":"object"}}},
          "u":{"type":"string","anyOf":[{"type":"string"}]}}}
        """), p).stream().map(FieldError::message).toList()).containsExactly(
        p + ".properties[list].items: Required value: must be specified",
        p + ".properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
        p + ".properties[spec].type: Required value: must not be empty for specified object fields",
        p + ".properties[u].anyOf[0].type: Forbidden: must be empty to be structural",
        p + ".properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
        p + ".properties[meta].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined");
    assertThat(CrdSchemaValidation.validate(Json.parse("{\"properties\":{}}"), p).stream().map(FieldError::message).toList())
        .containsExactly(p + ".type: Required value: must not be empty at the root");
  }

  @Test
  void crdDefaultsMustBePrunedAndValid() {
    String p = "spec.versions[0].schema.openAPIV3Schema";
    assertThat(CrdSchemaValidation.validate(Json.parse("""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "replicas":{"type":"integer","maximum":10,"default":20},
          "mode":{"type":"string","default":1},
          "obj":{"type":"object","properties":{"a":{"type":"string"}},"default":{"a":"x","b":1}}}}}}
        """), p).stream().map(FieldError::message).toList()).containsExactly(
        p + ".properties[spec].properties[replicas].default: Invalid value: 20:  in body should be less than or equal to 10",
        p + ".properties[spec].properties[mode].default: Invalid value: \"integer\":  in body must be of type string: \"integer\"",
        p + ".properties[spec].properties[obj].default: Invalid value: {\"a\":\"x\",\"b\":1}: must not have unknown fields");
  }
}
