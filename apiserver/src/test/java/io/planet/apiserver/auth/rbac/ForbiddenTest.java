package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.api.ApiException;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.UserInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForbiddenTest {
  private static final UserInfo BOB = UserInfo.of("bob", List.of());

  @Test
  void namespacedResource() {
    ApiException e = Forbidden.exception(AuthorizationAttributes.resource(BOB, "list", "", "v1", "pods", "", "prod", ""), "");
    assertThat(e.code()).isEqualTo(403);
    assertThat(e.reason()).isEqualTo("Forbidden");
    assertThat(e.getMessage()).isEqualTo(
        "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"");
    assertThat(e.details().toString()).isEqualTo("{\"kind\":\"pods\"}");
  }

  @Test
  void namedObjectWithGroupAndSubresource() {
    ApiException e = Forbidden.exception(AuthorizationAttributes.resource(BOB, "update", "apps", "v1", "deployments",
        "scale", "dev", "web"), "");
    assertThat(e.getMessage()).isEqualTo("deployments.apps \"web\" is forbidden: User \"bob\" cannot update resource "
        + "\"deployments/scale\" in API group \"apps\" in the namespace \"dev\"");
    assertThat(e.details().toString()).isEqualTo("{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"deployments\"}");
  }

  @Test
  void clusterScopeAndReason() {
    ApiException e = Forbidden.exception(AuthorizationAttributes.resource(BOB, "get", "", "v1", "nodes", "", "", "n1"),
        "RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found");
    assertThat(e.getMessage()).isEqualTo("nodes \"n1\" is forbidden: User \"bob\" cannot get resource \"nodes\" in API "
        + "group \"\" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found");
  }

  @Test
  void nonResourcePath() {
    ApiException e = Forbidden.exception(AuthorizationAttributes.nonResource(UserInfo.anonymous(), "get", "/metrics"), "");
    assertThat(e.getMessage()).isEqualTo("forbidden: User \"system:anonymous\" cannot get path \"/metrics\"");
    assertThat(e.toStatus().has("details")).isFalse();
  }
}
