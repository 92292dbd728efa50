package io.planet.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler against a real API server and etcd: three nodes created through the API, pods bound by the leader. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerIT {
  private static final String NS = "sched";
  private static final String ZONE = "topology.kubernetes.io/zone";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestApiServer server;
  private static KubernetesClient client;
  private static SchedulerServer scheduler;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    client = new KubernetesClientBuilder().withConfig(config()).build();
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    for (int i = 1; i <= 3; i++) client.nodes().resource(node("node-" + i, "4")).create();
    scheduler = SchedulerServer.start(server.writeKubeconfig(dir), options("a"));
  }

  @AfterAll
  static void stop() {
    if (scheduler != null) scheduler.close();
    if (client != null) client.close();
    if (server != null) server.close();
  }

  private static Config config() {
    return new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withNamespace(NS)
        .withRequestRetryBackoffLimit(3).withWatchReconnectInterval(200).build();
  }

  private static SchedulerOptions options(String id) {
    return SchedulerOptions.defaults()
        .withLeaderElection(true, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200))
        .withServing("127.0.0.1", 0).withIdentity("test-" + id);
  }

  private static Node node(String name, String cpu) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus()
        .addToCapacity("cpu", new Quantity(cpu)).addToCapacity("memory", new Quantity("16Gi"))
        .addToCapacity("pods", new Quantity("110"))
        .addToAllocatable("cpu", new Quantity(cpu)).addToAllocatable("memory", new Quantity("16Gi"))
        .addToAllocatable("pods", new Quantity("110"))
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
        .endStatus().build();
  }

  private static PodBuilder pod(String name, String cpu) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox").withNewResources()
        .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity("64Mi")).endResources()
        .endContainer().endSpec();
  }

  private static Pod get(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  private static PodCondition scheduled(Pod pod) {
    return PodConditions.podScheduled(pod);
  }

  private static List<Event> events(String pod, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
  }

  private static String leaseHolder() {
    Lease lease = client.leases().inNamespace("kube-system").withName("kube-scheduler").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  @Order(1)
  void bindsPendingPodsAndRecordsIt() {
    client.pods().inNamespace(NS).resource(pod("hello", "100m").build()).create();
    await().atMost(WAIT).untilAsserted(() -> {
      Pod p = get("hello");
      assertThat(p.getSpec().getNodeName()).startsWith("node-");
      assertThat(scheduled(p).getStatus()).isEqualTo("True");
    });
    String node = get("hello").getSpec().getNodeName();
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello", "Scheduled")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Normal");
      assertThat(e.getMessage()).isEqualTo("Successfully assigned sched/hello to " + node);
      assertThat(e.getSource().getComponent()).isEqualTo("default-scheduler");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(get("hello").getMetadata().getUid());
    }));
    assertThat(leaseHolder()).isEqualTo("test-a");
  }

  @Test
  @Order(2)
  void spreadsTheReplicasOfAReplicaSet() {
    for (int i = 0; i < 6; i++) {
      client.pods().inNamespace(NS).resource(pod("web-" + i, "100m").editMetadata().addToLabels("app", "web")
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web")
          .withUid("3f1c2a9e-0000-4000-8000-000000000001").withController(true).endOwnerReference()
          .endMetadata().build()).create();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      List<Pod> pods = client.pods().inNamespace(NS).withLabel("app", "web").list().getItems();
      assertThat(pods).hasSize(6).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotNull());
      Map<String, Long> perNode = pods.stream().collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(),
          HashMap::new, Collectors.counting()));
      assertThat(perNode).containsOnlyKeys("node-1", "node-2", "node-3").containsValues(2L, 2L, 2L);
    });
  }

  @Test
  @Order(3)
  void anOversizedPodWaitsForABiggerNode() {
    client.pods().inNamespace(NS).resource(pod("huge", "10").build()).create();
    String message = "0/3 nodes are available: 3 Insufficient cpu. "
        + "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    await().atMost(WAIT).untilAsserted(() -> {
      PodCondition c = scheduled(get("huge"));
      assertThat(c).isNotNull();
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("Unschedulable");
      assertThat(c.getMessage()).isEqualTo(message);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("huge", "FailedScheduling")).isNotEmpty()
        .allSatisfy(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).isEqualTo(message);
          assertThat(e.getReportingComponent()).isEqualTo("default-scheduler");
        }));
    assertThat(get("huge").getSpec().getNodeName()).isNull();

    // a node update that could matter (a new label) retries the pod; the repeated failure is counted on one event
    client.nodes().withName("node-1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("tier", "a").endMetadata()
        .build());
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("huge", "FailedScheduling")).singleElement()
        .satisfies(e -> assertThat(e.getCount()).isGreaterThanOrEqualTo(2)));

    client.nodes().resource(node("node-big", "16")).create();
    await().atMost(WAIT).untilAsserted(() -> {
      Pod p = get("huge");
      assertThat(p.getSpec().getNodeName()).isEqualTo("node-big");
      assertThat(scheduled(p).getStatus()).isEqualTo("True");
    });
  }

  @Test
  @Order(4)
  void servesHealthAndMetrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + scheduler.port();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");
    String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("scheduler_schedule_attempts_total{result=\"scheduled\"}")
        .contains("scheduler_schedule_attempts_total{result=\"unschedulable\"}")
        .contains("scheduler_pod_scheduling_duration_seconds_bucket")
        .contains("scheduler_pending_pods{queue=\"unschedulable\"}");
    // every pod bound so far (hello, six web replicas, huge) is counted once its binding is answered
    await().atMost(WAIT).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body())
        .contains("scheduler_schedule_attempts_total{result=\"scheduled\"} 8.0"));
  }

  @Test
  @Order(5)
  void topologySpreadConstraintsBalanceZones() {
    // node-1 and node-2 in zone-a, node-3 alone in zone-b; node-big has no zone
    for (String[] nz : new String[][] {{"node-1", "zone-a"}, {"node-2", "zone-a"}, {"node-3", "zone-b"}}) {
      client.nodes().withName(nz[0]).edit(n -> new NodeBuilder(n).editMetadata().addToLabels(ZONE, nz[1]).endMetadata()
          .build());
    }
    for (int i = 0; i < 4; i++) {
      client.pods().inNamespace(NS).resource(pod("zs-" + i, "100m").editMetadata().addToLabels("app", "zs").endMetadata()
          .editSpec().addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey(ZONE)
          .withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector().addToMatchLabels("app", "zs").endLabelSelector()
          .endTopologySpreadConstraint().endSpec().build()).create();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      List<Pod> pods = client.pods().inNamespace(NS).withLabel("app", "zs").list().getItems();
      assertThat(pods).hasSize(4).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotNull());
      Map<String, Long> perZone = pods.stream().collect(Collectors.groupingBy(
          p -> p.getSpec().getNodeName().equals("node-3") ? "zone-b" : "zone-a", HashMap::new, Collectors.counting()));
      assertThat(perZone).containsEntry("zone-a", 2L).containsEntry("zone-b", 2L);
    });

    client.pods().inNamespace(NS).resource(pod("no-racks", "100m").editSpec().addNewTopologySpreadConstraint()
        .withMaxSkew(1).withTopologyKey("example.com/rack").withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector()
        .addToMatchLabels("app", "zs").endLabelSelector().endTopologySpreadConstraint().endSpec().build()).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(get("no-racks"))).isNotNull()
        .extracting(PodCondition::getMessage).isEqualTo(
            "0/4 nodes are available: 4 node(s) didn't match pod topology spread constraints (missing required label). "
                + "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."));
  }

  @Test
  @Order(6)
  void requiredPodAffinityAndAntiAffinityFollowZones() {
    client.pods().inNamespace(NS).resource(pod("cache", "100m").editMetadata().addToLabels("app", "cache").endMetadata()
        .editSpec().withNodeSelector(Map.of(ZONE, "zone-b")).endSpec().build()).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("cache").getSpec().getNodeName()).isEqualTo("node-3"));
    for (int i = 0; i < 3; i++) {
      client.pods().inNamespace(NS).resource(pod("near-" + i, "100m").editSpec().withNewAffinity().withNewPodAffinity()
          .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey(ZONE).withNewLabelSelector()
          .addToMatchLabels("app", "cache").endLabelSelector().endRequiredDuringSchedulingIgnoredDuringExecution()
          .endPodAffinity().endAffinity().endSpec().build()).create();
    }
    client.pods().inNamespace(NS).resource(pod("far", "100m").editSpec().withNewAffinity().withNewPodAntiAffinity()
        .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey(ZONE).withNewLabelSelector()
        .addToMatchLabels("app", "cache").endLabelSelector().endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity().endAffinity().endSpec().build()).create();
    await().atMost(WAIT).untilAsserted(() -> {
      for (int i = 0; i < 3; i++) assertThat(get("near-" + i).getSpec().getNodeName()).isEqualTo("node-3");
      assertThat(get("far").getSpec().getNodeName()).isNotNull().isNotEqualTo("node-3");
    });

    client.pods().inNamespace(NS).resource(pod("lonely", "100m").editSpec().withNewAffinity().withNewPodAffinity()
        .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey(ZONE).withNewLabelSelector()
        .addToMatchLabels("app", "nobody").endLabelSelector().endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAffinity().endAffinity().endSpec().build()).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(get("lonely"))).isNotNull()
        .extracting(PodCondition::getMessage).isEqualTo("0/4 nodes are available: 4 node(s) didn't match pod affinity rules. "
            + "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."));
  }

  @Test
  @Order(7)
  void aHigherPriorityPodPreemptsALowerOne() {
    Node small = new NodeBuilder(node("node-small", "1")).editOrNewSpec().addNewTaint().withKey("dedicated")
        .withValue("preemption").withEffect("NoSchedule").endTaint().endSpec().build();
    client.nodes().resource(small).create();
    client.pods().inNamespace(NS).resource(onSmall("victim", "800m", 1)).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("victim").getSpec().getNodeName()).isEqualTo("node-small"));

    Pod preemptor = client.pods().inNamespace(NS).resource(onSmall("preemptor", "600m", 1000)).create();
    await().atMost(WAIT).untilAsserted(() -> {
      Pod victim = get("victim");
      assertThat(victim.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(victim.getStatus().getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("DisruptionTarget");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("PreemptionByScheduler");
      });
      assertThat(get("preemptor").getStatus().getNominatedNodeName()).isEqualTo("node-small");
      assertThat(events("victim", "Preempted")).singleElement().satisfies(e -> assertThat(e.getMessage())
          .isEqualTo("Preempted by pod " + preemptor.getMetadata().getUid() + " on node node-small"));
    });
    // the room is the preemptor's only once the victim is gone (as a kubelet would finish the graceful deletion)
    assertThat(get("preemptor").getSpec().getNodeName()).isNull();
    client.pods().inNamespace(NS).withName("victim").withGracePeriod(0).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("preemptor").getSpec().getNodeName()).isEqualTo("node-small"));

    // preemptionPolicy Never: a pod of higher priority waits instead of evicting
    client.pods().inNamespace(NS).resource(onSmall("filler", "300m", 1)).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("filler").getSpec().getNodeName()).isEqualTo("node-small"));
    Pod polite = new PodBuilder(onSmall("polite", "400m", 500)).editSpec().withPreemptionPolicy("Never").endSpec().build();
    client.pods().inNamespace(NS).resource(polite).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(get("polite"))).isNotNull()
        .extracting(PodCondition::getMessage).asString().endsWith(" preemption: not eligible due to preemptionPolicy=Never."));
    assertThat(get("filler").getMetadata().getDeletionTimestamp()).isNull();
    assertThat(get("polite").getStatus().getNominatedNodeName()).isNull();
  }

  /** A pod that can only run on node-small, with the given cpu request and priority. */
  private static Pod onSmall(String name, String cpu, int priority) {
    return pod(name, cpu).editSpec().withPriority(priority).withNodeSelector(Map.of("kubernetes.io/hostname", "node-small"))
        .addNewToleration().withKey("dedicated").withOperator("Exists").endToleration().endSpec().build();
  }

  @Test
  @Order(10)
  void onlyTheLeaderSchedulesAndAnotherTakesOver() {
    SchedulerServer standby = SchedulerServer.start(config(), options("b"));
    try {
      client.pods().inNamespace(NS).resource(pod("while-a-leads", "100m").build()).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("while-a-leads", "Scheduled")).singleElement()
          .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo("test-a")));
      assertThat(leaseHolder()).isEqualTo("test-a");
      assertThat(standby.scheduler().isScheduling()).isFalse();

      scheduler.close();
      scheduler = null;
      await().atMost(WAIT).untilAsserted(() -> assertThat(leaseHolder()).isEqualTo("test-b"));
      client.pods().inNamespace(NS).resource(pod("after-takeover", "100m").build()).create();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(get("after-takeover").getSpec().getNodeName()).isNotNull();
        assertThat(events("after-takeover", "Scheduled")).singleElement()
            .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo("test-b"));
      });
    } finally {
      standby.close();
    }
  }

  @Test
  @Order(11)
  void schedulingResumesAfterAnApiServerOutage() {
    SchedulerServer c = SchedulerServer.start(config(), options("c"));
    try {
      await().atMost(WAIT).untilAsserted(() -> assertThat(leaseHolder()).isEqualTo("test-c"));
      await().atMost(WAIT).until(() -> c.scheduler().isScheduling());
      server.stopServer();
      // the lease cannot be renewed: past the renew deadline the scheduler stops
      await().atMost(WAIT).until(() -> !c.scheduler().isScheduling());
      server.startServer();
      await().atMost(WAIT).untilAsserted(() -> assertThat(leaseHolder()).isEqualTo("test-c"));
      client.pods().inNamespace(NS).resource(pod("after-outage", "100m").build()).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(get("after-outage").getSpec().getNodeName()).isNotNull());
    } finally {
      c.close();
    }
  }

  @Test
  @Order(12)
  void withoutLeaderElectionItSchedulesAtOnce() {
    SchedulerOptions alone = options("e").withLeaderElection(false, Duration.ofSeconds(15), Duration.ofSeconds(10),
        Duration.ofSeconds(2));
    try (SchedulerServer e = SchedulerServer.start(config(), alone)) {
      assertThat(e.scheduler().isScheduling()).isTrue();
      client.pods().inNamespace(NS).resource(pod("no-election", "100m").build()).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("no-election", "Scheduled")).singleElement()
          .satisfies(ev -> assertThat(ev.getReportingInstance()).isEqualTo("test-e")));
      assertThat(leaseHolder()).isNotEqualTo("test-e");
    }
  }

  @Test
  @Order(13)
  void startupErrorsAreOneLine() {
    assertThatThrownBy(() -> SchedulerServer.start(dir.resolve("missing"), options("c")))
        .isInstanceOf(SchedulerServer.StartupException.class).hasMessageContaining("does not exist");
    Config unreachable = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:1")
        .withRequestRetryBackoffLimit(0).build();
    assertThatThrownBy(() -> SchedulerServer.start(unreachable, options("d")))
        .isInstanceOf(SchedulerServer.StartupException.class).hasMessageContaining("cannot reach the API server");
  }
}
