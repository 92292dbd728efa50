package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a new user does first, with the real launcher: {@code bin/planet start} (in the background) gives a Ready node
 * and a kubeconfig; a Deployment of the bundled busybox image serving HTTP is reached through its Service by DNS
 * name from another pod; {@code planet status} is healthy; {@code planet test} (the smoke suite) passes; {@code planet stop} leaves no process, mount, network
 * namespace, bridge or KUBE- chain; {@code planet start} again finds the Deployment. Its own data, run and log
 * directories, bridge, pod CIDR and ports, so it runs beside other clusters on the machine (root only).
 */
@Timeout(600)
class PlanetStartE2E {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path work;
  static Path planet;
  static List<String> flags;
  static String bridge;
  static Kubectl kubectl;
  static boolean kubeChainsBefore;

  @BeforeAll
  static void setUp() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "planet start needs root");
    planet = Path.of("../bin/planet").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.exists(Path.of("../cli/target/planet.jar")), "cli/target/planet.jar is not built");
    kubeChainsBefore = Commands.run("iptables-save").contains(":KUBE-");
    work = Files.createTempDirectory("planet-start-e2e-");
    ThreadLocalRandom r = ThreadLocalRandom.current();
    bridge = "pse" + Long.toHexString(System.nanoTime() & 0xfffffL);
    int base = 20000 + r.nextInt(0, 400) * 10;
    flags = List.of("--data-dir", work.resolve("data").toString(), "--run-dir", work.resolve("run").toString(),
        "--log-dir", work.resolve("log").toString(), "--config-dir", work.resolve("etc").toString(),
        "--user-kubeconfig", work.resolve("home/.kube/config").toString(), "--node-name", "e2e-node", "--bridge", bridge,
        "--cluster-cidr", "10." + r.nextInt(200, 250) + ".0.0/16",
        "--apiserver-port", Integer.toString(base), "--etcd-port", Integer.toString(base + 1),
        "--etcd-peer-port", Integer.toString(base + 2), "--kubelet-port", Integer.toString(base + 3),
        "--scheduler-port", Integer.toString(base + 4), "--controller-manager-port", Integer.toString(base + 5));
    kubectl = new Kubectl(installed.get(0), work.resolve("etc/admin.kubeconfig"), work);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (work == null) return;
    planet("stop", "--run-dir", work.resolve("run").toString(), "--purge", "--yes", "--timeout", "5");
    new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
    try (Stream<Path> walk = Files.walk(work)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  record Run(int exitCode, String output) {}

  static Run planet(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(planet.toString()));
    cmd.addAll(List.of(args));
    // stdout only (status prints JSON there); stderr (warnings, one-line errors) goes to the test's output
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    System.out.print(out);
    return new Run(p.exitValue(), out);
  }

  static Run start() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("start"));
    args.addAll(flags);
    return planet(args.toArray(String[]::new));
  }

  @Test
  void startServeStopAndResume() throws Exception {
    long t0 = System.nanoTime();
    Run started = start();
    long startMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(started.exitCode()).as(started.output()).isZero();
    assertThat(started.output()).contains("planet start: node e2e-node Ready").contains("planet start: ready in");
    assertThat(started.output()).contains("written to " + work.resolve("etc/admin.kubeconfig") + " and " + work.resolve("home/.kube/config"));
    System.out.printf("PlanetStartE2E: planet start -> node Ready in %d ms%n", startMs);

    Run again = start();
    assertThat(again.exitCode()).isZero();
    assertThat(again.output()).contains("already running");

    Run status = planet("status", "--run-dir", work.resolve("run").toString(), "--output", "json");
    assertThat(status.exitCode()).as(status.output()).isZero();
    JsonNode report = JSON.readTree(status.output());
    assertThat(report.path("status").asText()).isEqualTo("healthy");
    assertThat(report.at("/nodes/0/name").asText()).isEqualTo("e2e-node");
    assertThat(report.at("/nodes/0/ready").asBoolean()).isTrue();
    List<String> checks = new ArrayList<>();
    report.path("checks").forEach(c -> checks.add(c.path("name").asText() + "=" + c.path("status").asText()));
    assertThat(checks).contains("etcd=ok", "apiserver=ok", "time=ok", "scheduler=ok", "controller-manager=ok", "kubelet=ok",
        "dns=ok", "supervisor=ok");
    assertThat(report.at("/nodes/0/leaseAgeSeconds").asDouble()).isBetween(0.0, 40.0);
    long pid = report.path("pid").asLong();
    long etcdPid = Long.parseLong(Files.readString(work.resolve("run/etcd.pid")).trim());
    long rss = rssKb(pid) + rssKb(etcdPid);
    System.out.printf("PlanetStartE2E: resident memory JVM + etcd after start: %d MB%n", rss / 1024);

    // the built-in smoke suite passes against the fresh cluster and leaves its namespace behind it deleted
    Run smoke = planet("test", "--kubeconfig", work.resolve("etc/admin.kubeconfig").toString(), "--output", "json");
    assertThat(smoke.exitCode()).as(smoke.output()).isZero();
    JsonNode smokeReport = JSON.readTree(smoke.output());
    assertThat(smokeReport.path("status").asText()).isEqualTo("passed");
    List<String> cases = new ArrayList<>();
    smokeReport.path("cases").forEach(c -> cases.add(c.path("name").asText() + "=" + c.path("status").asText()));
    assertThat(cases).containsExactly("namespace=pass", "deployment=pass", "service-dns=pass", "logs=pass", "exec=pass",
        "scale=pass", "rolling-update=pass", "cleanup=pass");
    assertThat(kubectl.run("get", "namespace", smokeReport.path("namespace").asText()).exitCode()).isNotZero();

    componentLogs();
    etcdKilledIsRestarted();

    java.util.regex.Matcher imported = java.util.regex.Pattern.compile("imported (planet\\.local/busybox:[0-9.]+)")
        .matcher(started.output());
    assertThat(imported.find()).as("the bundled busybox image is imported at start").isTrue();
    String image = imported.group(1);
    // kubectl cluster-info: the control plane and the kube-system Services labelled kubernetes.io/cluster-service
    assertThat(kubectl.run("cluster-info").assertSuccess().stdout()).contains("Kubernetes control plane is running at")
        .contains("CoreDNS is running at").contains("/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy");
    kubectl.run("create", "deployment", "web", "--image=" + image, "--",
        "sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www").assertSuccess();
    kubectl.run("expose", "deployment", "web", "--port=80").assertSuccess();
    // a client that ignores TERM, with a grace period of 2 s: planet stop kills it after 2 s, not the --timeout
    kubectl.run("run", "client", "--image=" + image, "--restart=Never",
        "--overrides={\"apiVersion\":\"v1\",\"spec\":{\"terminationGracePeriodSeconds\":2}}", "--command", "--",
        "sh", "-c", "trap '' TERM; while true; do sleep 1; done").assertSuccess();
    kubectl.run("rollout", "status", "deployment/web", "--timeout=120s").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/client", "--timeout=120s").assertSuccess();
    String backend = kubectl.getJson("pods", "-l", "app=web").at("/items/0/metadata/name").asText();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(kubectl.run("exec", "client", "--", "wget", "-qO-", "http://web.default.svc.cluster.local/")
            .assertSuccess().stdout().trim()).isEqualTo(backend));
    localPathStorage(image);
    List<String> podUids = new ArrayList<>();
    kubectl.getJson("pods").path("items").forEach(p -> podUids.add(p.at("/metadata/uid").asText()));

    t0 = System.nanoTime();
    Run stopped = planet("stop", "--run-dir", work.resolve("run").toString(), "--timeout", "6");
    long stopMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("PlanetStartE2E: planet stop took %d ms%n", stopMs);
    assertThat(stopped.exitCode()).as(stopped.output()).isZero();
    // every pod at once: the client after its own 2 s, the web server (30 s by default) after the --timeout
    java.util.regex.Matcher client = java.util.regex.Pattern.compile(
        "planet stop: reset: pod default/client still running after ([0-9.]+) s: killed \\(grace period 2 s\\)")
        .matcher(stopped.output());
    assertThat(client.find()).as(stopped.output()).isTrue();
    assertThat(Double.parseDouble(client.group(1))).isBetween(2.0, 3.5);
    assertThat(stopped.output()).containsPattern("planet stop: reset: pod default/web-[a-z0-9-]+ (stopped after|still running "
        + "after [0-9.]+ s: killed \\(grace period 6 s\\))");
    assertThat(stopMs).isLessThan(40_000);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(ProcessHandle.of(etcdPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    for (String uid : podUids) assertThat(Path.of("/run/netns/planet-" + uid)).doesNotExist();
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertThat(mounts).doesNotContain(work.toString());
    assertThat(Path.of("/sys/class/net", bridge)).doesNotExist();
    if (!kubeChainsBefore) assertThat(Commands.run("iptables-save")).doesNotContain(":KUBE-");
    assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(work.toString())).toList())
        .isEmpty();

    Run resumed = start();
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(kubectl.getJson("deployment", "web").at("/metadata/name").asText()).isEqualTo("web");
    kubectl.run("rollout", "status", "deployment/web", "--timeout=120s").assertSuccess();
    assertThat(planet("status", "--run-dir", work.resolve("run").toString()).exitCode()).isZero();
  }

  /**
   * The default StorageClass: a claim with no class is provisioned on the node of its pod (the kubelet reading the
   * claim and volume with its node credentials), and its directory goes with the claim (reclaim Delete).
   */
  void localPathStorage(String image) throws Exception {
    assertThat(kubectl.run("get", "storageclass").assertSuccess().stdout())
        .containsPattern("standard \\(default\\) +planet.io/local-path +Delete +WaitForFirstConsumer +false");
    kubectl.runWithInput("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: store}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 100Mi}}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: store}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: %s, command: [sh, -c, 'echo kept > /data/file; exec sleep 1000'],
             volumeMounts: [{name: data, mountPath: /data}]}
          volumes: [{name: data, persistentVolumeClaim: {claimName: store}}]
        """.formatted(image), "apply", "-f", "-").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/store", "--timeout=120s").assertSuccess();
    assertThat(kubectl.run("exec", "store", "--", "cat", "/data/file").assertSuccess().stdout()).isEqualTo("kept\n");
    String pv = kubectl.getJson("pvc", "store").at("/spec/volumeName").asText();
    String storage = kubectl.getJson("node", "e2e-node").at("/metadata/annotations").path("planet.io/local-path-dir").asText();
    Path dir = Path.of(storage, pv);
    assertThat(Files.readString(dir.resolve("file"))).isEqualTo("kept\n");
    kubectl.run("delete", "pod", "store", "--wait=true", "--timeout=60s").assertSuccess();
    kubectl.run("delete", "pvc", "store", "--wait=true", "--timeout=60s").assertSuccess();
    kubectl.run("wait", "--for=delete", "pv/" + pv, "--timeout=60s").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(dir));
  }

  /** Each component has its own log file; planet logs prints one, or planet.log, and refuses an unknown one. */
  void componentLogs() throws Exception {
    Path log = work.resolve("log");
    for (String f : List.of("planet.log", "etcd.log", "apiserver.log", "scheduler.log", "controller-manager.log",
        "kubelet.log")) {
      assertThat(log.resolve(f)).exists();
    }
    assertThat(Files.readString(log.resolve("planet.log"))).contains("planet start: ready in");
    Run apiserver = planet("logs", "apiserver", "--log-dir", log.toString());
    assertThat(apiserver.exitCode()).isZero();
    assertThat(apiserver.output()).isNotBlank().doesNotContain("planet start:");
    Run planetLog = planet("logs", "--log-dir", log.toString());
    assertThat(planetLog.output()).contains("planet start: node e2e-node Ready");
    assertThat(planet("logs", "no-such-component", "--log-dir", log.toString()).exitCode()).isEqualTo(2);
  }

  /**
   * SIGKILL to the cluster's etcd: the supervisor sees it exit and starts a new one after its back-off; the API
   * works on; planet status counts the restart (a warning) and the log says what happened.
   */
  void etcdKilledIsRestarted() throws Exception {
    Path pidFile = work.resolve("run/etcd.pid");
    long old = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(old).orElseThrow().destroyForcibly()).isTrue();
    // the pid file is absent while the supervisor replaces the member
    await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(java.nio.file.NoSuchFileException.class).untilAsserted(() -> {
      long now = Long.parseLong(Files.readString(pidFile).trim());
      assertThat(now).isNotEqualTo(old);
      assertThat(ProcessHandle.of(now).map(ProcessHandle::isAlive).orElse(false)).isTrue();
    });
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(kubectl.run("get", "nodes", "e2e-node").exitCode()).isZero();
      assertThat(kubectl.run("create", "configmap", "after-etcd-restart", "--from-literal=k=v").exitCode()).isZero();
    });
    assertThat(kubectl.getJson("configmap", "after-etcd-restart").at("/data/k").asText()).isEqualTo("v");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Run status = planet("status", "--run-dir", work.resolve("run").toString(), "--output", "json");
      JsonNode report = JSON.readTree(status.output());
      JsonNode etcd = null;
      for (JsonNode c : report.path("components")) if (c.path("name").asText().equals("etcd")) etcd = c;
      assertThat(etcd).isNotNull();
      assertThat(etcd.path("restarts").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(etcd.path("state").asText()).isEqualTo("running");
      List<String> checks = new ArrayList<>();
      report.path("checks").forEach(c -> checks.add(c.path("name").asText() + "=" + c.path("status").asText()));
      assertThat(checks).contains("etcd=ok", "apiserver=ok", "supervisor=warning");
      assertThat(status.exitCode()).isZero();
    });
    String log = Files.readString(work.resolve("log/planet.log"));
    assertThat(log).contains("supervisor: etcd is down (etcd (pid " + old + ") exited with 137 (signal 9)); restarting it in 1 s"
        + " (back-off; restart 1)");
    assertThat(log).contains("supervisor: restarted etcd (restart 1,");
    kubectl.run("delete", "configmap", "after-etcd-restart").assertSuccess();
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return 0;
  }
}
