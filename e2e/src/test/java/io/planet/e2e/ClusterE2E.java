package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.hollow.HollowNodes;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kubectl against a cluster's brain: API server (garbage collection on), scheduler, controller-manager, and three
 * hollow nodes (the named fake standing in for node agents) — what a user sees when workloads are created, scaled and
 * deleted.
 */
@Timeout(180)
class ClusterE2E {
  static TestApiServer server;
  static KubernetesClient client;
  static HollowNodes nodes;
  static SchedulerServer scheduler;
  static ControllerManager controllers;
  static Kubectl kubectl;
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    server = new TestApiServer(c -> c.withGarbageCollector(true));
    client = Fabric8.client(server);
    nodes = new HollowNodes(client, new HollowNodes.Options("node", 3, "2", "4Gi", 50, 40, Duration.ofSeconds(2))).start();
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(server.url()).build();
    scheduler = SchedulerServer.start(config, SchedulerOptions.defaults().withLeaderElection(false,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)).withServing("127.0.0.1", 0));
    controllers = new ControllerManager(Fabric8.client(server), KnownControllers.select(List.of("*")),
        LeaderElection.defaults("e2e").withEnabled(false), "127.0.0.1", 0).start();
    work = Files.createTempDirectory("planet-cluster-e2e-");
    kubectl = new Kubectl(installed.get(0), server.writeKubeconfig(work), work);
  }

  @AfterAll
  static void stop() {
    if (controllers != null) controllers.close();
    if (scheduler != null) scheduler.close();
    if (nodes != null) nodes.close();
    if (client != null) client.close();
    if (server != null) server.close();
  }

  private static String ns(String name) {
    kubectl.run("create", "namespace", name).assertSuccess();
    return name;
  }

  private static String replicaSet(String name, int replicas, String cpu) {
    return """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: %s}
        spec:
          replicas: %d
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers:
              - name: c
                image: busybox
                resources: {requests: {cpu: %s}}
        """.formatted(name, replicas, name, name, cpu);
  }

  private static List<JsonNode> pods(String ns, String selector) {
    List<JsonNode> out = new ArrayList<>();
    kubectl.getJson("-n", ns, "pods", "-l", selector).path("items").forEach(out::add);
    return out;
  }

  private static long running(String ns, String selector) {
    return pods(ns, selector).stream()
        .filter(p -> p.at("/status/phase").asText().equals("Running") && !p.at("/spec/nodeName").asText().isEmpty())
        .count();
  }

  @Test
  void replicaSetPodsAreScheduledSpreadAndScaled() {
    String ns = ns("rs");
    kubectl.run("-n", ns, "apply", "-f", kubectl.manifest("rs.yaml", replicaSet("web", 3, "100m")).toString()).assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> running(ns, "app=web") == 3);
    // a controller's pods spread across the nodes
    assertThat(pods(ns, "app=web").stream().map(p -> p.at("/spec/nodeName").asText()).distinct().count()).isEqualTo(3);
    kubectl.run("-n", ns, "scale", "rs", "web", "--replicas=5").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> running(ns, "app=web") == 5);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(kubectl.run("-n", ns, "get", "rs", "web").assertSuccess().stdout()).containsPattern("web\\s+5\\s+5\\s+5"));
    kubectl.run("-n", ns, "scale", "rs", "web", "--replicas=1").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> pods(ns, "app=web").size() == 1);
  }

  @Test
  void deploymentsRollOutAndBack() {
    String ns = ns("deploy");
    kubectl.run("-n", ns, "create", "deployment", "web", "--image=busybox:1.36", "--replicas=3").assertSuccess();
    kubectl.run("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s").assertSuccess();
    assertThat(running(ns, "app=web")).isEqualTo(3);

    kubectl.run("-n", ns, "set", "image", "deployment/web", "busybox=busybox:1.37").assertSuccess();
    Kubectl.Result status = kubectl.run("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s").assertSuccess();
    assertThat(status.stdout()).contains("successfully rolled out");
    await().atMost(Duration.ofSeconds(30)).until(() -> pods(ns, "app=web").stream()
        .allMatch(p -> p.at("/spec/containers/0/image").asText().equals("busybox:1.37")) && running(ns, "app=web") == 3);
    assertThat(kubectl.run("-n", ns, "rollout", "history", "deployment/web").assertSuccess().stdout())
        .containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");

    kubectl.run("-n", ns, "rollout", "undo", "deployment/web").assertSuccess();
    kubectl.run("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s").assertSuccess();
    assertThat(kubectl.getJson("-n", ns, "deployment", "web").at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("busybox:1.36");
    await().atMost(Duration.ofSeconds(30)).until(() -> pods(ns, "app=web").stream()
        .allMatch(p -> p.at("/spec/containers/0/image").asText().equals("busybox:1.36")) && running(ns, "app=web") == 3);

    kubectl.run("-n", ns, "scale", "deployment/web", "--replicas=5").assertSuccess();
    kubectl.run("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s").assertSuccess();
    assertThat(kubectl.run("-n", ns, "get", "deployment", "web").assertSuccess().stdout()).containsPattern("web\\s+5/5\\s+5\\s+5");
  }

  @Test
  void servicesGetEndpoints() {
    String ns = ns("svc");
    kubectl.run("-n", ns, "create", "deployment", "api", "--image=busybox", "--replicas=2", "--port=8080").assertSuccess();
    kubectl.run("-n", ns, "expose", "deployment", "api", "--port=80", "--target-port=8080").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode ep = kubectl.getJson("-n", ns, "endpoints", "api");
      assertThat(ep.at("/subsets/0/addresses")).hasSize(2);
      assertThat(ep.at("/subsets/0/ports/0/port").asInt()).isEqualTo(8080);
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode slices = kubectl.getJson("-n", ns, "endpointslices", "-l", "kubernetes.io/service-name=api");
      assertThat(slices.at("/items/0/endpoints")).hasSize(2);
    });
  }

  @Test
  void unschedulablePodsSayWhy() {
    String ns = ns("big");
    kubectl.run("-n", ns, "run", "huge", "--image=busybox", "--overrides",
        "{\"spec\":{\"containers\":[{\"name\":\"huge\",\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"64\"}}}]}}")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String describe = kubectl.run("-n", ns, "describe", "pod", "huge").assertSuccess().stdout();
      assertThat(describe).contains("FailedScheduling").contains("0/3 nodes are available: 3 Insufficient cpu.");
    });
    assertThat(kubectl.run("-n", ns, "get", "pod", "huge").assertSuccess().stdout()).contains("Pending");
  }

  @Test
  void cascadingDeletes() {
    String ns = ns("cascade");
    kubectl.run("-n", ns, "apply", "-f", kubectl.manifest("orphan.yaml", replicaSet("keep", 2, "10m")).toString()).assertSuccess();
    kubectl.run("-n", ns, "apply", "-f", kubectl.manifest("fg.yaml", replicaSet("gone", 2, "10m")).toString()).assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> running(ns, "app=keep") == 2 && running(ns, "app=gone") == 2);

    kubectl.run("-n", ns, "delete", "rs", "keep", "--cascade=orphan").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> pods(ns, "app=keep").stream()
        .allMatch(p -> p.at("/metadata/ownerReferences").isMissingNode() || p.at("/metadata/ownerReferences").isEmpty()));
    assertThat(pods(ns, "app=keep")).hasSize(2);

    kubectl.run("-n", ns, "delete", "rs", "gone", "--cascade=foreground").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> pods(ns, "app=gone").isEmpty());
    assertThat(kubectl.run("-n", ns, "get", "rs", "gone").exitCode()).isNotZero();
  }

  @Test
  void deletingANamespaceDeletesItsContents() {
    String ns = ns("doomed");
    kubectl.run("-n", ns, "create", "configmap", "c", "--from-literal=a=b").assertSuccess();
    kubectl.run("-n", ns, "apply", "-f", kubectl.manifest("doomed.yaml", replicaSet("w", 2, "10m")).toString()).assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> running(ns, "app=w") == 2);
    kubectl.run("get", "serviceaccount", "default", "-n", ns).assertSuccess();
    kubectl.run("delete", "namespace", ns).assertSuccess();
    assertThat(kubectl.run("get", "namespace", ns).stderr()).contains("NotFound");
  }
}
