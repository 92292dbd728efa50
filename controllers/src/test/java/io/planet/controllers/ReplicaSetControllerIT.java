package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReplicaSetControllerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("replicaset", "replicationcontroller");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void createsPodsFromTheTemplateAndReportsStatus() {
    String ns = cluster.namespace("rs-scale");
    var c = cluster.client;
    ReplicaSet rs = Fixtures.createReplicaSet(c, ns, "web", 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.livePods(c, ns, "web").size() == 3);
    List<Pod> pods = Fixtures.livePods(c, ns, "web");
    for (Pod p : pods) {
      assertThat(p.getMetadata().getName()).startsWith("web-");
      OwnerReference ref = Fixtures.controllerRef(p);
      assertThat(ref.getUid()).isEqualTo(rs.getMetadata().getUid());
      assertThat(ref.getKind()).isEqualTo("ReplicaSet");
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var s = c.apps().replicaSets().inNamespace(ns).withName("web").get().getStatus();
      assertThat(s.getReplicas()).isEqualTo(3);
      assertThat(s.getFullyLabeledReplicas()).isEqualTo(3);
      assertThat(s.getObservedGeneration()).isEqualTo(1L);
    });

    // two pods become ready: the counts follow, and a scale-down removes the not-ready pod first
    Fixtures.markReady(c, pods.get(0));
    Fixtures.markReady(c, pods.get(1));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var s = c.apps().replicaSets().inNamespace(ns).withName("web").get().getStatus();
      assertThat(s.getReadyReplicas()).isEqualTo(2);
      assertThat(s.getAvailableReplicas()).isEqualTo(2);
    });
    c.apps().replicaSets().inNamespace(ns).withName("web").scale(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.livePods(c, ns, "web").size() == 2);
    assertThat(names(Fixtures.livePods(c, ns, "web")))
        .containsExactlyInAnyOrderElementsOf(names(pods.subList(0, 2)));
    c.apps().replicaSets().inNamespace(ns).withName("web").scale(1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Fixtures.livePods(c, ns, "web")).hasSize(1);
      var s = c.apps().replicaSets().inNamespace(ns).withName("web").get().getStatus();
      assertThat(s.getReplicas()).isEqualTo(1);
      assertThat(s.getObservedGeneration()).isEqualTo(3L);
    });

    // what `kubectl describe rs web` shows under Events
    Pod survivor = Fixtures.livePods(c, ns, "web").get(0);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<String> described = Fixtures.described(Fixtures.events(c, ns, "ReplicaSet", "web"));
      assertThat(described).filteredOn(e -> e.startsWith("SuccessfulCreate"))
          .containsExactlyInAnyOrderElementsOf(pods.stream().map(p -> "SuccessfulCreate: Created pod: "
              + p.getMetadata().getName() + " (1)").toList());
      assertThat(described).filteredOn(e -> e.startsWith("SuccessfulDelete"))
          .containsExactlyInAnyOrderElementsOf(pods.stream().filter(p -> !p.getMetadata().getName()
              .equals(survivor.getMetadata().getName())).map(p -> "SuccessfulDelete: Deleted pod: "
              + p.getMetadata().getName() + " (1)").toList());
      assertThat(Fixtures.events(c, ns, "ReplicaSet", "web")).allSatisfy(e -> {
        assertThat(e.getSource().getComponent()).isEqualTo("replicaset-controller");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(rs.getMetadata().getUid());
      });
    });
  }

  @Test
  void adoptsMatchingOrphansAndReleasesPodsThatStopMatching() {
    String ns = cluster.namespace("rs-adopt");
    var c = cluster.client;
    c.pods().inNamespace(ns).resource(Fixtures.pod(ns, "stray", Map.of("app", "api"))).create();
    ReplicaSet rs = Fixtures.createReplicaSet(c, ns, "api", 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<Pod> pods = Fixtures.livePods(c, ns, "api");
      assertThat(pods).hasSize(2);
      assertThat(pods).allSatisfy(p -> assertThat(Fixtures.controllerRef(p)).isNotNull());
    });
    Pod stray = c.pods().inNamespace(ns).withName("stray").get();
    assertThat(Fixtures.controllerRef(stray).getUid()).isEqualTo(rs.getMetadata().getUid());

    // relabelled out of the selector: released, and replaced
    Fixtures.retryOnConflict(() -> c.pods().inNamespace(ns).withName("stray").edit(p -> {
      p.getMetadata().setLabels(Map.of("app", "elsewhere"));
      return p;
    }));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(c.pods().inNamespace(ns).withName("stray").get().getMetadata().getOwnerReferences()).isEmpty();
      assertThat(Fixtures.livePods(c, ns, "api")).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals("stray"));
    });
  }

  @Test
  void replicationControllersKeepTheirReplicas() {
    String ns = cluster.namespace("rc");
    var c = cluster.client;
    var rc = Fixtures.createReplicationController(c, ns, "legacy", 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<Pod> pods = Fixtures.livePods(c, ns, "legacy");
      assertThat(pods).hasSize(2);
      assertThat(pods).allSatisfy(p -> {
        assertThat(Fixtures.controllerRef(p).getKind()).isEqualTo("ReplicationController");
        assertThat(Fixtures.controllerRef(p).getUid()).isEqualTo(rc.getMetadata().getUid());
      });
      assertThat(c.replicationControllers().inNamespace(ns).withName("legacy").get().getStatus().getReplicas()).isEqualTo(2);
    });
    // a deleted pod is replaced
    c.pods().inNamespace(ns).withName(Fixtures.livePods(c, ns, "legacy").get(0).getMetadata().getName()).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.livePods(c, ns, "legacy").size() == 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        Fixtures.events(c, ns, "ReplicationController", "legacy")).hasSize(3).allSatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("SuccessfulCreate");
          assertThat(e.getSource().getComponent()).isEqualTo("replication-controller");
          assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
        }));
  }

  private static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }
}
