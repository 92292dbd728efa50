package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two machines, as network namespaces are hosts (DESIGN §3): the master runs {@code bin/planet start} in this
 * namespace, advertising its end of a veth pair; the second host is a network namespace holding the other end, where
 * {@code bin/planet join} (token discovery, kubelet TLS bootstrap) makes it a node. The joined node is Ready with its
 * role, its CSRs are Approved,Issued, logs and exec reach its pod through the API server, a pod on the master reaches
 * that pod's IP with its own source address (host-gw routes, no masquerade), a wrong token fails with one line, and
 * {@code planet stop} on both leaves nothing behind. Own ports, directories, bridges, pod CIDR and link (root only).
 */
@Timeout(900)
class PlanetJoinE2E {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path work;
  static Path planet;
  static String suffix;
  static String netns;
  static String hostLink;
  static String masterIp;
  static String nodeIp;
  static String masterBridge;
  static String nodeBridge;
  static List<String> masterFlags;
  static List<String> nodeFlags;
  static int apiPort;
  static Kubectl kubectl;

  @BeforeAll
  static void setUp() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "planet start needs root");
    planet = Path.of("../bin/planet").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.exists(Path.of("../cli/target/planet.jar")), "cli/target/planet.jar is not built");
    ThreadLocalRandom r = ThreadLocalRandom.current();
    suffix = Long.toHexString(System.nanoTime() & 0xfffffL);
    work = Files.createTempDirectory("planet-join-e2e-");
    netns = "pje" + suffix;
    hostLink = "pje" + suffix + "a";
    masterBridge = "pjm" + suffix;
    nodeBridge = "pjn" + suffix;
    int subnet = freeSubnet();
    masterIp = "172.30." + subnet + ".1";
    nodeIp = "172.30." + subnet + ".2";
    sh("ip", "netns", "add", netns);
    sh("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", netns);
    sh("ip", "addr", "add", masterIp + "/24", "dev", hostLink);
    sh("ip", "link", "set", hostLink, "up");
    inNetns("ip", "link", "set", "lo", "up");
    inNetns("ip", "addr", "add", nodeIp + "/24", "dev", "eth0");
    inNetns("ip", "link", "set", "eth0", "up");
    int base = 21000 + r.nextInt(0, 400) * 10;
    apiPort = base;
    String clusterCidr = "10." + r.nextInt(150, 200) + ".0.0/16";
    masterFlags = List.of("--data-dir", work.resolve("m/data").toString(), "--run-dir", work.resolve("m/run").toString(),
        "--log-dir", work.resolve("m/log").toString(), "--config-dir", work.resolve("m/etc").toString(),
        "--user-kubeconfig", "", "--node-name", "pj-master", "--bridge", masterBridge, "--advertise-address", masterIp,
        "--cluster-cidr", clusterCidr,
        "--apiserver-port", Integer.toString(base), "--etcd-port", Integer.toString(base + 1),
        "--etcd-peer-port", Integer.toString(base + 2), "--kubelet-port", Integer.toString(base + 3),
        "--scheduler-port", Integer.toString(base + 4), "--controller-manager-port", Integer.toString(base + 5));
    nodeFlags = List.of("--data-dir", work.resolve("n/data").toString(), "--run-dir", work.resolve("n/run").toString(),
        "--log-dir", work.resolve("n/log").toString(), "--config-dir", work.resolve("n/etc").toString(),
        "--node-name", "pj-node", "--bridge", nodeBridge, "--advertise-address", nodeIp, "--cluster-cidr", clusterCidr,
        "--kubelet-port", Integer.toString(base + 6));
    kubectl = new Kubectl(installed.get(0), work.resolve("m/etc/admin.kubeconfig"), work);
  }

  /** A 172.30.x.0/24 no address or route of this machine is in. */
  static int freeSubnet() throws IOException, InterruptedException {
    String routes = sh("ip", "-o", "route", "show", "table", "all") + sh("ip", "-o", "addr");
    for (int i = 0; i < 50; i++) {
      int x = ThreadLocalRandom.current().nextInt(10, 250);
      if (!routes.contains("172.30." + x + ".") && !routes.contains("172.30.0.0/16")) return x;
    }
    throw new IllegalStateException("no free 172.30.x.0/24");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (work == null) return;
    if (Files.exists(work.resolve("n/run"))) {
      run(true, "stop", "--run-dir", work.resolve("n/run").toString(), "--purge", "--yes");
    }
    if (Files.exists(work.resolve("m/run"))) {
      run(false, "stop", "--run-dir", work.resolve("m/run").toString(), "--purge", "--yes");
    }
    new ProcessBuilder("ip", "netns", "del", netns).start().waitFor();
    for (String link : List.of(hostLink, masterBridge)) new ProcessBuilder("ip", "link", "del", link).start().waitFor();
    try (Stream<Path> walk = Files.walk(work)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  record Run(int exitCode, String stdout, String stderr) {}

  /** bin/planet, on the second host ({@code node}: in its network namespace) or on the master. */
  static Run run(boolean node, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    // only the network namespace: ip netns exec would also remount /sys, hiding /sys/fs/cgroup from the node
    if (node) cmd.addAll(List.of("nsenter", "--net=/run/netns/" + netns, "--"));
    cmd.add(planet.toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    System.out.print(r.stdout());
    System.err.print(r.stderr());
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  static String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    return out;
  }

  static String inNetns(String... cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(List.of(cmd));
    return sh(full.toArray(String[]::new));
  }

  static String[] join(String token, String hash) {
    List<String> args = new ArrayList<>(List.of("join", "https://" + masterIp + ":" + apiPort, "--token", token,
        "--discovery-token-ca-cert-hash", hash));
    args.addAll(nodeFlags);
    return args.toArray(String[]::new);
  }

  @Test
  void joinRunReachAndStop() throws Exception {
    List<String> start = new ArrayList<>(List.of("start"));
    start.addAll(masterFlags);
    Run master = run(false, start.toArray(String[]::new));
    assertThat(master.exitCode()).as(master.stdout() + master.stderr()).isZero();
    assertThat(master.stdout()).contains("cluster-info published for planet join https://" + masterIp + ":" + apiPort);
    Matcher imported = Pattern.compile("imported (planet\\.local/busybox:[0-9.]+)").matcher(master.stdout());
    assertThat(imported.find()).as("the bundled busybox image is imported at start").isTrue();
    String image = imported.group(1);

    Run created = run(false, "token", "create", "--print-join-command", "--kubeconfig",
        work.resolve("m/etc/admin.kubeconfig").toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    Matcher cmd = Pattern.compile("planet join (https://\\S+) --token ([a-z0-9]{6})\\.([a-z0-9]{16}) "
        + "--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})").matcher(created.stdout());
    assertThat(cmd.find()).as(created.stdout()).isTrue();
    assertThat(cmd.group(1)).isEqualTo("https://" + masterIp + ":" + apiPort);
    String id = cmd.group(2);
    String hash = cmd.group(4);

    // the bootstrap signer signs cluster-info for the new token shortly after it is created
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
        kubectl.run("get", "configmap", "cluster-info", "-n", "kube-public", "-o", "json").json()
            .path("data").has("jws-kubeconfig-" + id));

    Run unknown = run(true, join("zzzzzz.0123456789abcdef", hash));
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.stderr().strip().lines().toList()).as(unknown.stderr()).hasSize(1);
    assertThat(unknown.stderr()).contains("no JWS signed token").contains("zzzzzz");
    Run wrongSecret = run(true, join(id + ".0123456789abcdef", hash));
    assertThat(wrongSecret.exitCode()).isNotZero();
    assertThat(wrongSecret.stderr().strip().lines().toList()).as(wrongSecret.stderr()).hasSize(1);
    assertThat(wrongSecret.stderr()).contains("failed to verify the JWS signature");
    Run wrongCa = run(true, join(id + "." + cmd.group(3), "sha256:" + "0".repeat(64)));
    assertThat(wrongCa.exitCode()).isNotZero();
    assertThat(wrongCa.stderr()).contains("matches no --discovery-token-ca-cert-hash");

    Run joined = run(true, join(id + "." + cmd.group(3), hash));
    assertThat(joined.exitCode()).as(joined.stdout() + joined.stderr()).isZero();
    assertThat(joined.stdout()).contains("planet join: node pj-node Ready").contains("planet join: ready in");
    Matcher pid = Pattern.compile("running in the background \\(pid (\\d+)\\)").matcher(joined.stdout());
    assertThat(pid.find()).as(joined.stdout()).isTrue();
    assertThat(Files.readString(Path.of("/proc", pid.group(1), "cmdline")).replace('\0', ' '))
        .as("the bootstrap token is not on the background service's command line").contains("--role")
        .doesNotContain(cmd.group(3));

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonNode node = kubectl.getJson("node", "pj-node");
      assertThat(node.at("/metadata/labels").has("node-role.kubernetes.io/node")).isTrue();
      assertThat(node.at("/status/conditions").findValuesAsText("type")).contains("Ready");
    });
    assertThat(kubectl.run("get", "nodes").assertSuccess().stdout()).containsPattern("pj-node\\s+Ready\\s+node");

    JsonNode csrs = kubectl.getJson("csr");
    List<String> signers = new ArrayList<>();
    for (JsonNode c : csrs.path("items")) {
      if (!c.at("/spec/username").asText().matches("system:bootstrap:" + id + "|system:node:pj-node")) continue;
      assertThat(c.at("/status/conditions").findValuesAsText("type")).contains("Approved");
      assertThat(c.at("/status/certificate").asText()).isNotEmpty();
      signers.add(c.at("/spec/signerName").asText());
    }
    assertThat(signers).contains("kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving");
    assertThat(kubectl.run("get", "csr").assertSuccess().stdout()).contains("Approved,Issued");

    // a pod on the joined node answering HTTP with the address its client came from (busybox httpd CGI)
    String script = "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n'"
        + " > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && echo server-started && exec httpd -f -p 8080 -h /www";
    kubectl.run("run", "server", "--image=" + image, "--restart=Never", "--overrides",
        "{\"spec\":{\"nodeName\":\"pj-node\"}}", "--command", "--", "sh", "-c", script).assertSuccess();
    kubectl.run("run", "client", "--image=" + image, "--restart=Never", "--overrides",
        "{\"spec\":{\"nodeName\":\"pj-master\"}}", "--command", "--", "sleep", "3600").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/server", "pod/client", "--timeout=120s").assertSuccess();
    JsonNode server = kubectl.getJson("pod", "server");
    JsonNode client = kubectl.getJson("pod", "client");
    assertThat(server.at("/spec/nodeName").asText()).isEqualTo("pj-node");
    List<String> podUids = List.of(server.at("/metadata/uid").asText(), client.at("/metadata/uid").asText());
    String serverIp = server.at("/status/podIP").asText();
    String clientIp = client.at("/status/podIP").asText();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(kubectl.run("logs", "server").assertSuccess().stdout()).contains("server-started"));
    assertThat(kubectl.run("exec", "server", "--", "hostname").assertSuccess().stdout().strip()).isEqualTo("server");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(kubectl.run("exec", "client", "--", "wget", "-qO-", "http://" + serverIp + ":8080/cgi-bin/ip")
            .assertSuccess().stdout().strip()).as("pod to pod across nodes keeps the source address")
            .matches("\\[?(::ffff:)?" + Pattern.quote(clientIp) + "\\]?"));

    Run status = run(true, "status", "--run-dir", work.resolve("n/run").toString(), "-o", "json");
    JsonNode report = JSON.readTree(status.stdout());
    assertThat(report.at("/nodes/0/name").asText()).isEqualTo("pj-node");
    assertThat(report.at("/nodes/0/roles").toString()).contains("node");
    assertThat(report.at("/nodes/0/ready").asBoolean()).isTrue();

    Run stoppedNode = run(true, "stop", "--run-dir", work.resolve("n/run").toString());
    assertThat(stoppedNode.exitCode()).as(stoppedNode.stdout() + stoppedNode.stderr()).isZero();
    assertThat(stoppedNode.stdout()).contains("nothing left running");
    // a restart without the token re-uses the certificates the join got
    List<String> restart = new ArrayList<>(List.of("start", "--role=node", "--server", "https://" + masterIp + ":" + apiPort));
    restart.addAll(nodeFlags);
    Run restarted = run(true, restart.toArray(String[]::new));
    assertThat(restarted.exitCode()).as(restarted.stdout() + restarted.stderr()).isZero();
    assertThat(restarted.stdout()).contains("planet join: client certificate: re-used")
        .contains("planet join: serving certificate: re-used").contains("planet join: node pj-node Ready");
    Run stoppedAgain = run(true, "stop", "--run-dir", work.resolve("n/run").toString());
    assertThat(stoppedAgain.exitCode()).as(stoppedAgain.stdout() + stoppedAgain.stderr()).isZero();
    Run stoppedMaster = run(false, "stop", "--run-dir", work.resolve("m/run").toString());
    assertThat(stoppedMaster.exitCode()).as(stoppedMaster.stdout() + stoppedMaster.stderr()).isZero();
    for (String uid : podUids) assertThat(Path.of("/run/netns/planet-" + uid)).doesNotExist();
    assertThat(inNetns("ip", "-o", "link")).doesNotContain(nodeBridge);
    assertThat(sh("ip", "-o", "link")).doesNotContain(masterBridge);
    assertThat(sh("iptables-save")).doesNotContain("planet host-gw pj-master");
    assertThat(inNetns("iptables-save")).doesNotContain("planet host-gw pj-node");
    assertThat(sh("ip", "-o", "route")).doesNotContain("via " + nodeIp);
  }
}
