package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet admits a pod bound to its node before running it, as upstream's: one that does not fit (cpu beyond
 * allocatable, a host port in use, a nodeSelector the node does not match) ends Failed with upstream's reason and
 * message and none of its containers ever runs; one that fits runs. And shareProcessNamespace: the pod's containers
 * see each other's processes, PID 1 is the pod's pause process, and nothing is left when the pod goes.
 */
class PodAdmissionIT {
  static final String NODE = "admit-it";
  static KubeletHarness h;
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;
  static String cidr;

  @BeforeAll
  static void start() throws Exception {
    h = KubeletHarness.start(NODE, "pa", k -> k);
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image;
    bridge = h.bridge; cidr = h.cidr;
  }


  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  @Test
  void aPodAskingMoreCpuThanAllocatableIsRejectedAndNeverRuns() {
    long capacity = client.nodes().withName(NODE).get().getStatus().getAllocatable().get("cpu").getNumericalAmount()
        .multiply(java.math.BigDecimal.valueOf(1000)).longValue();
    Pod pod = client.pods().inNamespace("default").resource(sleeper("too-big").editSpec().editFirstContainer()
        .withNewResources().withRequests(Map.of("cpu", new Quantity("512"))).endResources().endContainer().endSpec().build())
        .create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("too-big")));
    Pod failed = get("too-big");
    assertThat(failed.getStatus().getReason()).isEqualTo("OutOfcpu");
    assertThat(failed.getStatus().getMessage()).isEqualTo("Pod was rejected: Node didn't have enough resource: cpu, "
        + "requested: 512000, used: 0, capacity: " + capacity);
    // and a Warning event says why, as upstream's rejectPod records it
    await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("default").list().getItems()
        .stream().anyMatch(e -> "too-big".equals(e.getInvolvedObject().getName()) && "OutOfcpu".equals(e.getReason())
            && "Warning".equals(e.getType()) && e.getMessage().startsWith("Node didn't have enough resource: cpu")));
    neverRan(pod.getMetadata().getUid());
  }

  @Test
  void aSecondPodOnTheSameHostPortIsRejectedTheFirstRuns() throws Exception {
    int port = freePort();
    client.pods().inNamespace("default").resource(withHostPort(sleeper("port-first"), port)).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("port-first"));
    Pod second = client.pods().inNamespace("default").resource(withHostPort(sleeper("port-second"), port)).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("port-second")));
    assertThat(get("port-second").getStatus().getReason()).isEqualTo("NodePorts");
    assertThat(get("port-second").getStatus().getMessage())
        .isEqualTo("Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    neverRan(second.getMetadata().getUid());
    assertThat(phase("port-first")).isEqualTo("Running");

    // the first one gone, the port is free again for a new pod
    delete("port-first");
    client.pods().inNamespace("default").resource(withHostPort(sleeper("port-third"), port)).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("port-third"));
    delete("port-third");
    delete("port-second");
  }

  @Test
  void aNodeSelectorTheNodeDoesNotMatchIsRejectedOneThatMatchesRuns() {
    Pod pod = client.pods().inNamespace("default").resource(sleeper("wrong-node").editSpec()
        .withNodeSelector(Map.of("disktype", "ssd")).endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("wrong-node")));
    assertThat(get("wrong-node").getStatus().getReason()).isEqualTo("NodeAffinity");
    assertThat(get("wrong-node").getStatus().getMessage())
        .isEqualTo("Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
    neverRan(pod.getMetadata().getUid());
    // a rejected pod still goes away when deleted
    delete("wrong-node");

    client.pods().inNamespace("default").resource(sleeper("right-node").editSpec()
        .withNodeSelector(Map.of("kubernetes.io/hostname", NODE)).editFirstContainer().withNewResources()
        .withRequests(Map.of("cpu", new Quantity("100m"))).endResources().endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("right-node"));
    delete("right-node");
  }

  @Test
  void containersOfAPodSharingItsProcessNamespaceSeeEachOtherAndThePause() throws Exception {
    Pod pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("shared-pid")
        .endMetadata().withNewSpec().withNodeName(NODE).withShareProcessNamespace(true).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("one").withImage(image).withCommand("sleep", "1001").endContainer()
        .addNewContainer().withName("two").withImage(image).withCommand("sleep", "1002").endContainer()
        .endSpec().build()).create();
    String uid = pod.getMetadata().getUid();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("shared-pid"));

    // each container sees the other's process, and PID 1 is the pod's pause process
    assertThat(exec("shared-pid", 0, "ps", "-o", "pid,args")).contains("sleep 1002").contains("sleep 1001");
    assertThat(exec("shared-pid", 1, "ps", "-o", "pid,args")).contains("sleep 1001");
    assertThat(exec("shared-pid", 1, "cat", "/proc/1/cmdline")).contains("planet-pause");
    assertThat(exec("shared-pid", 0, "readlink", "/proc/self/ns/pid")).isEqualTo(exec("shared-pid", 1, "readlink", "/proc/self/ns/pid"));
    long pause = pausePid(uid);
    assertThat(Files.readSymbolicLink(Path.of("/proc/" + pause + "/ns/pid")).toString() + "\n")
        .isEqualTo(exec("shared-pid", 0, "readlink", "/proc/self/ns/pid"));

    // a restarted agent adopts the pod with its pause process; a restarted container joins the same namespace
    String before = containerId("shared-pid", 0);
    h.stopKubelet();
    kubelet = h.startKubelet();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("shared-pid") && before.equals(containerId("shared-pid", 0)));
    assertThat(pausePid(uid)).isEqualTo(pause);
    Commands.run("runc", "--root", tmp.resolve("run/runc").toString(), "kill", containerId("shared-pid", 1), "KILL");
    await().atMost(Duration.ofSeconds(30)).until(() -> restarts("shared-pid", 1) == 1 && ready("shared-pid"));
    assertThat(exec("shared-pid", 1, "cat", "/proc/1/cmdline")).contains("planet-pause");
    assertThat(exec("shared-pid", 1, "ps", "-o", "pid,args")).contains("sleep 1001");

    // deleted: the pause and every process of the namespace are gone
    String pidNs = Files.readSymbolicLink(Path.of("/proc/" + pause + "/ns/pid")).toString();
    delete("shared-pid");
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pause).map(ProcessHandle::isAlive).orElse(false) == false);
    assertThat(processesIn(pidNs)).isEmpty();
    assertThat(tmp.resolve("run/pods/" + uid)).doesNotExist();
  }

  private static PodBuilder sleeper(String name) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
        .withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main").withImage(image)
        .withCommand("sleep", "1000").endContainer().endSpec();
  }

  private static Pod withHostPort(PodBuilder b, int port) {
    return b.editSpec().editFirstContainer().addNewPort().withContainerPort(80).withHostPort(port).endPort().endContainer()
        .endSpec().build();
  }

  /** Rejected: never a sandbox, container or container status, and it stays so. */
  private static void neverRan(String uid) {
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(tmp.resolve("run/pods/" + uid))
        && !Files.exists(tmp.resolve("data/sandboxes/" + uid + ".json")));
    Pod p = client.pods().inAnyNamespace().list().getItems().stream().filter(x -> x.getMetadata().getUid().equals(uid))
        .findFirst().orElseThrow();
    assertThat(p.getStatus().getContainerStatuses()).isNullOrEmpty();
    assertThat(p.getStatus().getPodIP()).isNull();
  }

  private static long pausePid(String uid) throws IOException {
    return Long.parseLong(Files.readString(tmp.resolve("run/pods/" + uid + "/pause")).trim().split(" ")[0]);
  }

  private static List<Long> processesIn(String pidNs) throws IOException {
    List<Long> out = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : s.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(pidNs)) out.add(Long.parseLong(p.getFileName().toString()));
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }

  private static String phase(String name) {
    Pod p = get(name);
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static boolean ready(String name) {
    Pod p = get(name);
    return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
        .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static int restarts(String name, int container) {
    Pod p = get(name);
    return p.getStatus().getContainerStatuses().get(container).getRestartCount();
  }

  private static String containerId(String name, int container) {
    Pod p = get(name);
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return null;
    String id = p.getStatus().getContainerStatuses().get(container).getContainerID();
    return id == null ? null : id.substring("runc://".length());
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  private static void delete(String name) {
    client.pods().inNamespace("default").withName(name).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get(name) == null);
  }

  /** Output of a command run in the pod's container (through runc, as exec does). */
  private static String exec(String pod, int container, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("runc", "--root", tmp.resolve("run/runc").toString(), "exec",
        containerId(pod, container)));
    cmd.addAll(List.of(command));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(proc.getInputStream().readAllBytes());
    proc.waitFor();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
