package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterRoleAggregationControllerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("clusterrole-aggregation");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static List<PolicyRule> rules(String role) {
    ClusterRole r = cluster.client.rbac().clusterRoles().withName(role).get();
    return r == null || r.getRules() == null ? List.of() : r.getRules();
  }

  private static boolean grants(String role, String group, String resource, String verb) {
    return rules(role).stream().anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource)
        && r.getVerbs().contains(verb));
  }

  @Test
  void bootstrapAggregatesAreFilledAndFollowChanges() {
    // view ⊂ edit ⊂ admin, through the aggregate-to-* labels of the bootstrap policy
    await().atMost(Duration.ofSeconds(20)).until(() -> grants("view", "", "pods", "list")
        && grants("edit", "", "pods", "create") && grants("edit", "", "pods", "list")
        && grants("admin", "rbac.authorization.k8s.io", "rolebindings", "create") && grants("admin", "", "pods", "list"));
    assertThat(grants("view", "", "pods", "create")).isFalse();
    assertThat(grants("view", "", "secrets", "get")).isFalse();

    cluster.client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("widgets-view")
        .addToLabels("rbac.authorization.k8s.io/aggregate-to-view", "true").endMetadata()
        .addNewRule().withApiGroups("example.io").withResources("widgets").withVerbs("get", "list").endRule().build()).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> grants("view", "example.io", "widgets", "get")
        && grants("edit", "example.io", "widgets", "get") && grants("admin", "example.io", "widgets", "get"));

    cluster.client.rbac().clusterRoles().withName("widgets-view").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> !grants("view", "example.io", "widgets", "get")
        && !grants("admin", "example.io", "widgets", "get"));
  }
}
