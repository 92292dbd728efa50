package io.planet.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decodes the bytes generically (field numbers of gnostic's OpenAPIv2.proto) to check the message structure. */
class OpenApiV2ProtobufTest {
  private static final String POD_PATH = "/api/v1/namespaces/{namespace}/pods/{name}";

  @Test
  void builtinDocumentCarriesDefinitionsWithRefsAndVendorExtensions() {
    Msg doc = Msg.parse(OpenApiV2Protobuf.documentBytes(ResourceRegistry.builtins()));
    assertThat(doc.string(1)).isEqualTo("2.0");
    assertThat(doc.message(2).string(1)).isEqualTo("Kubernetes");
    assertThat(doc.message(2).string(2)).isEqualTo("unversioned");

    Msg pod = doc.message(9).named(1, "io.k8s.api.core.v1.Pod");
    assertThat(pod.message(22).strings(1)).containsExactly("object");
    Msg spec = pod.message(25).named(1, "spec");
    assertThat(spec.string(1)).isEqualTo("#/definitions/io.k8s.api.core.v1.PodSpec");
    assertThat(spec.has(22)).as("a reference has no type").isFalse();
    JsonNode gvk = yaml(pod.named(31, "x-kubernetes-group-version-kind"));
    assertThat(gvk.get(0).get("kind").asText()).isEqualTo("Pod");
    assertThat(gvk.get(0).get("group").asText()).isEmpty();
    assertThat(gvk.get(0).get("version").asText()).isEqualTo("v1");

    Msg containers = doc.message(9).named(1, "io.k8s.api.core.v1.PodSpec").message(25).named(1, "containers");
    assertThat(containers.message(22).strings(1)).containsExactly("array");
    assertThat(containers.message(23).messages(1)).hasSize(1);
    assertThat(containers.message(23).messages(1).get(0).string(1)).isEqualTo("#/definitions/io.k8s.api.core.v1.Container");
    assertThat(yaml(containers.named(31, "x-kubernetes-patch-merge-key")).asText()).isEqualTo("name");
    assertThat(yaml(containers.named(31, "x-kubernetes-patch-strategy")).asText()).isEqualTo("merge");
    assertThat(yaml(containers.named(31, "x-kubernetes-list-map-keys")).get(0).asText()).isEqualTo("name");
    assertThat(yaml(containers.named(31, "x-kubernetes-list-type")).asText()).isEqualTo("map");
    assertThat(doc.message(9).named(1, "io.k8s.api.core.v1.Container").strings(19)).contains("name");

    Msg labels = doc.message(9).named(1, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").message(25).named(1, "labels");
    assertThat(labels.message(21).message(1).message(22).strings(1)).containsExactly("string");
  }

  @Test
  void patchOperationHasFieldValidationQueryParameterAndGroupVersionKind() {
    Msg doc = Msg.parse(OpenApiV2Protobuf.documentBytes(ResourceRegistry.builtins()));
    Msg patch = doc.message(8).named(2, POD_PATH).message(8);
    assertThat(patch.string(5)).isEqualTo("patchCoreV1NamespacedPod");
    assertThat(patch.strings(7)).contains("application/strategic-merge-patch+json");
    List<String> query = new ArrayList<>();
    String bodyRef = null;
    for (Msg item : patch.messages(8)) {
      Msg parameter = item.message(1);
      if (parameter.has(2)) {
        Msg sub = parameter.message(2).message(3);
        assertThat(sub.string(2)).isEqualTo("query");
        query.add(sub.string(4));
      } else {
        Msg body = parameter.message(1);
        assertThat(body.string(3)).isEqualTo("body");
        assertThat(body.bool(4)).isTrue();
        bodyRef = body.message(5).string(1);
      }
    }
    assertThat(query).contains("fieldValidation", "fieldManager", "dryRun", "force");
    assertThat(bodyRef).isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    assertThat(yaml(patch.named(13, "x-kubernetes-action")).asText()).isEqualTo("patch");
    assertThat(yaml(patch.named(13, "x-kubernetes-group-version-kind")).get("kind").asText()).isEqualTo("Pod");
    Msg ok = patch.message(9).named(1, "200").message(1);
    assertThat(ok.string(1)).isEqualTo("OK");
    assertThat(ok.message(2).message(1).string(1)).isEqualTo("#/definitions/io.k8s.api.core.v1.Pod");
    // Path-level parameters: {name} is a path parameter (NonBodyParameter field 4).
    List<String> pathParams = new ArrayList<>();
    for (Msg item : doc.message(8).named(2, POD_PATH).messages(9)) {
      Msg nonBody = item.message(1).message(2);
      if (nonBody.has(4)) pathParams.add(nonBody.message(4).string(4));
    }
    assertThat(pathParams).contains("name", "namespace");
  }

  @Test
  void shapesOfTheOneofWrappersFollowTheJson() throws Exception {
    JsonNode swagger = Json.MAPPER.readTree("""
        {"swagger":"2.0","x-top":1,
         "definitions":{"T":{
           "type":["string","null"],
           "items":[{"type":"integer"},{"type":"boolean"}],
           "additionalProperties":false,
           "properties":{},
           "enum":["a","true"],
           "maxLength":3,
           "x-kubernetes-int-or-string":true}},
         "securityDefinitions":{"BearerToken":{"type":"apiKey","name":"authorization","in":"header"}},
         "security":[{"BearerToken":[]}],
         "paths":{"x-ext":"v","/p":{"get":{"parameters":[{"$ref":"#/parameters/x"},
           {"in":"header","name":"h","type":"string","required":true}],
           "responses":{"default":{"$ref":"#/responses/r"},"x-r":{"a":"b"}}}}}}
        """);
    Msg doc = Msg.parse(OpenApiV2Protobuf.encode(swagger));
    assertThat(yaml(doc.named(16, "x-top")).asInt()).isEqualTo(1);
    Msg t = doc.message(9).named(1, "T");
    assertThat(t.message(22).strings(1)).containsExactly("string", "null");
    assertThat(t.message(23).messages(1)).hasSize(2);
    Msg additional = t.message(21);
    assertThat(additional.has(2)).as("false is written inside the oneof").isTrue();
    assertThat(additional.bool(2)).isFalse();
    assertThat(t.has(25)).as("empty properties still mark an object kind").isTrue();
    assertThat(t.messages(20)).hasSize(2);
    assertThat(yaml(t.messages(20).get(1)).isTextual()).as("the string \"true\" stays a string").isTrue();
    assertThat(t.fields.getField(11).getVarintList()).containsExactly(3L);
    assertThat(yaml(t.named(31, "x-kubernetes-int-or-string")).asBoolean()).isTrue();

    Msg apiKey = doc.message(13).named(1, "BearerToken").message(2);
    assertThat(apiKey.string(1)).isEqualTo("apiKey");
    assertThat(apiKey.string(3)).isEqualTo("header");
    assertThat(doc.messages(12).get(0).named(1, "BearerToken").has(1)).isFalse();

    Msg paths = doc.message(8);
    assertThat(yaml(paths.named(1, "x-ext")).asText()).isEqualTo("v");
    Msg get = paths.named(2, "/p").message(2);
    assertThat(get.messages(8).get(0).message(2).string(1)).isEqualTo("#/parameters/x");
    Msg header = get.messages(8).get(1).message(1).message(2).message(1);
    assertThat(header.string(4)).isEqualTo("h");
    assertThat(header.bool(1)).isTrue();
    assertThat(get.message(9).named(1, "default").message(2).string(1)).isEqualTo("#/responses/r");
    assertThat(yaml(get.message(9).named(2, "x-r")).get("a").asText()).isEqualTo("b");
  }

  @Test
  void documentBytesAreCachedUntilTheJsonDocumentChanges() {
    ResourceRegistry r = ResourceRegistry.builtins();
    byte[] first = OpenApiV2Protobuf.documentBytes(r);
    assertThat(OpenApiV2Protobuf.documentBytes(r)).isSameAs(first);
    assertThat(OpenApiV2Protobuf.accepts("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).isTrue();
    assertThat(OpenApiV2Protobuf.accepts(OpenApiV2Protobuf.CONTENT_TYPE)).isTrue();
    assertThat(OpenApiV2Protobuf.accepts("application/json")).isFalse();
  }

  /** The YAML of an {@code Any} (field 2), as kube-openapi reads vendor extensions. */
  private static JsonNode yaml(Msg any) {
    try {
      return Json.YAML.readTree(any.string(2));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A message decoded without its schema. */
  private record Msg(UnknownFieldSet fields) {
    static Msg parse(byte[] bytes) {
      try {
        return new Msg(UnknownFieldSet.parseFrom(bytes));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }

    boolean has(int number) {
      return fields.hasField(number);
    }

    String string(int number) {
      List<ByteString> values = fields.getField(number).getLengthDelimitedList();
      return values.isEmpty() ? "" : values.get(0).toStringUtf8();
    }

    List<String> strings(int number) {
      return fields.getField(number).getLengthDelimitedList().stream().map(ByteString::toStringUtf8).toList();
    }

    boolean bool(int number) {
      List<Long> values = fields.getField(number).getVarintList();
      return !values.isEmpty() && values.get(0) != 0;
    }

    Msg message(int number) {
      List<Msg> all = messages(number);
      assertThat(all).as("field %d", number).hasSize(1);
      return all.get(0);
    }

    List<Msg> messages(int number) {
      return fields.getField(number).getLengthDelimitedList().stream().map(b -> parse(b.toByteArray())).toList();
    }

    /** The value (field 2) of the Named* pair called {@code name} in repeated field {@code number}. */
    Msg named(int number, String name) {
      for (Msg pair : messages(number)) {
        if (pair.string(1).equals(name)) return pair.message(2);
      }
      throw new AssertionError("no " + name + " in field " + number);
    }
  }
}
