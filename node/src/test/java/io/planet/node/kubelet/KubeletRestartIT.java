package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStoreAccess;
import io.planet.node.image.TestImages;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.Mounts;
import io.planet.node.runtime.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node agent stops (its containers run on, as after kill -9 of upstream's kubelet) and a new one on the same
 * directories adopts its pods: same containers, start times and restart counts; an exit while it was away is
 * reported with its real code; a pod deleted meanwhile leaves nothing behind.
 */
class KubeletRestartIT {
  static final String NODE = "restart-it";
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static Kubelet.Paths paths;
  static String image;
  static String bridge;
  static String cidr;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-restart");
    paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    bridge = "pr" + Long.toHexString(System.nanoTime() & 0xffffffL);
    cidr = "10.197." + (int) (Math.random() * 250) + ".0/24";
    kubelet = newKubelet();
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
  }

  static Kubelet newKubelet() throws Exception {
    // the node's address pinned: other tests' bridges come and go on this machine
    NodeStatusManager.Options d = NodeStatusManager.Options.defaults(NODE, paths.dataDir());
    NodeStatusManager.Options node = new NodeStatusManager.Options(d.nodeName(), d.dataDir(), "127.0.0.1", d.labels(), d.taints(),
        d.leaseRenewInterval(), d.leaseDurationSeconds(), d.statusUpdateInterval(), d.statusReportInterval());
    return new Kubelet(client, node, paths, Set.of(), Duration.ofSeconds(1),
        Duration.ofSeconds(4), PodNetworking.cni(client, NODE, cidr, tmp.resolve("cni"), bridge), 0, List.of(), "cluster.local");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (client != null) {
        client.pods().inAnyNamespace().delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
      }
    } finally {
      closeAll();
    }
  }

  private static void closeAll() throws Exception {
    if (kubelet != null) kubelet.close();
    if (bridge != null) Commands.run("sh", "-c", "ip link del " + bridge + " 2>/dev/null || true");
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
    ImageStoreAccess.deleteTree(tmp);
  }

  private static Pod create(String name, String restartPolicy, String script) {
    return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script).endContainer()
        .endSpec().build()).create();
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  private static ContainerStatus main(String pod) {
    return get(pod).getStatus().getContainerStatuses().get(0);
  }

  private static boolean ready(String pod) {
    Pod p = get(pod);
    return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
        && p.getStatus().getContainerStatuses() != null && p.getStatus().getContainerStatuses().get(0).getReady();
  }

  private static Path containerDir(ContainerStatus s) {
    return paths.dataDir().resolve("containers").resolve(s.getContainerID().substring("runc://".length()));
  }

  private static int ticks(String pod) {
    String log = client.pods().inNamespace("default").withName(pod).getLog();
    return (int) log.lines().filter(l -> l.startsWith("tick ")).count();
  }

  @Test
  void aNewAgentAdoptsRunningPodsAndCleansUpDeletedOnes() throws Exception {
    create("long", "Always", "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done");
    create("once", "Never", "echo started; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye; exit 3");
    Pod gone = create("gone", "Always", "exec sleep 1000");
    for (String p : List.of("long", "once", "gone")) await().atMost(Duration.ofSeconds(60)).until(() -> ready(p));
    await().atMost(Duration.ofSeconds(10)).until(() -> ticks("long") >= 5);
    ContainerStatus before = main("long");
    String podIp = get("long").getStatus().getPodIP();
    Path onceDir = containerDir(main("once"));
    Path goneDir = containerDir(main("gone"));
    String goneId = goneDir.getFileName().toString();
    long goneContainerPid = Long.parseLong(Files.readString(goneDir.resolve("pid")).trim());
    String goneUid = gone.getMetadata().getUid();

    // the agent goes away; its containers do not
    kubelet.close();
    kubelet = null;
    Files.createFile(onceDir.resolve("rootfs/tmp/go"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(onceDir.resolve("exit")));
    client.pods().inNamespace("default").withName("gone").withGracePeriod(0).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> get("gone") == null);
    assertThat(ProcessHandle.of(goneContainerPid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());

    kubelet = newKubelet();
    kubelet.start();

    // the running pod is the same: container, start time, restart count, IP; and it stays Ready
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      ContainerStatus after = main("long");
      assertThat(after.getContainerID()).isEqualTo(before.getContainerID());
      assertThat(after.getState().getRunning()).isNotNull();
      assertThat(after.getState().getRunning().getStartedAt()).isEqualTo(before.getState().getRunning().getStartedAt());
      assertThat(after.getRestartCount()).isZero();
      assertThat(after.getReady()).isTrue();
      assertThat(get("long").getStatus().getPodIP()).isEqualTo(podIp);
    });
    // its log goes on, nothing lost while no agent read it
    int seen = ticks("long");
    await().atMost(Duration.ofSeconds(20)).until(() -> ticks("long") >= seen + 20);
    List<String> lines = client.pods().inNamespace("default").withName("long").getLog().lines().toList();
    for (int i = 0; i < seen + 20; i++) assertThat(lines).contains("tick " + i);

    // the pod whose container exited meanwhile reports how it ended, and is done
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(get("once").getStatus().getPhase()));
    ContainerStatus once = main("once");
    assertThat(once.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(once.getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(once.getRestartCount()).isZero();
    assertThat(client.pods().inNamespace("default").withName("once").getLog()).isEqualTo("started\nbye\n");

    // the pod deleted meanwhile is gone from the node: process, runc state, mounts, netns, cgroups, files
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(goneContainerPid).map(h -> !h.isAlive()).orElse(true));
    assertThat(new Runc(paths.runDir().resolve("runc")).list()).doesNotContain(goneId);
    assertThat(Files.exists(goneDir)).isFalse();
    assertThat(Mounts.under(paths.dataDir()).stream().map(Path::toString)).noneMatch(m -> m.contains(goneId) || m.contains(goneUid));
    assertThat(Files.exists(Path.of("/run/netns/planet-" + goneUid))).isFalse();
    assertThat(Files.exists(paths.runDir().resolve("pods").resolve(goneUid))).isFalse();
    assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/planet/pod" + goneUid))).isFalse();
    assertThat(Files.exists(paths.dataDir().resolve("pods").resolve(goneUid))).isFalse();
    assertThat(Files.exists(paths.logsDir().resolve("default_gone_" + goneUid))).isFalse();
    assertThat(Files.exists(paths.dataDir().resolve("sandboxes").resolve(goneUid + ".json"))).isFalse();
  }
}
