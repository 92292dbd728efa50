package io.planet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {

  private static FieldDescriptor field(String apiVersion, String message, String field) {
    Descriptor d = ProtoKinds.find(apiVersion, message);
    assertThat(d).as(message).isNotNull();
    FieldDescriptor f = d.findFieldByName(field);
    assertThat(f).as(message + "." + field).isNotNull();
    return f;
  }

  @Test
  void findsGoInlineEmbeddedStructs() {
    assertThat(JsonFields.isInline(field("v1", "Volume", "volumeSource"))).isTrue();
    assertThat(JsonFields.isInline(field("v1", "Probe", "handler"))).isTrue();
    assertThat(JsonFields.isInline(field("v1", "SecretKeySelector", "localObjectReference"))).isTrue();
    assertThat(JsonFields.isInline(field("v1", "EphemeralContainer", "ephemeralContainerCommon"))).isTrue();
    assertThat(JsonFields.isInline(field("v1", "PersistentVolumeSpec", "persistentVolumeSource"))).isTrue();
    assertThat(JsonFields.isInline(field("networking.k8s.io/v1", "IngressRule", "ingressRuleValue"))).isTrue();
    assertThat(JsonFields.isInline(
        field("admissionregistration.k8s.io/v1", "NamedRuleWithOperations", "ruleWithOperations"))).isTrue();
  }

  @Test
  void leavesOrdinaryObjectFieldsAlone() {
    assertThat(JsonFields.isInline(field("v1", "Container", "securityContext"))).isFalse();
    assertThat(JsonFields.isInline(field("v1", "Pod", "metadata"))).isFalse();
    assertThat(JsonFields.isInline(field("apps/v1", "DeploymentSpec", "template"))).isFalse();
    assertThat(JsonFields.isInline(field("meta.k8s.io/v1", "DeleteOptions", "preconditions"))).isFalse();
  }

  @Test
  void usesTheJsonSpellingWhereProtoNamesDiffer() {
    assertThat(JsonFields.jsonName(field("authentication.k8s.io/v1", "BoundObjectReference", "uID")))
        .isEqualTo("uid");
    assertThat(JsonFields.jsonName(
        field("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "Webhooks")))
        .isEqualTo("webhooks");
    assertThat(JsonFields.jsonName(field("networking.k8s.io/v1", "IngressClassParametersReference", "aPIGroup")))
        .isEqualTo("apiGroup");
    assertThat(JsonFields.jsonName(field("apiextensions.k8s.io/v1", "JSONSchemaProps", "xKubernetesListMapKeys")))
        .isEqualTo("x-kubernetes-list-map-keys");
    assertThat(JsonFields.jsonName(field("apiextensions.k8s.io/v1", "JSONSchemaProps", "schema")))
        .isEqualTo("$schema");
    assertThat(JsonFields.jsonName(field("v1", "Container", "imagePullPolicy"))).isEqualTo("imagePullPolicy");
  }
}
