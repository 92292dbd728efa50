package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GarbageCollectorIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("replicaset", "garbagecollector");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void twoPods(String ns, String app) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.livePods(cluster.client, ns, app).size() == 2);
  }

  @Test
  void backgroundDeletionRemovesThePodsAfterTheReplicaSet() {
    String ns = cluster.namespace("gc-background");
    var c = cluster.client;
    Fixtures.createReplicaSet(c, ns, "bg", 2);
    twoPods(ns, "bg");
    c.apps().replicaSets().inNamespace(ns).withName("bg").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> c.pods().inNamespace(ns).list().getItems().isEmpty());
    assertThat(c.apps().replicaSets().inNamespace(ns).withName("bg").get()).isNull();
  }

  @Test
  void foregroundDeletionKeepsTheReplicaSetUntilItsPodsAreGone() {
    String ns = cluster.namespace("gc-foreground");
    var c = cluster.client;
    // the pods carry a finalizer of their own, so they linger while being deleted and the owner must wait
    ReplicaSet rs = Fixtures.replicaSet(ns, "fg", 2);
    rs.getSpec().getTemplate().getMetadata().setFinalizers(List.of("example.com/hold"));
    c.apps().replicaSets().inNamespace(ns).resource(rs).create();
    twoPods(ns, "fg");
    c.apps().replicaSets().inNamespace(ns).withName("fg").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

    await().atMost(Duration.ofSeconds(10)).until(() -> c.pods().inNamespace(ns).list().getItems().stream()
        .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
    ReplicaSet waiting = c.apps().replicaSets().inNamespace(ns).withName("fg").get();
    assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(waiting.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
    assertThat(c.pods().inNamespace(ns).list().getItems()).hasSize(2);

    for (Pod p : c.pods().inNamespace(ns).list().getItems()) {
      Fixtures.retryOnConflict(() -> c.pods().inNamespace(ns).withName(p.getMetadata().getName()).edit(x -> {
        x.getMetadata().setFinalizers(List.of());
        return x;
      }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.apps().replicaSets().inNamespace(ns).withName("fg").get() == null);
    assertThat(c.pods().inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void orphanDeletionLeavesThePodsWithoutOwner() {
    String ns = cluster.namespace("gc-orphan");
    var c = cluster.client;
    Fixtures.createReplicaSet(c, ns, "or", 2);
    twoPods(ns, "or");
    c.apps().replicaSets().inNamespace(ns).withName("or").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> c.apps().replicaSets().inNamespace(ns).withName("or").get() == null);
    assertThat(Fixtures.livePods(c, ns, "or")).hasSize(2)
        .allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).isEmpty());
  }

  @Test
  void anObjectWhoseOwnerNeverExistedIsCollected() {
    String ns = cluster.namespace("gc-dangling");
    var c = cluster.client;
    var owner = c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("owner")
        .endMetadata().build()).create();
    var ref = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("owner");
    c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kept")
        .withOwnerReferences(ref.withUid(owner.getMetadata().getUid()).build()).endMetadata().build()).create();
    c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("dangling")
        .withOwnerReferences(ref.withUid("00000000-0000-0000-0000-000000000000").build()).endMetadata().build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> c.configMaps().inNamespace(ns).withName("dangling").get() == null);
    assertThat(c.configMaps().inNamespace(ns).withName("kept").get()).isNotNull();
  }
}
