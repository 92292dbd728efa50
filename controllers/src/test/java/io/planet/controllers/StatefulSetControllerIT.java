package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetOrdinalsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicyBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
    // the garbage collector deletes claims whose owner (set or pod) the retention policy made go
    cluster = new TestCluster("statefulset", "garbagecollector");
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
      await().atMost(WAIT).until(() -> Fixtures.described(Fixtures.events(c, ns, "StatefulSet", "web"))
          .contains("SuccessfulCreate: create Pod web-0 in StatefulSet web successful (1)"));

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
        Fixtures.retryOnConflict(() -> c.apps().statefulSets().inNamespace(ns).withName("web").edit(s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
          s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
          return s;
        }));
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
        Fixtures.retryOnConflict(() -> c.apps().statefulSets().inNamespace(ns).withName("web").edit(s -> {
          s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(0);
          return s;
        }));
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

    // its own labels back (revision hash included, or the rollout would replace it): adopted again
    Fixtures.retryOnConflict(() -> c.pods().inNamespace(ns).withName("web-0").edit(p -> {
      p.getMetadata().setLabels(web0.getMetadata().getLabels());
      return p;
    }));
    await().atMost(WAIT).untilAsserted(() -> assertThat(OwnerRefs.controllerUid(c, ns, "web-0")).isEqualTo(uid));
    assertThat(pod(ns, "web-0").getMetadata().getUid()).isEqualTo(web0.getMetadata().getUid());

    // a pod with matching labels that is not named after the set is not a member: never adopted
    c.pods().inNamespace(ns).resource(Fixtures.pod(ns, "stranger", Map.of("app", "web"))).create();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> OwnerRefs.controllerOf(c, ns, "stranger") == null);
  }

  private static List<String> claimNames(String ns) {
    return c.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .filter(x -> x.getMetadata().getDeletionTimestamp() == null).map(x -> x.getMetadata().getName()).toList();
  }

  private static OwnerReference claimController(String ns, String name) {
    PersistentVolumeClaim claim = c.persistentVolumeClaims().inNamespace(ns).withName(name).get();
    if (claim == null || claim.getMetadata().getOwnerReferences() == null) return null;
    return claim.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
        .findFirst().orElse(null);
  }

  @Test
  void retentionPolicyDeletesClaimsOfScaledDownPodsAndWithTheSet() {
    String ns = cluster.namespace("sts-retention");
    StatefulSet spec = statefulSet(ns, "Parallel");
    spec.getSpec().setPersistentVolumeClaimRetentionPolicy(new StatefulSetPersistentVolumeClaimRetentionPolicyBuilder()
        .withWhenDeleted("Delete").withWhenScaled("Delete").build());
    String uid = c.apps().statefulSets().inNamespace(ns).resource(spec).create().getMetadata().getUid();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(claimNames(ns)).containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
      for (String claim : List.of("data-web-0", "data-web-1", "data-web-2")) {
        OwnerReference ref = claimController(ns, claim);
        assertThat(ref).isNotNull();
        assertThat(ref.getKind()).isEqualTo("StatefulSet");
        assertThat(ref.getUid()).isEqualTo(uid);
      }
    });

    // scaled down: the claims of the removed ordinals go with their pods
    c.apps().statefulSets().inNamespace(ns).withName("web").scale(1);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(Fixtures.livePods(c, ns, "web")).extracting(p -> p.getMetadata().getName()).containsExactly("web-0");
      assertThat(claimNames(ns)).containsExactly("data-web-0");
    });

    // the set deleted: its last claim goes too
    c.apps().statefulSets().inNamespace(ns).withName("web").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(claimNames(ns)).isEmpty());
  }

  @Test
  void retainKeepsClaimsUnowned() {
    String ns = cluster.namespace("sts-retain");
    StatefulSet spec = statefulSet(ns, "Parallel");
    spec.getSpec().setReplicas(1);
    c.apps().statefulSets().inNamespace(ns).resource(spec).create();
    await().atMost(WAIT).until(() -> claimNames(ns).equals(List.of("data-web-0")) && pod(ns, "web-0") != null);
    assertThat(c.persistentVolumeClaims().inNamespace(ns).withName("data-web-0").get().getMetadata().getOwnerReferences())
        .isNullOrEmpty();
    c.apps().statefulSets().inNamespace(ns).withName("web").delete();
    await().atMost(WAIT).until(() -> Fixtures.livePods(c, ns, "web").isEmpty());
    assertThat(claimNames(ns)).containsExactly("data-web-0");
  }

  @Test
  void ordinalsStartNumbersPodsAndClaimsFromIt() {
    String ns = cluster.namespace("sts-ordinals");
    StatefulSet spec = statefulSet(ns, "Parallel");
    spec.getSpec().setReplicas(2);
    spec.getSpec().setOrdinals(new StatefulSetOrdinalsBuilder().withStart(5).build());
    c.apps().statefulSets().inNamespace(ns).resource(spec).create();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(Fixtures.livePods(c, ns, "web")).extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("web-5", "web-6");
      assertThat(claimNames(ns)).containsExactlyInAnyOrder("data-web-5", "data-web-6");
    });
    assertThat(pod(ns, "web-5").getMetadata().getLabels()).containsEntry("apps.kubernetes.io/pod-index", "5");

    // a lower start: the set moves down, pods outside the new range go
    c.apps().statefulSets().inNamespace(ns).withName("web")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"ordinals\":{\"start\":3}}}");
    await().atMost(WAIT).untilAsserted(() -> assertThat(Fixtures.livePods(c, ns, "web"))
        .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("web-3", "web-4"));
  }

  @Test
  void maxUnavailableReplacesSeveralPodsAtOnce() throws Exception {
    String ns = cluster.namespace("sts-max-unavailable");
    try (Binder binder = new Binder(c, cluster.server.client(), ns, "node-0", p -> true)) {
      StatefulSet spec = statefulSet(ns, "Parallel");
      spec.getSpec().setUpdateStrategy(new StatefulSetUpdateStrategyBuilder().withType("RollingUpdate")
          .withNewRollingUpdate().withMaxUnavailable(new IntOrString(2)).endRollingUpdate().build());
      c.apps().statefulSets().inNamespace(ns).resource(spec).create();
      await().atMost(WAIT).until(() -> status(ns).getReadyReplicas() != null && status(ns).getReadyReplicas() == 3);

      // old pods deleted before the first new pod is ready: two at once, not one
      List<String> deletedBeforeFirstReady = new CopyOnWriteArrayList<>();
      AtomicBoolean newReady = new AtomicBoolean();
      try (Watch w = watch(ns, (action, p) -> {
        boolean updated = p.getSpec().getContainers().get(0).getImage().equals("nginx:2");
        if (updated && PodStatus.ready(p)) newReady.set(true);
        if (action == Watcher.Action.DELETED && !updated && !newReady.get()) deletedBeforeFirstReady.add(p.getMetadata().getName());
      })) {
        c.apps().statefulSets().inNamespace(ns).withName("web")
            .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), DaemonSetControllerIT.NEW_IMAGE);
        await().atMost(WAIT).untilAsserted(() -> {
          StatefulSetStatus s = status(ns);
          assertThat(s.getObservedGeneration()).isEqualTo(2L);
          assertThat(s.getUpdatedReplicas()).isEqualTo(3);
          assertThat(s.getReadyReplicas()).isEqualTo(3);
          assertThat(s.getCurrentRevision()).isEqualTo(s.getUpdateRevision());
          assertThat(List.of(image(ns, "web-0"), image(ns, "web-1"), image(ns, "web-2"))).containsOnly("nginx:2");
        });
      }
      assertThat(deletedBeforeFirstReady).containsExactlyInAnyOrder("web-2", "web-1");
    }
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
