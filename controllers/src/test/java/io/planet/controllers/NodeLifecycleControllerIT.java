package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.hollow.HollowNodes;
import io.planet.controllers.runtime.Controller;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeLifecycleControllerIT {
  static final String NS = "default";
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    // test-sized: a node is unreachable after 3 s without a lease renewal, its pods go 2 s later
    Map<String, Function<KubernetesClient, Controller>> controllers = new LinkedHashMap<>();
    controllers.put("node-lifecycle-controller", c -> new NodeLifecycleController(c, Duration.ofSeconds(3),
        Duration.ofSeconds(60), Duration.ofSeconds(1)));
    controllers.put("taint-eviction-controller", TaintEvictionController::new);
    cluster = new TestCluster(controllers);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static HollowNodes hollow(String prefix, int count) {
    return new HollowNodes(cluster.client, new HollowNodes.Options(prefix, count, "4", "16Gi", 110, 40,
        Duration.ofMillis(500))).start();
  }

  private static Pod createPod(String name, String node, boolean toleratesUnreachable) {
    return createPod(name, node, toleratesUnreachable, null);
  }

  private static Pod createPod(String name, String node, boolean toleratesUnreachable, Long tolerationSeconds) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx").endContainer().endSpec();
    if (toleratesUnreachable) {
      b.editSpec().addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
          .withEffect("NoExecute").withTolerationSeconds(tolerationSeconds).endToleration().endSpec();
    }
    return cluster.client.pods().inNamespace(NS).resource(b.build()).create();
  }

  private static Pod pod(String name) {
    return cluster.client.pods().inNamespace(NS).withName(name).get();
  }

  private static String podReady(String name) {
    Pod p = pod(name);
    if (p == null || p.getStatus().getConditions() == null) return null;
    return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus())
        .findFirst().orElse(null);
  }

  private static NodeCondition ready(String node) {
    Node n = cluster.client.nodes().withName(node).get();
    return n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
  }

  private static List<Taint> taints(String node) {
    Node n = cluster.client.nodes().withName(node).get();
    return n.getSpec() == null || n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
  }

  @Test
  void aSilentNodeBecomesUnreachableAndLosesItsPods() {
    try (HollowNodes alive = hollow("alive", 2)) {
      HollowNodes dying = hollow("dying", 1);
      createPod("plain", "dying-0", true, 2L);
      createPod("forever", "dying-0", true);
      createPod("safe", "alive-0", false);
      createPod("patient", "dying-0", true, 600L);
      await().atMost(Duration.ofSeconds(10)).until(() -> List.of("plain", "forever", "safe", "patient").stream()
          .allMatch(p -> "True".equals(podReady(p))));

      dying.close(); // its lease is no longer renewed
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        NodeCondition c = ready("dying-0");
        assertThat(c.getStatus()).isEqualTo("Unknown");
        assertThat(c.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(c.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(taints("dying-0")).extracting(t -> t.getKey() + ":" + t.getEffect()).containsExactlyInAnyOrder(
            "node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute");
        assertThat(podReady("forever")).isEqualTo("False");
      });
      // a pod created without tolerations got the API server's default ones (300 s)
      assertThat(pod("safe").getSpec().getTolerations()).extracting(t -> t.getKey() + "=" + t.getTolerationSeconds())
          .contains("node.kubernetes.io/unreachable=300", "node.kubernetes.io/not-ready=300");
      // the pod tolerating the taint for 2 s is evicted after that
      await().atMost(Duration.ofSeconds(15)).until(() -> {
        Pod p = pod("plain");
        return p == null || p.getMetadata().getDeletionTimestamp() != null;
      });
      Pod plain = pod("plain");
      if (plain != null) {
        assertThat(plain.getStatus().getConditions()).anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("DisruptionTarget");
          assertThat(c.getReason()).isEqualTo("DeletionByTaintManager");
        });
      }
      // the pod tolerating the taint forever stays, and the healthy nodes are untouched
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> pod("forever").getMetadata().getDeletionTimestamp() == null);
      for (String n : List.of("alive-0", "alive-1")) {
        assertThat(ready(n).getStatus()).isEqualTo("True");
        assertThat(taints(n)).isEmpty();
      }
      assertThat(pod("safe").getMetadata().getDeletionTimestamp()).isNull();
      assertThat(podReady("safe")).isEqualTo("True");

      // the node agent comes back and posts Ready: the taints go
      try (HollowNodes back = hollow("dying", 1)) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          assertThat(ready("dying-0").getStatus()).isEqualTo("True");
          assertThat(taints("dying-0")).isEmpty();
        });
      }

      // what `kubectl describe node dying-0` and `kubectl describe pod` show under Events
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(Fixtures.described(Fixtures.events(cluster.client, NS, "Node", "dying-0"))).contains(
            "RegisteredNode: Node dying-0 event: Registered Node dying-0 in Controller (1)",
            "NodeNotReady: Node dying-0 status is now: NodeNotReady (1)");
        assertThat(Fixtures.events(cluster.client, NS, "Node", "dying-0"))
            .allSatisfy(e -> assertThat(e.getSource().getComponent()).isEqualTo("node-controller"));
        assertThat(Fixtures.events(cluster.client, NS, "Pod", "forever")).singleElement().satisfies(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getReason()).isEqualTo("NodeNotReady");
          assertThat(e.getMessage()).isEqualTo("Node is not ready");
        });
        assertThat(Fixtures.described(Fixtures.events(cluster.client, NS, "Pod", "plain")))
            .contains("TaintManagerEviction: Marking for deletion Pod default/plain (1)");
        assertThat(Fixtures.events(cluster.client, NS, "Pod", "patient")).anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("TaintManagerEviction");
          assertThat(e.getMessage()).isEqualTo("Cancelling deletion of Pod default/patient");
          assertThat(e.getSource().getComponent()).isEqualTo("taint-eviction-controller");
        });
      });
      assertThat(pod("patient").getMetadata().getDeletionTimestamp()).isNull();
    }
  }
}
