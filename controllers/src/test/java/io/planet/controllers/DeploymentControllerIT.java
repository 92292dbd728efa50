package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeploymentControllerIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  static TestCluster cluster;
  static KubernetesClient c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("replicaset", "deployment");
    c = cluster.client;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void rollsOutANewTemplateAndRollsBackToTheOldReplicaSet() {
    String ns = cluster.namespace("deploy-roll");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      Deployment d = create(ns, "web", 3, b -> b);
      awaitComplete(ns, "web", 3);
      ReplicaSet first = onlyActive(ns, "web");
      String hash = first.getMetadata().getLabels().get("pod-template-hash");
      assertThat(first.getMetadata().getName()).isEqualTo("web-" + hash);
      assertThat(first.getSpec().getSelector().getMatchLabels()).containsEntry("pod-template-hash", hash).containsEntry("app", "web");
      assertThat(first.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
      OwnerReference ref = ReplicaController.controllerRef(first);
      assertThat(ref.getKind()).isEqualTo("Deployment");
      assertThat(ref.getUid()).isEqualTo(d.getMetadata().getUid());
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
      assertThat(first.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1")
          .containsEntry("deployment.kubernetes.io/desired-replicas", "3")
          .containsEntry("deployment.kubernetes.io/max-replicas", "4");
      assertThat(Fixtures.livePods(c, ns, "web")).hasSize(3)
          .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry("pod-template-hash", hash));
      Deployment done = get(ns, "web");
      assertThat(condition(done.getStatus(), "Available").getReason()).isEqualTo("MinimumReplicasAvailable");
      assertThat(condition(done.getStatus(), "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
      assertThat(done.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");

      // a new image: a second ReplicaSet takes over, revision 2, the change-cause travels with it
      edit(ns, "web", x -> {
        x.getMetadata().setAnnotations(Map.of("kubernetes.io/change-cause", "image 2"));
        x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        return x;
      });
      awaitComplete(ns, "web", 3);
      ReplicaSet second = onlyActive(ns, "web");
      assertThat(second.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
      assertThat(second.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2")
          .containsEntry("kubernetes.io/change-cause", "image 2");
      assertThat(rs(ns, first.getMetadata().getName()).getSpec().getReplicas()).isZero();
      assertThat(get(ns, "web").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
      assertThat(Fixtures.livePods(c, ns, "web")).hasSize(3)
          .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2"));

      // back to the first template: the first ReplicaSet returns as revision 3
      edit(ns, "web", x -> {
        x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx");
        return x;
      });
      awaitComplete(ns, "web", 3);
      ReplicaSet back = onlyActive(ns, "web");
      assertThat(back.getMetadata().getName()).isEqualTo(first.getMetadata().getName());
      assertThat(back.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
          .containsEntry("deployment.kubernetes.io/revision-history", "1");
      assertThat(get(ns, "web").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3");
      assertThat(c.apps().replicaSets().inNamespace(ns).list().getItems()).hasSize(2);
    }
  }

  @Test
  void scalingIsToldInEventsOnTheDeploymentAndItsReplicaSet() {
    String ns = cluster.namespace("deploy-events");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      Deployment d = create(ns, "web", 3, b -> b);
      awaitComplete(ns, "web", 3);
      ReplicaSet rs = onlyActive(ns, "web");
      String rsName = rs.getMetadata().getName();
      List<String> pods = Fixtures.livePods(c, ns, "web").stream().map(p -> p.getMetadata().getName()).toList();
      await().atMost(WAIT).untilAsserted(() -> {
        List<Event> onDeployment = Fixtures.events(c, ns, "Deployment", "web");
        assertThat(Fixtures.described(onDeployment)).containsExactly(
            "ScalingReplicaSet: Scaled up replica set " + rsName + " to 3 (1)");
        Event e = onDeployment.get(0);
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getSource().getComponent()).isEqualTo("deployment-controller");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(d.getMetadata().getUid());
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
        List<Event> onReplicaSet = Fixtures.events(c, ns, "ReplicaSet", rsName);
        assertThat(Fixtures.described(onReplicaSet)).containsExactlyInAnyOrderElementsOf(
            pods.stream().map(p -> "SuccessfulCreate: Created pod: " + p + " (1)").toList());
        assertThat(onReplicaSet).allSatisfy(x -> {
          assertThat(x.getSource().getComponent()).isEqualTo("replicaset-controller");
          assertThat(x.getInvolvedObject().getUid()).isEqualTo(rs.getMetadata().getUid());
        });
      });

      // 3 -> 1 -> 2 -> 1 -> 2: the repeated scale-up is one event seen twice
      for (int replicas : new int[] {1, 2, 1, 2}) {
        edit(ns, "web", x -> {
          x.getSpec().setReplicas(replicas);
          return x;
        });
        awaitComplete(ns, "web", replicas);
      }
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(Fixtures.described(Fixtures.events(c, ns, "Deployment", "web"))).containsExactlyInAnyOrder(
            "ScalingReplicaSet: Scaled up replica set " + rsName + " to 3 (1)",
            "ScalingReplicaSet: Scaled down replica set " + rsName + " to 1 from 3 (1)",
            "ScalingReplicaSet: Scaled up replica set " + rsName + " to 2 from 1 (2)",
            "ScalingReplicaSet: Scaled down replica set " + rsName + " to 1 from 2 (1)");
        assertThat(Fixtures.described(Fixtures.events(c, ns, "ReplicaSet", rsName)))
            .filteredOn(x -> x.startsWith("SuccessfulDelete: Deleted pod: ")).hasSize(3);
      });
    }
  }

  @Test
  void recreateRemovesOldPodsBeforeStartingNewOnes() {
    String ns = cluster.namespace("deploy-recreate");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      create(ns, "db", 2, b -> b.editSpec().withMinReadySeconds(1).withNewStrategy().withType("Recreate").endStrategy().endSpec());
      awaitComplete(ns, "db", 2);
      ReplicaSet first = onlyActive(ns, "db");
      // available means ready for minReadySeconds, which the ReplicaSet counts
      assertThat(first.getSpec().getMinReadySeconds()).isEqualTo(1);
      edit(ns, "db", x -> {
        x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        return x;
      });
      awaitComplete(ns, "db", 2);
      ReplicaSet second = onlyActive(ns, "db");
      assertThat(second.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
      // created only once the old pods were gone, and then at full size (a rolling update would start at 1)
      assertThat(second.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(second.getSpec().getReplicas()).isEqualTo(2);
      assertThat(rs(ns, first.getMetadata().getName()).getSpec().getReplicas()).isZero();
    }
  }

  @Test
  void aPausedDeploymentScalesButDoesNotRollOut() {
    String ns = cluster.namespace("deploy-pause");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      create(ns, "api", 2, b -> b);
      awaitComplete(ns, "api", 2);
      ReplicaSet first = onlyActive(ns, "api");
      edit(ns, "api", x -> {
        x.getSpec().setPaused(true);
        return x;
      });
      await().atMost(WAIT).until(() -> "DeploymentPaused".equals(condition(get(ns, "api").getStatus(), "Progressing").getReason()));
      edit(ns, "api", x -> {
        x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        x.getSpec().setReplicas(4);
        return x;
      });
      // scaling applies, the new template waits
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(rs(ns, first.getMetadata().getName()).getSpec().getReplicas()).isEqualTo(4);
        Deployment d = get(ns, "api");
        assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(4);
      });
      assertThat(c.apps().replicaSets().inNamespace(ns).list().getItems()).hasSize(1);

      edit(ns, "api", x -> {
        x.getSpec().setPaused(false);
        return x;
      });
      awaitComplete(ns, "api", 4);
      assertThat(onlyActive(ns, "api").getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
      assertThat(c.apps().replicaSets().inNamespace(ns).list().getItems()).hasSize(2);
    }
  }

  @Test
  void oldReplicaSetsBeyondTheHistoryLimitAreDeleted() {
    String ns = cluster.namespace("deploy-history");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      create(ns, "hist", 1, b -> b.editSpec().withRevisionHistoryLimit(1).endSpec());
      awaitComplete(ns, "hist", 1);
      for (String image : List.of("nginx:2", "nginx:3", "nginx:4")) {
        edit(ns, "hist", x -> {
          x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
          return x;
        });
        awaitComplete(ns, "hist", 1);
      }
      await().atMost(WAIT).untilAsserted(() -> {
        List<ReplicaSet> left = c.apps().replicaSets().inNamespace(ns).list().getItems();
        assertThat(left).extracting(rs -> rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"))
            .containsExactlyInAnyOrder("3", "4");
      });
    }
  }

  @Test
  void scalingMidRolloutIsSharedInProportionAndADeadlineIsReported() {
    String ns = cluster.namespace("deploy-scale");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns, p -> "nginx".equals(p.getSpec().getContainers().get(0).getImage()))) {
      create(ns, "app", 4, b -> b.editSpec().withProgressDeadlineSeconds(2).withNewStrategy().withType("RollingUpdate")
          .withNewRollingUpdate().withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
          .endStrategy().endSpec());
      awaitComplete(ns, "app", 4);
      ReplicaSet first = onlyActive(ns, "app");
      edit(ns, "app", x -> {
        x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        return x;
      });
      // new pods never become ready: one surge pod, no old pod goes, and the deadline passes
      await().atMost(WAIT).untilAsserted(() -> {
        Deployment d = get(ns, "app");
        assertThat(condition(d.getStatus(), "Progressing").getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(condition(d.getStatus(), "Progressing").getStatus()).isEqualTo("False");
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(4);
      });
      ReplicaSet second = c.apps().replicaSets().inNamespace(ns).list().getItems().stream()
          .filter(rs -> !rs.getMetadata().getName().equals(first.getMetadata().getName())).findFirst().orElseThrow();
      assertThat(second.getSpec().getReplicas()).isEqualTo(1);
      assertThat(rs(ns, first.getMetadata().getName()).getSpec().getReplicas()).isEqualTo(4);

      // 4 -> 8 with 4 old + 1 new sized for at most 5: 8 + surge 1 = 9 shared in proportion, 4*9/5 ~ 7 old, 1*9/5 ~ 2 new
      edit(ns, "app", x -> {
        x.getSpec().setReplicas(8);
        return x;
      });
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(rs(ns, first.getMetadata().getName()).getSpec().getReplicas()).isEqualTo(7);
        assertThat(rs(ns, second.getMetadata().getName()).getSpec().getReplicas()).isEqualTo(2);
        assertThat(rs(ns, second.getMetadata().getName()).getMetadata().getAnnotations())
            .containsEntry("deployment.kubernetes.io/desired-replicas", "8").containsEntry("deployment.kubernetes.io/max-replicas", "9");
      });

      kubelet.accept(p -> true);
      awaitComplete(ns, "app", 8);
      assertThat(onlyActive(ns, "app").getMetadata().getName()).isEqualTo(second.getMetadata().getName());
    }
  }

  @Test
  void adoptsAMatchingOrphanReplicaSetAndReleasesOneThatStopsMatching() {
    String ns = cluster.namespace("deploy-adopt");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      ReplicaSet orphan = Fixtures.replicaSet(ns, "svc-old", 1);
      orphan.getMetadata().setLabels(Map.of("app", "svc"));
      orphan.getSpec().getSelector().setMatchLabels(Map.of("app", "svc"));
      orphan.getSpec().setTemplate(Fixtures.template("svc"));
      orphan.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(0L);
      c.apps().replicaSets().inNamespace(ns).resource(orphan).create();
      Deployment d = create(ns, "svc", 2, b -> b);
      // the orphan has the Deployment's template: it is adopted as the current ReplicaSet, not replaced
      awaitComplete(ns, "svc", 2);
      ReplicaSet adopted = rs(ns, "svc-old");
      assertThat(ReplicaController.controllerRef(adopted).getUid()).isEqualTo(d.getMetadata().getUid());
      assertThat(adopted.getSpec().getReplicas()).isEqualTo(2);
      assertThat(c.apps().replicaSets().inNamespace(ns).list().getItems()).hasSize(1);

      // relabelled out of the selector: released, and the Deployment makes a ReplicaSet of its own
      Fixtures.retryOnConflict(() -> c.apps().replicaSets().inNamespace(ns).withName("svc-old").edit(x -> {
        x.getMetadata().setLabels(Map.of("app", "elsewhere"));
        return x;
      }));
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(rs(ns, "svc-old").getMetadata().getOwnerReferences()).isEmpty();
        assertThat(c.apps().replicaSets().inNamespace(ns).withLabel("app", "svc").list().getItems()).hasSize(1)
            .allSatisfy(x -> assertThat(x.getMetadata().getName()).startsWith("svc-").isNotEqualTo("svc-old"));
      });
    }
  }

  // ---- helpers

  private static Deployment create(String ns, String name, int replicas, UnaryOperator<DeploymentBuilder> customize) {
    var template = Fixtures.template(name);
    template.getSpec().setTerminationGracePeriodSeconds(0L); // deleted pods go at once: there is no kubelet to wait for
    DeploymentBuilder b = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withTemplate(template).endSpec();
    return c.apps().deployments().inNamespace(ns).resource(customize.apply(b).build()).create();
  }

  private static void edit(String ns, String name, UnaryOperator<Deployment> f) {
    Fixtures.retryOnConflict(() -> c.apps().deployments().inNamespace(ns).withName(name).edit(f));
  }

  private static Deployment get(String ns, String name) {
    return c.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static ReplicaSet rs(String ns, String name) {
    return c.apps().replicaSets().inNamespace(ns).withName(name).get();
  }

  /** What `kubectl rollout status` waits for. */
  private static void awaitComplete(String ns, String name, int replicas) {
    await().atMost(WAIT).untilAsserted(() -> {
      Deployment d = get(ns, name);
      DeploymentStatus s = d.getStatus();
      assertThat(s.getObservedGeneration()).isGreaterThanOrEqualTo(d.getMetadata().getGeneration());
      assertThat(s.getUpdatedReplicas()).isEqualTo(replicas);
      assertThat(s.getReplicas()).isEqualTo(replicas);
      assertThat(s.getAvailableReplicas()).isEqualTo(replicas);
      assertThat(condition(s, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
      assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
      assertThat(Fixtures.livePods(c, ns, name)).hasSize(replicas);
    });
  }

  private static ReplicaSet onlyActive(String ns, String name) {
    List<ReplicaSet> active = c.apps().replicaSets().inNamespace(ns).withLabel("app", name).list().getItems().stream()
        .filter(rs -> rs.getSpec().getReplicas() > 0).toList();
    assertThat(active).hasSize(1);
    return active.get(0);
  }

  private static DeploymentCondition condition(DeploymentStatus s, String type) {
    if (s == null || s.getConditions() == null) return new DeploymentCondition();
    return s.getConditions().stream().filter(x -> type.equals(x.getType())).findFirst().orElse(new DeploymentCondition());
  }
}
