package io.planet.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Port-forward through the kubelet API to a real pod: httpd on 127.0.0.1:80 inside the pod (reachable only from its
 * network namespace) and on 0.0.0.0:8080, with SPDY tunnelled in WebSocket (kubectl ≥ 1.31), raw SPDY (older
 * kubectl) and the v4 channel WebSocket protocol (fabric8).
 */
class PortForwardIT {
  static final String NODE = "pf-it";
  static final String GET = "GET / HTTP/1.0\r\n\r\n";
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String bridge;
  static String host;
  static String uid;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-pf");
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    bridge = "pf" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.197." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(client, NodeStatusManager.Options.defaults(NODE, paths.dataDir()), paths, Set.of(),
        Duration.ofSeconds(1), Duration.ofSeconds(4), PodNetworking.cni(client, NODE, cidr, tmp.resolve("cni"), bridge), 0,
        List.of("10.96.0.10"), "cluster.local");
    String image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c",
            "mkdir -p /local /public && echo only-inside > /local/index.html && echo from-anywhere > /public/index.html"
                + " && httpd -p 127.0.0.1:80 -h /local && exec httpd -f -p 8080 -h /public")
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(pod().getStatus().getPhase()));
    uid = pod().getMetadata().getUid();
    host = client.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
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
    ImageStoreAccess.deleteTree(tmp);
  }

  private static Pod pod() {
    return client.pods().inNamespace("default").withName("web").get();
  }

  @Test
  void spdyOverWebSocketForwardsConnectionsAndReportsRefusedOnes() throws Exception {
    try (SpdyPortForwardClient pf = SpdyPortForwardClient.connect(host, kubelet.port(), "/portForward/default/web", true)) {
      // the server bound to 127.0.0.1 in the pod answers: the dial happens inside the pod's network namespace
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(pf.forward(80, GET).get(10, TimeUnit.SECONDS).data()).contains("200 OK").contains("only-inside"));
      // two connections at once on one session
      var a = pf.forward(80, GET);
      var b = pf.forward(8080, GET);
      assertThat(a.get(10, TimeUnit.SECONDS)).satisfies(r -> {
        assertThat(r.data()).contains("only-inside");
        assertThat(r.error()).isEmpty();
      });
      assertThat(b.get(10, TimeUnit.SECONDS).data()).contains("from-anywhere");
      // nothing listens on 81: upstream's message on the error stream, the session goes on
      SpdyPortForwardClient.Result refused = pf.forward(81, GET).get(10, TimeUnit.SECONDS);
      assertThat(refused.data()).isEmpty();
      assertThat(refused.error()).isEqualTo("error forwarding port 81 to pod " + uid + ", uid : failed to execute "
          + "portforward in network namespace \"/run/netns/planet-" + uid + "\": failed to connect to localhost:81 inside "
          + "namespace \"" + uid + "\", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused");
      assertThat(pf.ping(7)).isEqualTo(7);
      assertThat(pf.forward(8080, GET).get(10, TimeUnit.SECONDS).data()).contains("from-anywhere");
      assertThat(pf.emptyReplies).hasValue(0);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void rawSpdyAfterAPostUpgrade() throws Exception {
    try (SpdyPortForwardClient pf = SpdyPortForwardClient.connect(host, kubelet.port(), "/portForward/default/web", false)) {
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(pf.forward(80, GET).get(10, TimeUnit.SECONDS).data()).contains("only-inside"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void v4ChannelsCarryThePortsAndTheirData() throws Exception {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Channels ws = Channels.open("/portForward/default/web?ports=80,8080");
      ws.socket.sendBinary(ByteBuffer.wrap(withChannel(0, GET)), true).join();
      ws.socket.sendBinary(ByteBuffer.wrap(withChannel(2, GET)), true).join();
      ws.closed.get(10, TimeUnit.SECONDS);
      // every channel first carries its port, little-endian
      assertThat(ws.messages.subList(0, 4)).containsExactly("0:80,0", "1:80,0", "2:144,31", "3:144,31");
      assertThat(ws.channel(0)).contains("200 OK").contains("only-inside");
      assertThat(ws.channel(2)).contains("from-anywhere");
      assertThat(ws.channel(1)).isEmpty();
    });
    Channels refused = Channels.open("/portForward/default/web?ports=81");
    refused.closed.get(10, TimeUnit.SECONDS);
    assertThat(refused.channel(1)).startsWith("error forwarding port 81 to pod " + uid + ", uid : ")
        .endsWith("connect: connection refused");
    // a client that leaves mid-connection takes its helper with it
    Channels left = Channels.open("/portForward/default/web?ports=8080");
    await().atMost(Duration.ofSeconds(10)).until(() -> !helpers().isEmpty());
    left.socket.abort();
    await().atMost(Duration.ofSeconds(10)).until(() -> helpers().isEmpty());
  }

  @Test
  void unknownPodsAreNotFound() throws Exception {
    java.net.http.HttpResponse<String> r = http().send(java.net.http.HttpRequest.newBuilder(
        URI.create("https://" + host + ":" + kubelet.port() + "/portForward/default/nope")).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("pod does not exist");
  }

  private static byte[] withChannel(int channel, String text) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[t.length + 1];
    out[0] = (byte) channel;
    System.arraycopy(t, 0, out, 1, t.length);
    return out;
  }

  /** The nc helpers running in the pod's network namespace (the kubelet's connections into it). */
  static List<Long> helpers() throws Exception {
    String netns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    Object inode = Files.getAttribute(Path.of("/run/netns/planet-" + uid), "unix:ino");
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String ns = Files.readSymbolicLink(p.resolve("ns/net")).toString();
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (ns.equals("net:[" + inode + "]") && !ns.equals(netns) && cmd.startsWith("busybox nc 127.0.0.1")) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (java.io.IOException e) {
          // the process ended meanwhile
        }
      }
    }
    return out;
  }

  static HttpClient http() throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      public void checkServerTrusted(X509Certificate[] c, String a) {}

      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    return HttpClient.newBuilder().sslContext(ssl).build();
  }

  /** A v4.channel.k8s.io WebSocket: its messages as "channel:bytes" until it closes. */
  static final class Channels implements WebSocket.Listener {
    final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    final List<byte[]> raw = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    WebSocket socket;

    static Channels open(String path) throws Exception {
      Channels c = new Channels();
      c.socket = http().newWebSocketBuilder().subprotocols("v4.channel.k8s.io")
          .buildAsync(URI.create("wss://" + host + ":" + kubelet.port() + path), c).get(10, TimeUnit.SECONDS);
      return c;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      partial.writeBytes(b);
      if (last) {
        byte[] m = partial.toByteArray();
        partial.reset();
        raw.add(m);
        StringBuilder s = new StringBuilder().append(m[0]).append(':');
        for (int i = 1; i < m.length && m.length == 3; i++) s.append(i > 1 ? "," : "").append(m[i] & 0xff);
        messages.add(s.toString());
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    /** A channel's bytes after its port prefix. */
    String channel(int channel) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      boolean prefix = true;
      synchronized (raw) {
        for (byte[] m : raw) {
          if (m[0] != channel) continue;
          if (prefix) {
            prefix = false;
            continue;
          }
          out.write(m, 1, m.length - 1);
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
