package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.hollow.HollowNodes;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node dies: its hollow node agent stops, the controller-manager (the real {@code planet controller-manager} process,
 * its node grace period shortened by flags) marks the node unreachable and taints it, the pods there are deleted once
 * their toleration runs out, and the Deployment is whole again on the nodes that are left.
 */
@Timeout(120)
class NodeFailureE2E {
  private static final String NS = "default";
  static TestApiServer server;
  static KubernetesClient client;
  static HollowNodes stable;
  static HollowNodes doomed;
  static SchedulerServer scheduler;
  static Process controllerManager;
  static Path work;
  static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    Path jar = planetJar();
    Assumptions.assumeTrue(Files.isRegularFile(jar), "no " + jar + " (build the cli module first)");
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    server = new TestApiServer(c -> c.withGarbageCollector(true));
    client = Fabric8.client(server);
    work = Files.createTempDirectory("planet-node-failure-e2e-");
    Path kubeconfig = server.writeKubeconfig(work);
    kubectl = new Kubectl(installed.get(0), kubeconfig, work);
    // the node to stop runs in its own instance, as it would be its own process
    stable = new HollowNodes(client, new HollowNodes.Options("stable", 3, "2", "4Gi", 50, 40, Duration.ofMillis(500))).start();
    doomed = new HollowNodes(client, new HollowNodes.Options("doomed", 1, "2", "4Gi", 50, 40, Duration.ofMillis(500))).start();
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(server.url()).build();
    scheduler = SchedulerServer.start(config, SchedulerOptions.defaults().withLeaderElection(false,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)).withServing("127.0.0.1", 0));
    String java = ProcessHandle.current().info().command().orElse("java");
    controllerManager = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xss512k", "-jar", jar.toString(),
        "controller-manager", "--kubeconfig", kubeconfig.toString(), "--leader-elect=false", "--port", "0",
        "--node-monitor-grace-period=3s", "--node-monitor-period=1s")
        .redirectErrorStream(true).redirectOutput(work.resolve("controller-manager.log").toFile()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (controllerManager != null) {
      controllerManager.destroy();
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) controllerManager.destroyForcibly().waitFor();
    }
    if (scheduler != null) scheduler.close();
    if (doomed != null) doomed.close();
    if (stable != null) stable.close();
    if (client != null) client.close();
    if (server != null) server.close();
    if (work != null) {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** cli/target/planet.jar of this checkout; the e2e module runs in its own directory. */
  private static Path planetJar() {
    Path dir = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(dir.resolve("cli")) ? dir : dir.getParent();
    return root.resolve("cli/target/planet.jar");
  }

  private static String deployment(String name, int replicas) {
    // upstream counts the eviction delay from the pods' own toleration of the unreachable taint
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          replicas: %d
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              tolerations:
              - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
              containers:
              - name: c
                image: busybox
                resources: {requests: {cpu: 100m}}
        """.formatted(name, replicas, name, name);
  }

  private static List<Pod> pods(String app) {
    return client.pods().inNamespace(NS).withLabel("app", app).list().getItems();
  }

  private static List<Pod> live(String app) {
    List<Pod> out = new ArrayList<>();
    for (Pod p : pods(app)) if (p.getMetadata().getDeletionTimestamp() == null) out.add(p);
    return out;
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static void awaitAllReady(String app, int replicas) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Deployment d = client.apps().deployments().inNamespace(NS).withName(app).get();
      assertThat(d.getStatus()).isNotNull();
      assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
      assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(replicas);
      assertThat(live(app)).hasSize(replicas).allSatisfy(p -> assertThat(ready(p)).isTrue());
    });
  }

  private static String log() {
    try {
      return Files.readString(work.resolve("controller-manager.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void aStoppedNodesPodsAreEvictedAndReplacedOnTheOtherNodes() {
    kubectl.run("-n", NS, "apply", "-f", kubectl.manifest("web.yaml", deployment("web", 4)).toString()).assertSuccess();
    try {
      awaitAllReady("web", 4);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\ncontroller-manager log:\n" + log(), e);
    }
    // spread: every node runs one of them, the one about to stop included
    Set<String> doomedPods = live("web").stream().filter(p -> "doomed-0".equals(p.getSpec().getNodeName()))
        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    assertThat(doomedPods).as("pods on doomed-0").isNotEmpty();

    doomed.close(); // the node agent is gone: no more lease renewals or status
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Node n = client.nodes().withName("doomed-0").get();
      NodeCondition ready = n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
          .findFirst().orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("Unknown");
      List<Taint> taints = n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
      assertThat(taints).extracting(t -> t.getKey() + ":" + t.getEffect())
          .contains("node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule");
    });
    // after their 2 s toleration the pods there are deleted (they stay Terminating: no agent confirms, as upstream)
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      for (Pod p : pods("web")) {
        if (doomedPods.contains(p.getMetadata().getName())) assertThat(p.getMetadata().getDeletionTimestamp()).isNotNull();
      }
    });
    // and the Deployment is whole again, all on the nodes that are left
    awaitAllReady("web", 4);
    assertThat(live("web")).extracting(p -> p.getSpec().getNodeName()).doesNotContain("doomed-0")
        .allSatisfy(n -> assertThat(n).startsWith("stable-"));

    // what the user sees
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String events = kubectl.run("-n", NS, "get", "events").assertSuccess().stdout();
      assertThat(events).contains("TaintManagerEviction").contains("Marking for deletion Pod default/"
          + doomedPods.iterator().next());
      assertThat(kubectl.run("describe", "node", "doomed-0").assertSuccess().stdout())
          .contains("NodeNotReady").contains("Node doomed-0 status is now: NodeNotReady");
      assertThat(kubectl.run("-n", NS, "describe", "deployment", "web").assertSuccess().stdout())
          .contains("ScalingReplicaSet").contains("to 4");
    });
  }
}
