package io.planet.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.node.runtime.Commands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kubelet API against real pods: the stats summary and tty exec with window resizes. */
class KubeletApiIT {
  static final String NODE = "kubelet-api-it";
  static final ObjectMapper JSON = new ObjectMapper();
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;
  static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-kubelet-api");
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    bridge = "pa" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.197." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(client, NodeStatusManager.Options.defaults(NODE, paths.dataDir()), paths, Set.of(),
        Duration.ofSeconds(1), Duration.ofSeconds(4), PodNetworking.cni(client, NODE, cidr, tmp.resolve("cni"), bridge), 0);
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
    // the kubelet's serving certificate is self-signed: trusted blindly here
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      public void checkServerTrusted(X509Certificate[] c, String a) {}

      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    https = HttpClient.newBuilder().sslContext(ssl).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inAnyNamespace().delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
    }
    if (kubelet != null) kubelet.close();
    if (bridge != null) Commands.run("sh", "-c", "ip link del " + bridge + " 2>/dev/null || true");
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
    if (tmp != null) ImageStoreAccess.deleteTree(tmp);
  }

  private static Pod running(String name, String script) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script)
          .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
        .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec();
    Pod created = client.pods().inNamespace("default").resource(b.build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(
        client.pods().inNamespace("default").withName(name).get().getStatus().getPhase()));
    return created;
  }

  private static String base() {
    String host = client.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
    return "https://" + host + ":" + kubelet.port();
  }

  private static JsonNode summary(String query) throws Exception {
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base() + "/stats/summary" + query)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  private static JsonNode podStats(JsonNode summary, String name) {
    for (JsonNode p : summary.path("pods")) {
      if (p.path("podRef").path("name").asText().equals(name)) return p;
    }
    return null;
  }

  @Test
  void statsSummaryMeasuresTheNodeAndItsPods() throws Exception {
    // 512 KiB in the emptyDir, 256 KiB in the writable layer, a line in the log
    Pod pod = running("stats", "dd if=/dev/zero of=/data/blob bs=1024 count=512 2>/dev/null; "
        + "dd if=/dev/zero of=/tmp/layer bs=1024 count=256 2>/dev/null; echo written; exec sleep 1000");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace("default").withName("stats").getLog()
        .contains("written"));

    JsonNode s = summary("");
    JsonNode node = s.path("node");
    assertThat(node.path("nodeName").asText()).isEqualTo(NODE);
    assertThat(node.path("startTime").asText()).endsWith("Z");
    assertThat(node.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
    assertThat(node.path("memory").path("workingSetBytes").asLong()).isPositive();
    assertThat(node.path("memory").path("availableBytes").asLong()).isPositive();
    assertThat(node.path("fs").path("capacityBytes").asLong()).isPositive();
    assertThat(node.path("fs").path("usedBytes").asLong()).isPositive();
    assertThat(node.path("runtime").path("imageFs").path("usedBytes").asLong()).isPositive();
    assertThat(node.path("rlimit").path("maxpid").asLong())
        .isEqualTo(Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim()));
    assertThat(node.path("rlimit").path("curproc").asLong()).isPositive();
    assertThat(node.path("systemContainers").findValuesAsText("name")).contains("kubelet", "pods");

    JsonNode p = podStats(s, "stats");
    assertThat(p).as(s.toString()).isNotNull();
    assertThat(p.path("podRef").path("namespace").asText()).isEqualTo("default");
    assertThat(p.path("podRef").path("uid").asText()).isEqualTo(pod.getMetadata().getUid());
    assertThat(p.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
    assertThat(p.path("memory").path("workingSetBytes").asLong()).isPositive();
    JsonNode c = p.path("containers").get(0);
    assertThat(c.path("name").asText()).isEqualTo("main");
    assertThat(c.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
    assertThat(c.path("memory").path("usageBytes").asLong()).isPositive();
    assertThat(c.path("memory").has("availableBytes")).as("no memory limit: no availableBytes").isFalse();
    assertThat(c.path("rootfs").path("usedBytes").asLong()).isGreaterThanOrEqualTo(256 * 1024);
    assertThat(c.path("rootfs").path("capacityBytes").asLong()).isPositive();
    assertThat(c.path("logs").path("usedBytes").asLong()).isPositive();
    JsonNode volume = p.path("volume").get(0);
    assertThat(volume.path("name").asText()).isEqualTo("data");
    assertThat(volume.path("usedBytes").asLong()).isGreaterThanOrEqualTo(512 * 1024);
    assertThat(volume.path("inodesUsed").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(p.path("ephemeral-storage").path("usedBytes").asLong()).isGreaterThanOrEqualTo(768 * 1024);
    // the pod's own network namespace: its eth0 on the bridge, not the host's interfaces
    assertThat(p.path("network").path("name").asText()).isEqualTo("eth0");
    assertThat(p.path("network").path("interfaces").findValuesAsText("name")).containsExactly("eth0");
    assertThat(p.path("process_stats").path("process_count").asLong()).isEqualTo(1);

    // a rate needs two samples: the next request reports usageNanoCores
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
      JsonNode again = podStats(summary(""), "stats");
      return again != null && again.path("containers").get(0).path("cpu").has("usageNanoCores")
          && again.path("cpu").has("usageNanoCores");
    });

    JsonNode only = summary("?only_cpu_and_memory=true");
    assertThat(only.path("node").has("fs")).isFalse();
    assertThat(only.path("node").has("network")).isFalse();
    assertThat(only.path("node").path("memory").path("workingSetBytes").asLong()).isPositive();
    JsonNode op = podStats(only, "stats");
    assertThat(op.has("network")).isFalse();
    assertThat(op.has("volume")).isFalse();
    assertThat(op.path("containers").get(0).has("rootfs")).isFalse();
    assertThat(op.path("containers").get(0).path("memory").path("workingSetBytes").asLong()).isPositive();

    // through the API server's node proxy, as `kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`
    String proxied = client.raw(apiServer.url() + "/api/v1/nodes/" + NODE + "/proxy/stats/summary");
    assertThat(podStats(JSON.readTree(proxied), "stats")).isNotNull();
  }

  /** Collects a remote-command WebSocket's streams. */
  private static final class Streams implements WebSocket.Listener {
    final StringBuffer stdout = new StringBuffer();
    final StringBuffer error = new StringBuffer();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      message.writeBytes(b);
      if (last) {
        byte[] m = message.toByteArray();
        message.reset();
        String text = new String(m, 1, m.length - 1, StandardCharsets.UTF_8);
        if (m[0] == 1) stdout.append(text);
        if (m[0] == 3) error.append(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable e) {
      closed.completeExceptionally(e);
    }
  }

  private static void send(WebSocket ws, int stream, String data) {
    byte[] d = data.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(d.length + 1).put((byte) stream).put(d).flip();
    ws.sendBinary(b, true).join();
  }

  @Test
  void ttyExecFollowsTheClientsWindowSize() throws Exception {
    running("tty", "exec sleep 1000");
    Streams streams = new Streams();
    WebSocket ws = https.newWebSocketBuilder().subprotocols("v5.channel.k8s.io")
        .buildAsync(URI.create(base().replace("https://", "wss://") + "/exec/default/tty/main?command=sh&input=1"
            + "&output=1&tty=1"), streams).get(30, TimeUnit.SECONDS);
    // as kubectl: the terminal's size right away, then typing
    send(ws, 4, "{\"Width\":132,\"Height\":50}");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (streams.stdout.toString().contains("50 132")) return true;
      send(ws, 0, "stty size\n");
      return false;
    });
    // a later resize reaches the running shell's terminal too
    send(ws, 4, "{\"Width\":100,\"Height\":30}");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (streams.stdout.toString().contains("30 100")) return true;
      send(ws, 0, "stty size\n");
      return false;
    });
    send(ws, 0, "exit 3\n");
    assertThat(streams.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(streams.error.toString()).contains("NonZeroExitCode").contains("\"message\":\"3\"");
  }
}
