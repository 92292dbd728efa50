package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeIpamControllerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(); // the tests run their own controller managers, to restart them
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ControllerManager manager(Function<KubernetesClient, Controller> ipam) throws Exception {
    return new ControllerManager(TestCluster.client(cluster.server), Map.of("node-ipam-controller", ipam),
        LeaderElection.defaults("ipam-test").withEnabled(false), "127.0.0.1", 0).start();
  }

  private static void createNode(String name) {
    cluster.client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
        .addToLabels("ipam-test", name.substring(0, name.indexOf('-'))).endMetadata().build()).create();
  }

  private static String podCidr(String node) {
    Node n = cluster.client.nodes().withName(node).get();
    return n == null || n.getSpec() == null ? null : n.getSpec().getPodCIDR();
  }

  @Test
  void nodesGetDistinctSubnetsThatSurviveARestart() throws Exception {
    for (String n : List.of("ipam-0", "ipam-1", "ipam-2")) createNode(n);
    List<String> first;
    try (ControllerManager m = manager(NodeIpamController::withDefaults)) {
      await().atMost(Duration.ofSeconds(15)).until(() -> List.of("ipam-0", "ipam-1", "ipam-2").stream()
          .allMatch(n -> podCidr(n) != null));
      first = List.of(podCidr("ipam-0"), podCidr("ipam-1"), podCidr("ipam-2"));
      assertThat(first).doesNotHaveDuplicates().allMatch(c -> c.matches("10\\.244\\.\\d+\\.0/24"));
      assertThat(cluster.client.nodes().withName("ipam-1").get().getSpec().getPodCIDRs()).containsExactly(first.get(1));
    }
    // while no controller runs, a node joins; the restarted controller must not hand out a subnet already in use
    createNode("ipam-3");
    try (ControllerManager m = manager(NodeIpamController::withDefaults)) {
      await().atMost(Duration.ofSeconds(15)).until(() -> podCidr("ipam-3") != null);
      assertThat(first).doesNotContain(podCidr("ipam-3"));
      assertThat(List.of(podCidr("ipam-0"), podCidr("ipam-1"), podCidr("ipam-2"))).isEqualTo(first);
    }
  }

  @Test
  void aDeletedNodeReleasesItsSubnet() throws Exception {
    // room for two /24s only
    try (ControllerManager m = manager(c -> new NodeIpamController(c, "10.10.0.0/23", 24))) {
      createNode("small-a");
      createNode("small-b");
      await().atMost(Duration.ofSeconds(15)).until(() -> podCidr("small-a") != null && podCidr("small-b") != null);
      String released = podCidr("small-a");
      createNode("small-c");
      // the range is exhausted: small-c waits
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> podCidr("small-c") == null);
      cluster.client.nodes().withName("small-a").delete();
      // the released subnet goes to the waiting node
      await().atMost(Duration.ofSeconds(15)).until(() -> released.equals(podCidr("small-c")));
    }
  }
}
