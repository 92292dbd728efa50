package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kubectl port-forward} and fabric8's {@code portForward} through the API server to a pod run by a real kubelet:
 * httpd on 127.0.0.1:80 inside the pod (only reachable from its network namespace) and on 0.0.0.0:8080 behind a
 * Service (root only).
 */
@Timeout(300)
class PortForwardE2E {
  static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");
  static TestApiServer server;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Kubectl kubectl;
  static Path work;
  static Path kubeconfig;
  static String bridge;
  static String uid;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the node agent needs root");
    work = Files.createTempDirectory("planet-pf-e2e-");
    Path archive = work.resolve("busybox.oci.tar");
    Process build = new ProcessBuilder(Path.of("../scripts/build-busybox-image").toAbsolutePath().normalize().toString(),
        archive.toString()).inheritIO().start();
    assertThat(build.waitFor()).isZero();

    server = new TestApiServer();
    client = Fabric8.client(server);
    Kubelet.Paths paths = new Kubelet.Paths(work.resolve("data"), work.resolve("run"), work.resolve("logs"), Path.of("/run/netns"));
    bridge = "pp" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.196." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(Fabric8.client(server), NodeStatusManager.Options.defaults("node-1", paths.dataDir()), paths,
        Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(10),
        PodNetworking.cni(client, "node-1", cidr, work.resolve("cni"), bridge), 0);
    String image = new ArchiveImporter(kubelet.images()).importArchive(archive, null).get(0).names().get(0);
    kubelet.start();
    kubeconfig = server.writeKubeconfig(work);
    kubectl = new Kubectl(installed.get(0), kubeconfig, work);

    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web")
        .addToLabels("app", "web").endMetadata()
        .withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c",
            "mkdir -p /local /public && echo only-inside > /local/index.html && echo from-anywhere > /public/index.html"
                + " && httpd -p 127.0.0.1:80 -h /local && exec httpd -f -p 8080 -h /public")
        .addNewPort().withName("http").withContainerPort(8080).endPort()
        .endContainer().endSpec().build()).create();
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80)
        .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString("http")).endPort().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        "Running".equals(client.pods().inNamespace("default").withName("web").get().getStatus().getPhase()));
    uid = client.pods().inNamespace("default").withName("web").get().getMetadata().getUid();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inAnyNamespace().delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
    }
    if (kubelet != null) kubelet.close();
    if (client != null) client.close();
    if (server != null) server.close();
    if (bridge != null) new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
    if (work != null) {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void kubectlForwardsToThePodAndThroughTheService() throws Exception {
    try (Kubectl.Background pf = kubectl.start("port-forward", "pod/web", ":80")) {
      int port = localPort(pf, 80);
      // two connections at once: the server only listens on the pod's loopback
      CompletableFuture<HttpResponse<String>> a = fetchAsync(port);
      CompletableFuture<HttpResponse<String>> b = fetchAsync(port);
      assertThat(a.get().body()).isEqualTo("only-inside\n");
      assertThat(b.get().body()).isEqualTo("only-inside\n");
      assertThat(fetchAsync(port).get().body()).isEqualTo("only-inside\n");
      assertThat(pf.stdoutLines()).contains("Handling connection for " + port);
    }
    // the service's port 80 names the pod's targetPort "http" (8080)
    try (Kubectl.Background pf = kubectl.start("port-forward", "svc/web", ":80")) {
      int port = localPort(pf, 8080);
      assertThat(fetchAsync(port).get().body()).isEqualTo("from-anywhere\n");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void aPortNothingListensOnIsReportedByKubectl() throws Exception {
    try (Kubectl.Background pf = kubectl.start("port-forward", "pod/web", ":81")) {
      int port = localPort(pf, 81);
      CompletableFuture<HttpResponse<String>> r = fetchAsync(port);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(r).isCompletedExceptionally());
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(pf.stderr())
          .contains("an error occurred forwarding " + port + " -> 81")
          .contains("error forwarding port 81 to pod " + uid + ", uid : failed to execute portforward in network namespace")
          .contains("connect: connection refused"));
      // kubectl (since 1.23) closes the whole session once the error stream reports something, as against a real
      // kubelet: it exits, telling it lost the connection
      assertThat(pf.awaitExit(Duration.ofSeconds(20))).as(pf.toString()).isEqualTo(1);
      assertThat(pf.stderr()).contains("lost connection to pod");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void olderKubectlForwardsOverRawSpdy() throws Exception {
    Optional<KubectlBinary> old = KubectlBinaries.installed().stream().filter(k -> k.minor() == 30).findFirst();
    Assumptions.assumeTrue(old.isPresent(), "no kubectl.1.30 beside the PATH one");
    Kubectl k130 = new Kubectl(old.get(), kubeconfig, work);
    try (Kubectl.Background pf = k130.start("port-forward", "pod/web", ":80")) {
      int port = localPort(pf, 80);
      assertThat(fetchAsync(port).get().body()).isEqualTo("only-inside\n");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void fabric8ForwardsOverTheChannelProtocol() throws Exception {
    try (LocalPortForward inside = client.pods().inNamespace("default").withName("web").portForward(80);
         LocalPortForward outside = client.pods().inNamespace("default").withName("web").portForward(8080)) {
      assertThat(fetchAsync(inside.getLocalPort()).get().body()).isEqualTo("only-inside\n");
      assertThat(fetchAsync(outside.getLocalPort()).get().body()).isEqualTo("from-anywhere\n");
      assertThat(inside.errorOccurred()).isFalse();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  private static int localPort(Kubectl.Background pf, int remote) {
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(pf.isAlive()).as(pf.toString()).isTrue();
      Matcher m = pf.stdoutLines().stream().map(FORWARDING::matcher).filter(Matcher::find).findFirst().orElse(null);
      assertThat(m).as(pf.toString()).isNotNull();
      assertThat(Integer.parseInt(m.group(2))).isEqualTo(remote);
      port[0] = Integer.parseInt(m.group(1));
    });
    return port[0];
  }

  private static CompletableFuture<HttpResponse<String>> fetchAsync(int port) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The kubelet's nc helpers running in this pod's network namespace. */
  static List<Long> helpers() throws Exception {
    Object inode = Files.getAttribute(Path.of("/run/netns/planet-" + uid), "unix:ino");
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String ns = Files.readSymbolicLink(p.resolve("ns/net")).toString();
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (ns.equals("net:[" + inode + "]") && cmd.startsWith("busybox nc 127.0.0.1")) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (java.io.IOException e) {
          // the process ended meanwhile
        }
      }
    }
    return out;
  }
}
