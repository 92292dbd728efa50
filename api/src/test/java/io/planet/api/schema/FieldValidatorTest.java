package io.planet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.api.FieldError;
import io.planet.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldValidatorTest {
  private final Schema pod = Schemas.forKind("", "v1", "Pod");
  private final Schema deployment = Schemas.forKind("apps", "v1", "Deployment");

  @Test
  void findsUnknownFieldsInNestedObjectsListsAndMaps() {
    var obj = Json.parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","bogus":1,"labels":{"any":"thing"}},
         "spec":{"foo":true,"containers":[{"name":"a","image":"x"},{"name":"b","bogus":{"x":1},
           "resources":{"limits":{"cpu":"1"}},"env":[{"name":"E","valueFrom":{"fieldRef":{"fieldPath":"x","zzz":1}}}]}],
           "nodeSelector":{"k":"v"}}}
        """);
    assertThat(FieldValidator.unknownFields(pod, obj)).containsExactly(
        "metadata.bogus", "spec.foo", "spec.containers[1].bogus", "spec.containers[1].env[0].valueFrom.fieldRef.zzz");
  }

  @Test
  void knownObjectsHaveNoUnknownFields() {
    var obj = Json.parse("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","annotations":{"a":"b"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},"strategy":{"type":"RollingUpdate",
           "rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
           "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"i",
             "ports":[{"containerPort":80}]}]}}},
         "status":{"conditions":[{"type":"Available","status":"True","lastUpdateTime":"2024-01-01T00:00:00Z"}]}}
        """);
    assertThat(FieldValidator.unknownFields(deployment, obj)).isEmpty();
    assertThat(FieldValidator.decodeError(deployment, obj)).isNull();
  }

  @Test
  void anyAndPreservedSubtreesAcceptEverything() {
    Schema cr = Schemas.fromOpenApiV3(Json.parse("""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object"}}},
          "anything":{"x-kubernetes-preserve-unknown-fields":true},
          "m":{"type":"object","additionalProperties":{"type":"object","properties":{"a":{"type":"string"}}}}}}}}
        """));
    var obj = Json.parse("""
        {"apiVersion":"x/v1","kind":"W","metadata":{"name":"w"},"spec":{
          "free":{"x":1,"known":{"nope":1}},"anything":{"y":[1,2]},"m":{"k1":{"a":"s","b":1}},"extra":1},"top":1}
        """);
    assertThat(FieldValidator.unknownFields(cr, obj))
        .containsExactly("spec.free.known.nope", "spec.m.k1.b", "spec.extra", "top");
    var rev = Json.parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"revision\":1,\"data\":{\"whatever\":1}}");
    assertThat(FieldValidator.unknownFields(Schemas.forKind("apps", "v1", "ControllerRevision"), rev)).isEmpty();
  }

  @Test
  void formatsUpstreamMessages() {
    List<String> unknown = List.of("spec.foo", "spec.bar");
    assertThat(FieldValidator.strictUnknownFieldsError(unknown))
        .isEqualTo("strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\"");
    assertThat(FieldValidator.unknownFieldMessages(unknown)).containsExactly("unknown field \"spec.foo\"",
        "unknown field \"spec.bar\"");
  }

  @Test
  void findsDuplicateFields() {
    byte[] body = """
        {"spec":{"replicas":1,"replicas":2,"template":{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}},
         "kind":"Deployment"}
        """.getBytes(StandardCharsets.UTF_8);
    assertThat(FieldValidator.duplicateFields(body)).containsExactly("spec.replicas",
        "spec.template.spec.containers[1].name");
    assertThat(FieldValidator.duplicateFieldMessages(List.of("spec.replicas")))
        .containsExactly("duplicate field \"spec.replicas\"");
  }

  @Test
  void reportsWrongJsonTypesLikeGosDecoder() {
    var obj = Json.parse("{\"kind\":\"Pod\",\"spec\":{\"containers\":\"nope\"}}");
    String err = FieldValidator.decodeError(pod, obj);
    assertThat(err).isEqualTo(
        "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container");
    assertThat(FieldValidator.decodeErrorMessage("Pod", "v1", err)).startsWith(
        "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string");
    assertThat(FieldValidator.decodeError(deployment, Json.parse("{\"spec\":{\"replicas\":\"3\"}}")))
        .isEqualTo("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
    assertThat(FieldValidator.decodeError(deployment, Json.parse("{\"spec\":\"x\"}")))
        .isEqualTo("json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec");
    assertThat(FieldValidator.decodeError(deployment, Json.parse("{\"metadata\":{\"labels\":{\"a\":1}}}")))
        .isEqualTo("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string");
    assertThat(FieldValidator.decodeError(deployment, Json.parse("{\"spec\":{\"replicas\":1.5}}")))
        .contains("cannot unmarshal number 1.5 into");
  }

  @Test
  void customResourceTypeErrorsAreFieldErrors() {
    Schema cr = Schemas.fromOpenApiV3(Json.parse("""
        {"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"},
          "tags":{"type":"array","items":{"type":"string"}}}}}}
        """));
    List<FieldError> errors = FieldValidator.typeErrors(cr,
        Json.parse("{\"spec\":{\"size\":\"big\",\"tags\":[\"a\",1]}}"));
    assertThat(errors).extracting(FieldError::field).containsExactly("spec.size", "spec.tags[1]");
    assertThat(errors.get(0).message())
        .isEqualTo("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");
  }
}
