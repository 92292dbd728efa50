package io.planet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemasTest {

  @Test
  void podHasUpstreamNamesPropertiesAndMergeKeys() {
    Schema pod = Schemas.forKind("", "v1", "Pod");
    assertThat(pod.name()).isEqualTo("io.k8s.api.core.v1.Pod");
    assertThat(pod.properties()).containsKeys("apiVersion", "kind", "metadata", "spec", "status");
    assertThat(pod.property("metadata").name()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(pod.property("metadata").description()).startsWith("Standard object's metadata");

    Schema spec = pod.property("spec");
    Schema containers = spec.property("containers");
    assertThat(containers.type()).isEqualTo(Schema.Type.ARRAY);
    assertThat(containers.patchMergeKey()).isEqualTo("name");
    assertThat(containers.patchStrategy()).isEqualTo("merge");
    assertThat(containers.listType()).isEqualTo("map");
    assertThat(containers.listMapKeys()).containsExactly("name");
    assertThat(spec.property("volumes").patchStrategy()).isEqualTo("merge,retainKeys");
    assertThat(spec.property("tolerations").patchMergeKey()).isNull();
    assertThat(spec.property("nodeSelector").type()).isEqualTo(Schema.Type.MAP);
    assertThat(spec.property("nodeSelector").mapType()).isEqualTo("atomic");

    Schema container = containers.items();
    assertThat(container.name()).isEqualTo("io.k8s.api.core.v1.Container");
    assertThat(container.required()).containsExactly("name");
    assertThat(container.property("image").type()).isEqualTo(Schema.Type.STRING);
    assertThat(container.property("image").description()).isNotEmpty();
    assertThat(container.property("ports").patchMergeKey()).isEqualTo("containerPort");
    assertThat(container.property("ports").listMapKeys()).containsExactly("containerPort", "protocol");
    assertThat(container.property("env").patchMergeKey()).isEqualTo("name");
    assertThat(container.property("volumeMounts").patchMergeKey()).isEqualTo("mountPath");
    assertThat(container.property("resources").property("limits").additionalProperties().type())
        .isEqualTo(Schema.Type.QUANTITY);
    assertThat(container.property("ports").items().property("containerPort").format()).isEqualTo("int32");
    assertThat(container.property("livenessProbe").property("httpGet").property("port").type())
        .isEqualTo(Schema.Type.INT_OR_STRING);

    Schema meta = pod.property("metadata");
    assertThat(meta.property("finalizers").listType()).isEqualTo("set");
    assertThat(meta.property("ownerReferences").patchMergeKey()).isEqualTo("uid");
    assertThat(meta.property("creationTimestamp").type()).isEqualTo(Schema.Type.TIME);
    assertThat(meta.property("labels").additionalProperties().type()).isEqualTo(Schema.Type.STRING);
    assertThat(pod.property("status").property("conditions").patchMergeKey()).isEqualTo("type");
  }

  @Test
  void deploymentAndOtherGroups() {
    Schema d = Schemas.forKind("apps", "v1", "Deployment");
    assertThat(d.name()).isEqualTo("io.k8s.api.apps.v1.Deployment");
    Schema spec = d.property("spec");
    assertThat(spec.property("strategy").patchStrategy()).isEqualTo("retainKeys");
    assertThat(spec.property("selector").name()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector");
    assertThat(spec.property("selector").mapType()).isEqualTo("atomic");
    assertThat(spec.property("template").name()).isEqualTo("io.k8s.api.core.v1.PodTemplateSpec");
    assertThat(spec.property("template").property("spec").property("containers").patchMergeKey()).isEqualTo("name");
    assertThat(d.property("status").property("conditions").listMapKeys()).containsExactly("type");

    assertThat(Schemas.forKind("autoscaling", "v2", "HorizontalPodAutoscaler").name())
        .isEqualTo("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler");
    assertThat(Schemas.forKind("autoscaling", "v1", "HorizontalPodAutoscaler").name())
        .isEqualTo("io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler");
    assertThat(Schemas.forKind("", "v1", "Event").name()).isEqualTo("io.k8s.api.core.v1.Event");
    assertThat(Schemas.forKind("events.k8s.io", "v1", "Event").name()).isEqualTo("io.k8s.api.events.v1.Event");
    assertThat(Schemas.forKind("events.k8s.io", "v1", "Event").property("eventTime").type())
        .isEqualTo(Schema.Type.MICRO_TIME);
    assertThat(Schemas.forKind("rbac.authorization.k8s.io", "v1", "RoleBinding").property("subjects").items().name())
        .isEqualTo("io.k8s.api.rbac.v1.Subject");
    assertThat(Schemas.forKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition").name())
        .isEqualTo("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
    assertThat(Schemas.forKind("autoscaling", "v1", "Scale").name()).isEqualTo("io.k8s.api.autoscaling.v1.Scale");
    assertThat(Schemas.forKind("policy", "v1", "Eviction").name()).isEqualTo("io.k8s.api.policy.v1.Eviction");
    assertThat(Schemas.forKind("", "v1", "Status").name()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    assertThat(Schemas.forKind("", "v1", "DeleteOptions").name())
        .isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    assertThat(Schemas.forKind("apps", "v1", "Pod")).isNull();
    assertThat(Schemas.forKind("", "v1", "NoSuchKind")).isNull();
  }

  @Test
  void leaseTimesAreMicroTimeAndRawExtensionIsAny() {
    Schema spec = Schemas.forKind("coordination.k8s.io", "v1", "Lease").property("spec");
    assertThat(spec.property("acquireTime").type()).isEqualTo(Schema.Type.MICRO_TIME);
    assertThat(spec.property("renewTime").name()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
    Schema data = Schemas.forKind("apps", "v1", "ControllerRevision").property("data");
    assertThat(data.type()).isEqualTo(Schema.Type.ANY);
    assertThat(data.name()).isEqualTo("io.k8s.apimachinery.pkg.runtime.RawExtension");
  }

  @Test
  void recursiveJsonSchemaPropsResolveLazily() {
    Schema crd = Schemas.forKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
    Schema props = crd.property("spec").property("versions").items().property("schema").property("openAPIV3Schema");
    assertThat(props.name()).endsWith("JSONSchemaProps");
    assertThat(props.property("properties").additionalProperties().property("properties")).isNotNull();
    assertThat(props.property("x-kubernetes-preserve-unknown-fields").type()).isEqualTo(Schema.Type.BOOLEAN);
    assertThat(props.property("default").type()).isEqualTo(Schema.Type.ANY);
  }

  @Test
  void convertsCrdOpenApiV3Schema() {
    Schema s = Schemas.fromOpenApiV3(Json.parse("""
        {"type":"object","properties":{
          "spec":{"type":"object","required":["replicas"],"properties":{
            "replicas":{"type":"integer","format":"int32"},
            "port":{"x-kubernetes-int-or-string":true},
            "labels":{"type":"object","additionalProperties":{"type":"string"}},
            "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
              "items":{"type":"object","properties":{"name":{"type":"string"}}}},
            "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,
              "properties":{"spec":{"type":"object"}}},
            "mode":{"type":"string","enum":["A","B"]}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
        """));
    assertThat(s.type()).isEqualTo(Schema.Type.OBJECT);
    assertThat(s.properties()).containsKeys("apiVersion", "kind", "metadata", "spec", "status");
    assertThat(s.property("metadata").name()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    Schema spec = s.property("spec");
    assertThat(spec.required()).containsExactly("replicas");
    assertThat(spec.property("replicas").type()).isEqualTo(Schema.Type.INTEGER);
    assertThat(spec.property("port").type()).isEqualTo(Schema.Type.INT_OR_STRING);
    assertThat(spec.property("labels").type()).isEqualTo(Schema.Type.MAP);
    assertThat(spec.property("items").listType()).isEqualTo("map");
    assertThat(spec.property("items").listMapKeys()).containsExactly("name");
    assertThat(spec.property("items").items().property("name").type()).isEqualTo(Schema.Type.STRING);
    assertThat(spec.property("free").preserveUnknownFields()).isTrue();
    assertThat(spec.property("template").properties()).containsKeys("apiVersion", "kind", "metadata", "spec");
    assertThat(spec.property("mode").enumValues()).isEqualTo(List.of("A", "B"));
  }

  @Test
  void crdWithoutSchemaPreservesEverything() {
    Schema s = Schemas.fromOpenApiV3(null);
    assertThat(s.preserveUnknownFields()).isTrue();
    assertThat(s.properties()).containsKeys("apiVersion", "kind", "metadata");
  }

  @Test
  void customResourceSchemaFromCrdObject() {
    var crd = Json.parse("""
        {"metadata":{"name":"widgets.example.com","uid":"u1","resourceVersion":"5"},
         "spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object",
           "properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}}}}]}}
        """);
    Schema s = Schemas.forCustomResource(crd, "v1");
    assertThat(s.property("spec").property("size").type()).isEqualTo(Schema.Type.INTEGER);
    assertThat(Schemas.forCustomResource(crd, "v1")).isSameAs(s);
    assertThat(Schemas.forCustomResource(crd, "v2")).isNull();
  }
}
