package io.planet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProtoKindsTest {

  @Test
  void mapsApiVersionsToProtoPackages() {
    assertThat(ProtoKinds.find("v1", "Pod").getFullName()).isEqualTo("k8s.io.api.core.v1.Pod");
    assertThat(ProtoKinds.find("apps/v1", "Deployment").getFullName()).isEqualTo("k8s.io.api.apps.v1.Deployment");
    assertThat(ProtoKinds.find("rbac.authorization.k8s.io/v1", "ClusterRoleBinding").getFullName())
        .isEqualTo("k8s.io.api.rbac.v1.ClusterRoleBinding");
    assertThat(ProtoKinds.find("flowcontrol.apiserver.k8s.io/v1", "FlowSchema").getFullName())
        .isEqualTo("k8s.io.api.flowcontrol.v1.FlowSchema");
    assertThat(ProtoKinds.find("coordination.k8s.io/v1", "Lease").getFullName())
        .isEqualTo("k8s.io.api.coordination.v1.Lease");
    assertThat(ProtoKinds.find("autoscaling/v2", "HorizontalPodAutoscaler").getFullName())
        .isEqualTo("k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler");
    assertThat(ProtoKinds.find("apiextensions.k8s.io/v1", "CustomResourceDefinition").getFullName())
        .isEqualTo("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
    assertThat(ProtoKinds.find("internal.apiserver.k8s.io/v1alpha1", "StorageVersion")).isNotNull();
  }

  @Test
  void findsMetaOptionsInEveryGroupVersion() {
    assertThat(ProtoKinds.find("policy/v1", "DeleteOptions").getFullName())
        .isEqualTo("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    assertThat(ProtoKinds.find("v1", "CreateOptions")).isNotNull();
  }

  @Test
  void knowsNothingOutsideTheBuiltInGroups() {
    assertThat(ProtoKinds.find("v1", "Deployment")).isNull();
    assertThat(ProtoKinds.find("example.com/v1", "Widget")).isNull();
    assertThat(ProtoKinds.size()).isGreaterThan(500);
  }
}
