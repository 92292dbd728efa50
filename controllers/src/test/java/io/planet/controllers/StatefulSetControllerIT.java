package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StatefulSetControllerIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  static TestCluster cluster;
  static KubernetesClient c;
  static HollowNodes nodes;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("statefulset");
    c = cluster.client;
    nodes = new HollowNodes(c, new HollowNodes.Options("node", 1, "4", "16Gi", 110, 40, Duration.ofSeconds(10))).start();
  }

  @AfterAll
  static void stop() {
    nodes.close();
    cluster.close();
  }

  @Test
  void orderedReadyCreatesInOrderScalesDownFromTheTopAndRollsOutFromTheHighestOrdinal() throws Exception {
    String ns = cluster.namespace("sts");
    try (Binder binder = new Binder(c, cluster.server.client(), ns, "node-0", p -> false)) {
      StatefulSet set = c.apps().statefulSets().inNamespace(ns).resource(statefulSet(ns, "OrderedReady")).create();

      // web-0 and its claim come first; web-1 waits while web-0 is not Ready
      await().atMost(WAIT).until(() -> pod(ns, "web-0") != null);
      Pod web0 = pod(ns, "web-0");
      PersistentVolumeClaim claim0 = c.persistentVolumeClaims().inNamespace(ns).withName("data-web-0").get();
      assertThat(claim0).isNotNull();
      assertThat(Instant.parse(claim0.getMetadata().getCreationTimestamp()))
          .isBeforeOrEqualTo(Instant.parse(web0.getMetadata().getCreationTimestamp()));
      assertThat(claim0.getMetadata().getLabels()).containsEntry("app", "web");
      assertThat(web0.getSpec().getHostname()).isEqualTo("web-0");
      assertThat(web0.getSpec().getSubdomain()).isEqualTo("web");
      assertThat(web0.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
          .containsEntry("apps.kubernetes.io/pod-index", "0").containsEntry("app", "web");
      assertThat(Fixtures.controllerRef(web0).getUid()).isEqualTo(set.getMetadata().getUid());
      assertThat(web0.getSpec().getVolumes()).anySatisfy(v -> {
        assertThat(v.getName()).isEqualTo("data");
        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-web-0");
      });
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> pod(ns, "web-1") == null);

      binder.accept(p -> true);
      await().atMost(WAIT).untilAsserted(() -> {
        StatefulSetStatus s = status(ns);
        assertThat(s.getReplicas()).isEqualTo(3);
        assertThat(s.getReadyReplicas()).isEqualTo(3);
        assertThat(s.getAvailableReplicas()).isEqualTo(3);
        assertThat(s.getCurrentReplicas()).isEqualTo(3);
        assertThat(s.getUpdatedReplicas()).isEqualTo(3);
        assertThat(s.getCurrentRevision()).isEqualTo(s.getUpdateRevision()).startsWith("web-");
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
      });
      // each pod was created only once the one before it was Ready
      for (int i = 1; i < 3; i++) {
        Pod before = pod(ns, "web-" + (i - 1));
        String readyAt = before.getStatus().getConditions().stream().filter(x -> x.getType().equals("Ready")).findFirst()
            .get().getLastTransitionTime();
        assertThat(Instant.parse(pod(ns, "web-" + i).getMetadata().getCreationTimestamp()))
            .isAfterOrEqualTo(Instant.parse(readyAt));
      }
      assertThat(c.persistentVolumeClaims().inNamespace(ns).list().getItems())
          .extracting(x -> x.getMetadata().getName()).containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
      String firstRevision = status(ns).getCurrentRevision();
      assertThat(pod(ns, "web-2").getMetadata().getLabels()).containsEntry("controller-revision-hash", firstRevision);

      // a template change behind partition 2 replaces web-2 only
      List<String> added = new CopyOnWriteArrayList<>();
      try (Watch w = watch(ns, (action, p) -> {
        // the watch starts with the existing pods: count only pods made from the new template
        if (action == Watcher.Action.ADDED && p.getSpec().getContainers().get(0).getImage().equals("nginx:2")) {
          added.add(p.getMetadata().getName());
        }
      })) {
        c.apps().statefulSets().inNamespace(ns).withName("web").edit(s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
          s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
          return s;
        });
        await().atMost(WAIT).untilAsserted(() -> {
          StatefulSetStatus s = status(ns);
          assertThat(s.getUpdatedReplicas()).isEqualTo(1);
          assertThat(s.getCurrentReplicas()).isEqualTo(2);
          assertThat(s.getReadyReplicas()).isEqualTo(3);
          assertThat(s.getCurrentRevision()).isEqualTo(firstRevision);
          assertThat(s.getUpdateRevision()).isNotEqualTo(firstRevision);
          assertThat(image(ns, "web-2")).isEqualTo("nginx:2");
        });
        assertThat(image(ns, "web-1")).isEqualTo("nginx");
        assertThat(image(ns, "web-0")).isEqualTo("nginx");

        // the partition lifted: the rest roll from the highest ordinal down
        c.apps().statefulSets().inNamespace(ns).withName("web").edit(s -> {
          s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(0);
          return s;
        });
        await().atMost(WAIT).untilAsserted(() -> {
          StatefulSetStatus s = status(ns);
          assertThat(s.getUpdatedReplicas()).isEqualTo(3);
          assertThat(s.getReadyReplicas()).isEqualTo(3);
          assertThat(s.getCurrentRevision()).isEqualTo(s.getUpdateRevision()).isNotEqualTo(firstRevision);
        });
        assertThat(added).containsExactly("web-2", "web-1", "web-0");
      }
      assertThat(List.of(image(ns, "web-0"), image(ns, "web-1"), image(ns, "web-2"))).containsOnly("nginx:2");

      // scaling down removes the highest ordinals first, one at a time; the claims stay
      List<String> deleted = new CopyOnWriteArrayList<>();
      try (Watch w = watch(ns, (action, p) -> {
        if (action == Watcher.Action.DELETED) deleted.add(p.getMetadata().getName());
      })) {
        c.apps().statefulSets().inNamespace(ns).withName("web").scale(1);
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(deleted).containsExactly("web-2", "web-1");
          assertThat(status(ns).getReplicas()).isEqualTo(1);
        });
      }
      assertThat(pod(ns, "web-0")).isNotNull();
      assertThat(c.persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(3);
    }
  }

  @Test
  void parallelCreatesEveryPodWithoutWaiting() {
    String ns = cluster.namespace("sts-parallel");
    c.apps().statefulSets().inNamespace(ns).resource(statefulSet(ns, "Parallel")).create();
    // nothing binds these pods, so none becomes Ready, and still all three exist
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(Fixtures.livePods(c, ns, "web")).extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("web-0", "web-1", "web-2");
      assertThat(status(ns).getReplicas()).isEqualTo(3);
      assertThat(status(ns).getReadyReplicas()).isZero();
    });
  }

  @Test
  void adoptsMatchingOrphansAndReleasesNonMatchingPods() {
    String ns = cluster.namespace("sts-adopt");
    StatefulSet set = statefulSet(ns, "Parallel");
    set.getSpec().setReplicas(1);
    String uid = c.apps().statefulSets().inNamespace(ns).resource(set).create().getMetadata().getUid();
    await().atMost(WAIT).until(() -> pod(ns, "web-0") != null);
    Pod web0 = pod(ns, "web-0");

    OwnerRefs.orphan(c, web0);
    await().atMost(WAIT).untilAsserted(() -> assertThat(OwnerRefs.controllerUid(c, ns, "web-0")).isEqualTo(uid));
    assertThat(pod(ns, "web-0").getMetadata().getUid()).isEqualTo(web0.getMetadata().getUid());

    OwnerRefs.relabel(c, web0);
    await().atMost(WAIT).untilAsserted(() -> assertThat(OwnerRefs.controllerOf(c, ns, "web-0")).isNull());

    c.pods().inNamespace(ns).withName("web-0").edit(p -> {
      p.getMetadata().setLabels(Map.of("app", "web"));
      return p;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(OwnerRefs.controllerUid(c, ns, "web-0")).isEqualTo(uid));
    assertThat(pod(ns, "web-0").getMetadata().getUid()).isEqualTo(web0.getMetadata().getUid());

    // a pod with matching labels that is not named after the set is not a member: never adopted
    c.pods().inNamespace(ns).resource(Fixtures.pod(ns, "stranger", Map.of("app", "web"))).create();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> OwnerRefs.controllerOf(c, ns, "stranger") == null);
  }

  private static StatefulSet statefulSet(String ns, String policy) {
    PersistentVolumeClaim data = new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().withRequests(Map.of("storage", new Quantity("1Gi")))
        .endResources().endSpec().build();
    return new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(3).withServiceName("web").withPodManagementPolicy(policy)
        .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
        .withTemplate(Fixtures.template("web")).withVolumeClaimTemplates(data).endSpec().build();
  }

  private static Watch watch(String ns, BiConsumer<Watcher.Action, Pod> f) {
    return c.pods().inNamespace(ns).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        f.accept(action, pod);
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  private static Pod pod(String ns, String name) {
    return c.pods().inNamespace(ns).withName(name).get();
  }

  private static String image(String ns, String name) {
    return pod(ns, name).getSpec().getContainers().get(0).getImage();
  }

  private static StatefulSetStatus status(String ns) {
    StatefulSetStatus s = c.apps().statefulSets().inNamespace(ns).withName("web").get().getStatus();
    return s == null ? new StatefulSetStatus() : s;
  }
}
