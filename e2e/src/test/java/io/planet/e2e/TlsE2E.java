package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.planet.api.Json;
import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Keys;
import io.planet.apiserver.pki.Kubeconfigs;
import io.planet.apiserver.pki.PemFiles;
import io.planet.apiserver.testing.EtcdTestServer;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure API server as a user starts it: {@code bin/planet apiserver --data-dir D} makes the PKI and the
 * kubeconfigs, the real kubectl and fabric8 use them over TLS, foreign and expired certificates are refused, and
 * {@code planet certs check|rotate} keep every kubeconfig signed by the CA working. Also the harness's
 * {@link TestApiServer#withTls()}.
 */
class TlsE2E {
  private static final Path PLANET = Path.of("../bin/planet").toAbsolutePath().normalize();

  @TempDir static Path work;
  private static EtcdTestServer etcd;
  private static Path dataDir;
  private static int port;
  private static Process apiserver;
  private static Path apiserverLog;
  private static int starts;
  private static KubectlBinary kubectlBinary;

  @BeforeAll
  static void start() throws Exception {
    kubectlBinary = KubectlBinaries.required().stream().filter(b -> b.minor() == 32).findFirst().orElseThrow();
    etcd = EtcdTestServer.started();
    dataDir = work.resolve("data");
    port = EtcdTestServer.freePort();
    startApiServer();
  }

  private static void startApiServer() throws IOException {
    apiserverLog = work.resolve("apiserver-" + ++starts + ".log");
    apiserver = new ProcessBuilder(PLANET.toString(), "apiserver", "--etcd-servers=" + etcd.endpoint(), "--port=" + port,
        "--data-dir=" + dataDir, "--node-name=e2e-node").redirectErrorStream(true)
        .redirectOutput(apiserverLog.toFile()).start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(apiserver.isAlive()).as(() -> log()).isTrue();
      assertThat(Files.readString(apiserverLog)).contains("serving on https://127.0.0.1:" + port);
    });
  }

  private static void stopApiServer() throws InterruptedException {
    apiserver.destroy();
    if (!apiserver.waitFor(20, TimeUnit.SECONDS)) apiserver.destroyForcibly().waitFor();
  }

  private static String log() {
    try {
      return Files.readString(apiserverLog);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (apiserver != null) stopApiServer();
    } finally {
      if (etcd != null) etcd.close();
    }
  }

  private static Kubectl kubectl(Path kubeconfig) {
    assumeTrue(kubectlBinary.present(), () -> "NOTICE: skipped: " + kubectlBinary.missingReason());
    return new Kubectl(kubectlBinary, kubeconfig, work);
  }

  private static Kubectl.Result planet(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PLANET.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Kubectl.Result(cmd, p.exitValue(), out, err);
  }

  @Test
  void oneCommandWritesAKubeconfigPerComponent() {
    for (String f : List.of("admin.kubeconfig", "scheduler.kubeconfig", "controller-manager.kubeconfig", "proxy.kubeconfig",
        "kubelet-e2e-node.kubeconfig")) {
      assertThat(dataDir.resolve(f)).exists();
    }
    assertThat(dataDir.resolve("pki/ca.crt")).exists();
    assertThat(dataDir.resolve("pki/sa.key")).exists();
    assertThat(dataDir.resolve("pki/kubelet-e2e-node.crt")).exists();
  }

  /** A kubeconfig trusting the cluster CA that presents only a bearer token. */
  private static Path tokenKubeconfig(String name, String token) throws IOException {
    return Files.writeString(work.resolve(name + ".kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d", certificate-authority: "%s"}}]
        contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]
        current-context: c
        users: [{name: u, user: {token: "%s"}}]
        """.formatted(port, dataDir.resolve("pki/ca.crt"), token));
  }

  @Test
  void bootstrapAndServiceAccountTokensAuthenticate() throws Exception {
    Kubectl.Result created = planet("token", "create", "--kubeconfig", dataDir.resolve("admin.kubeconfig").toString(), "--ttl", "1h");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    String token = created.stdout().trim();
    assertThat(token).matches("[a-z0-9]{6}\\.[a-z0-9]{16}");
    String id = token.substring(0, 6);
    JsonNode secret = kubectl(dataDir.resolve("admin.kubeconfig")).getJson("secret", "-n", "kube-system",
        "bootstrap-token-" + id);
    assertThat(secret.path("type").asText()).isEqualTo("bootstrap.kubernetes.io/token");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kubectl(tokenKubeconfig("join", token))
        .run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}").assertSuccess().stdout())
        .isEqualTo("system:bootstrap:" + id
            + " [\"system:bootstrappers\",\"system:bootstrappers:kubeadm:default-node-token\",\"system:authenticated\"]"));

    Kubectl admin = kubectl(dataDir.resolve("admin.kubeconfig"));
    admin.run("create", "serviceaccount", "e2e-robot", "-n", "default").assertSuccess();
    String saToken = admin.run("create", "token", "e2e-robot", "-n", "default", "--duration", "15m").assertSuccess().stdout().trim();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kubectl(tokenKubeconfig("robot", saToken))
        .run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").assertSuccess().stdout())
        .isEqualTo("system:serviceaccount:default:e2e-robot"));
  }

  @Test
  void kubectlWithTheAdminKubeconfig() {
    Kubectl k = kubectl(dataDir.resolve("admin.kubeconfig"));
    assertThat(k.run("get", "ns").assertSuccess().stdout()).contains("default", "kube-system");
    String whoami = k.run("auth", "whoami").assertSuccess().stdout();
    assertThat(whoami).containsPattern("Username\\s+kubernetes-admin");
    assertThat(whoami).containsPattern("Groups\\s+\\[system:masters system:authenticated\\]");
    JsonNode review = k.run("auth", "whoami", "-o", "json").json();
    assertThat(review.path("kind").asText()).isEqualTo("SelfSubjectReview");
    assertThat(review.at("/status/userInfo/username").asText()).isEqualTo("kubernetes-admin");
  }

  @Test
  void componentKubeconfigsAuthenticateAsTheirComponents() {
    assertThat(kubectl(dataDir.resolve("scheduler.kubeconfig")).run("auth", "whoami").assertSuccess().stdout())
        .containsPattern("Username\\s+system:kube-scheduler");
    assertThat(kubectl(dataDir.resolve("kubelet-e2e-node.kubeconfig")).run("auth", "whoami").assertSuccess().stdout())
        .containsPattern("Username\\s+system:node:e2e-node").containsPattern("Groups\\s+\\[system:nodes system:authenticated\\]");
  }

  @Test
  void fabric8WithTheAdminKubeconfig() throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig")));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName()).contains("default");
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("over-tls")
          .endMetadata().addToData("k", "v").build()).create();
      assertThat(client.configMaps().inNamespace("default").withName("over-tls").get().getData()).containsEntry("k", "v");
    }
  }

  @Test
  void certificateFromAnotherCaIsRefused() throws Exception {
    ClusterPki foreign = ClusterPki.at(work.resolve("foreign-pki"));
    foreign.ensure(List.of(CertSpec.client("admin", "kubernetes-admin", List.of("system:masters"))));
    Path kc = work.resolve("foreign.kubeconfig");
    Kubeconfigs.write(kc, "https://127.0.0.1:" + port, foreign, "admin");
    // trust the real server (its CA), present the foreign certificate
    JsonNode doc = Json.YAML.readTree(Files.readString(kc));
    ((com.fasterxml.jackson.databind.node.ObjectNode) doc.at("/clusters/0/cluster")).put("certificate-authority",
        dataDir.resolve("pki/ca.crt").toString()).remove("certificate-authority-data");
    Files.writeString(kc, Json.YAML.writeValueAsString(doc));
    // kubectl's words for a 401
    assertThat(kubectl(kc).run("get", "ns").assertFailure().stderr()).contains("You must be logged in to the server");
  }

  @Test
  void serverCertificateFromAnotherCaIsNotTrusted() throws Exception {
    ClusterPki foreign = ClusterPki.at(work.resolve("other-ca"));
    foreign.ensure(List.of(CertSpec.client("admin", "kubernetes-admin", List.of("system:masters"))));
    Path kc = work.resolve("wrong-ca.kubeconfig");
    Kubeconfigs.write(kc, "https://127.0.0.1:" + port, foreign, "admin");
    assertThat(kubectl(kc).run("get", "ns").assertFailure().stderr()).contains("certificate signed by unknown authority");
  }

  @Test
  void expiredClientCertificateIsRefused() throws Exception {
    ClusterPki real = ClusterPki.at(dataDir.resolve("pki"));
    Path dir = work.resolve("expired-pki");
    KeyPair pair = Keys.generate();
    PemFiles.writeCertificate(dir.resolve("old.crt"), real.ca().issue(
        CertSpec.client("old", "kubernetes-admin", List.of("system:masters")), pair.getPublic(),
        Instant.now().minus(Duration.ofDays(400)), Duration.ofDays(365)));
    PemFiles.writePrivateKey(dir.resolve("old.key"), pair.getPrivate());
    Files.copy(real.caFile(), dir.resolve("ca.crt"));
    Path kc = work.resolve("expired.kubeconfig");
    Kubeconfigs.write(kc, "https://127.0.0.1:" + port, ClusterPki.at(dir), "old");
    assertThat(kubectl(kc).run("get", "ns").assertFailure().stderr()).contains("You must be logged in to the server");
  }

  @Test
  void rotationKeepsEveryKubeconfigWorking() throws Exception {
    Kubectl.Result check = planet("certs", "check", "--data-dir", dataDir.toString());
    assertThat(check.exitCode()).as(check.toString()).isZero();
    assertThat(check.stdout()).contains("admin.kubeconfig", "kubelet-e2e-node", "apiserver");
    JsonNode json = Json.MAPPER.readTree(planet("certs", "check", "--data-dir", dataDir.toString(), "--output", "json").stdout());
    assertThat(json.path("certificates")).allSatisfy(c -> assertThat(c.path("status").asText()).isEqualTo("ok"));

    Path before = Files.copy(dataDir.resolve("admin.kubeconfig"), work.resolve("before-rotate.kubeconfig"));
    byte[] ca = Files.readAllBytes(dataDir.resolve("pki/ca.crt"));
    byte[] apiserverCert = Files.readAllBytes(dataDir.resolve("pki/apiserver.crt"));
    Kubectl.Result rotate = planet("certs", "rotate", "--data-dir", dataDir.toString());
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    assertThat(Files.readAllBytes(dataDir.resolve("pki/ca.crt"))).isEqualTo(ca);
    assertThat(Files.readAllBytes(dataDir.resolve("pki/apiserver.crt"))).isNotEqualTo(apiserverCert);
    assertThat(Files.readString(dataDir.resolve("admin.kubeconfig"))).isNotEqualTo(Files.readString(before));

    // the running server, then a restarted one serving the renewed certificate: old and new kubeconfigs both work
    assertThat(kubectl(before).run("get", "ns").assertSuccess().stdout()).contains("default");
    assertThat(kubectl(dataDir.resolve("admin.kubeconfig")).run("get", "ns").assertSuccess().stdout()).contains("default");
    stopApiServer();
    startApiServer();
    assertThat(kubectl(before).run("auth", "whoami").assertSuccess().stdout()).contains("kubernetes-admin");
    assertThat(kubectl(dataDir.resolve("admin.kubeconfig")).run("get", "ns").assertSuccess().stdout()).contains("default");
    assertThat(Files.readAllBytes(dataDir.resolve("pki/ca.crt"))).isEqualTo(ca);
  }

  @Test
  void harnessServerWithTlsServesFabric8AndKubectl() throws Exception {
    try (TestApiServer server = TestApiServer.withTls()) {
      Config config = Config.fromKubeconfig(Files.readString(server.adminKubeconfig()));
      BlockingQueue<String> events = new LinkedBlockingQueue<>();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
          Watch w = client.namespaces().watch(new Watcher<Namespace>() {
            @Override
            public void eventReceived(Action action, Namespace ns) {
              events.add(action + " " + ns.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {}
          })) {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
            .withName("tls-watch").endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("ADDED tls-watch"));
      }
      assertThat(kubectl(server.writeKubeconfig(Files.createDirectories(work.resolve("harness")))).run("get", "ns", "tls-watch")
          .assertSuccess().stdout()).contains("tls-watch");
    }
  }
}
