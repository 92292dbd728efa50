package io.planet.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * exec, attach and cp with kubectl 1.29 (client-go's SPDY/3.1 executor, {@code v4.channel.k8s.io}) through the API
 * server to the kubelet, against real pods. Skipped without {@code kubectl.1.29} beside the PATH kubectl.
 */
class SpdyExecIT {
  static final String NODE = "spdy-exec-it";
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static Path kubeconfig;
  static Path kubectl;
  static String image;
  static String bridge;

  @BeforeAll
  static void start() throws Exception {
    kubectl = kubectl129().orElse(null);
    Assumptions.assumeTrue(kubectl != null, "no kubectl.1.29 beside the PATH kubectl");
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-spdy-exec");
    kubeconfig = apiServer.writeKubeconfig(tmp);
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    bridge = "sx" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.197." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(client, NodeStatusManager.Options.defaults(NODE, paths.dataDir()), paths, Set.of(),
        Duration.ofSeconds(1), Duration.ofSeconds(4), PodNetworking.cni(client, NODE, cidr, tmp.resolve("cni"), bridge), 0);
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
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

  /** kubectl 1.29 from the Cloud SDK's versioned siblings of the PATH kubectl. */
  static Optional<Path> kubectl129() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path k = Path.of(dir, "kubectl");
      if (!Files.isExecutable(k)) continue;
      try {
        Path sibling = k.toRealPath().getParent().resolve("kubectl.1.29");
        return Files.isExecutable(sibling) ? Optional.of(sibling) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  record Result(int exitCode, String stdout, String stderr) {}

  static Result kubectl(String input, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    // the SPDY executor is 1.29's default; make sure no WebSocket opt-in from the environment applies
    pb.environment().remove("KUBECTL_REMOTE_COMMAND_WEBSOCKETS");
    Process p = pb.start();
    CompletableFuture<String> out = read(p.getInputStream());
    CompletableFuture<String> err = read(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (input != null) in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }

  private static void running(String name, boolean stdin, String script) {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L).withRestartPolicy("Never")
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script)
          .withStdin(stdin).withStdinOnce(stdin).endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(
        client.pods().inNamespace("default").withName(name).get().getStatus().getPhase()));
  }

  @Test
  void execCarriesOutputExitCodeAndStdin() throws Exception {
    running("sx-exec", false, "exec sleep 1000");
    Result ok = kubectl(null, "exec", "sx-exec", "--", "sh", "-c", "echo out; echo err >&2");
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.stdout()).isEqualTo("out\n");
    assertThat(ok.stderr()).isEqualTo("err\n");

    // the v4 Status's ExitCode cause becomes kubectl's exit code
    Result failed = kubectl(null, "exec", "sx-exec", "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);
    assertThat(failed.stderr()).contains("oops").contains("command terminated with exit code 3");

    // stdin to the end: the client's FIN closes the command's stdin
    Result upper = kubectl("hello through spdy\nsecond line\n", "exec", "-i", "sx-exec", "--", "tr", "a-z", "A-Z");
    assertThat(upper.exitCode()).as(upper.toString()).isZero();
    assertThat(upper.stdout()).isEqualTo("HELLO THROUGH SPDY\nSECOND LINE\n");

    // more than a few frames each way
    String big = "0123456789abcdef".repeat(64 * 1024);
    Result echoed = kubectl(big, "exec", "-i", "sx-exec", "--", "sh", "-c", "cat; echo; echo done >&2");
    assertThat(echoed.exitCode()).as(echoed.stderr()).isZero();
    assertThat(echoed.stdout()).isEqualTo(big + "\n");
    assertThat(echoed.stderr()).isEqualTo("done\n");
  }

  @Test
  void cpCopiesBothWays() throws Exception {
    running("sx-cp", false, "exec sleep 1000");
    Files.writeString(tmp.resolve("upload.txt"), "copied in over spdy\n");
    Result in = kubectl(null, "cp", tmp.resolve("upload.txt").toString(), "sx-cp:/tmp/upload.txt");
    assertThat(in.exitCode()).as(in.toString()).isZero();
    assertThat(kubectl(null, "exec", "sx-cp", "--", "cat", "/tmp/upload.txt").stdout()).isEqualTo("copied in over spdy\n");
    Result out = kubectl(null, "cp", "sx-cp:/tmp/upload.txt", tmp.resolve("download.txt").toString());
    assertThat(out.exitCode()).as(out.toString()).isZero();
    assertThat(tmp.resolve("download.txt")).hasContent("copied in over spdy");
  }

  @Test
  void ttyExecHasATerminalAndItsExitCode() throws Exception {
    running("sx-tty", false, "exec sleep 1000");
    // kubectl offers a terminal only when it has one: it runs under script(1); with a tty it opens the resize stream
    StringBuilder line = new StringBuilder();
    for (String a : List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "exec", "-it", "sx-tty", "--", "sh")) {
      line.append('\'').append(a.replace("'", "'\\''")).append("' ");
    }
    Process tty = new ProcessBuilder("script", "-q", "-f", "-e", "-c", line.toString(), "/dev/null")
        .redirectErrorStream(true).start();
    CompletableFuture<String> session = read(tty.getInputStream());
    try (OutputStream in = tty.getOutputStream()) {
      in.write("[ -t 0 ] && [ -t 1 ] && echo has-a-$((6*7))-terminal\nexit 4\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(tty.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = session.get(10, TimeUnit.SECONDS);
    assertThat(text).contains("has-a-42-terminal");
    assertThat(tty.exitValue()).as(text).isEqualTo(4);
  }

  @Test
  void attachReadsAndWritesTheContainersStreams() throws Exception {
    // stdinOnce: the end of kubectl's input closes the container's stdin, the loop ends, the container exits
    running("sx-attach", true, "while read line; do echo got $line; done; echo stdin closed; echo to-stderr >&2");
    Result attached = kubectl("hello\nworld\n", "attach", "-i", "sx-attach", "-c", "main");
    assertThat(attached.exitCode()).as(attached.toString()).isZero();
    assertThat(attached.stdout()).contains("got hello\ngot world\nstdin closed\n");
    assertThat(attached.stderr()).contains("to-stderr");
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(
        client.pods().inNamespace("default").withName("sx-attach").get().getStatus().getPhase()));
  }

  @Test
  void theKubeletRefusesProtocolsItDoesNotSpeak() throws Exception {
    running("sx-proto", false, "exec sleep 1000");
    String host = client.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
    String refused = post(host, "/exec/default/sx-proto/main?command=true&output=1", "v5.channel.k8s.io, v9.channel.k8s.io");
    assertThat(refused).startsWith("HTTP/1.1 403 ")
        .contains("X-Accepted-Stream-Protocol-Versions: v4.channel.k8s.io")
        .contains("unable to upgrade: unable to negotiate protocol: client supports [v5.channel.k8s.io v9.channel.k8s.io], "
            + "server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]");
    assertThat(post(host, "/exec/default/sx-proto/main?command=true&output=1", null)).startsWith("HTTP/1.1 400 ")
        .contains("unable to upgrade: X-Stream-Protocol-Version is required");
    // the first of the client's protocols the kubelet speaks
    assertThat(post(host, "/attach/default/sx-proto/main?output=1", "v5.channel.k8s.io,v3.channel.k8s.io,v4.channel.k8s.io"))
        .startsWith("HTTP/1.1 101 ").contains("X-Stream-Protocol-Version: v3.channel.k8s.io");
  }

  @Test
  void olderProtocolsReportFailuresAsTextOnTheErrorStream() throws Exception {
    running("sx-v3", false, "exec sleep 1000");
    String host = client.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
    String path = "/exec/default/sx-v3/main?command=sh&command=-c&command=read+x%3B+echo+got+%24x%3B+exit+5&input=1&output=1";
    try (SpdyPortForwardClient c = SpdyPortForwardClient.connectRaw(host, kubelet.port(), path, "v3.channel.k8s.io")) {
      assertThat(c.protocol).isEqualTo("v3.channel.k8s.io");
      // client-go's order: error first, then the others; the command starts once all are there
      int error = c.open("error");
      int stdin = c.open("stdin");
      int stdout = c.open("stdout");
      c.send(stdin, "hi\n", true);
      assertThat(c.received(stdout).get(20, TimeUnit.SECONDS)).isEqualTo("got hi\n");
      // v1-v3: not the Status JSON but its message
      assertThat(c.received(error).get(20, TimeUnit.SECONDS)).isEqualTo("command terminated with non-zero exit code: "
          + "error executing command [sh -c read x; echo got $x; exit 5], exit code 5");
      assertThat(c.emptyReplies).hasValue(0);
    }
    try (SpdyPortForwardClient c = SpdyPortForwardClient.connectRaw(host, kubelet.port(),
        "/exec/default/sx-v3/main?command=echo&command=fine&output=1", "v2.channel.k8s.io")) {
      int error = c.open("error");
      int stdout = c.open("stdout");
      assertThat(c.received(stdout).get(20, TimeUnit.SECONDS)).isEqualTo("fine\n");
      assertThat(c.received(error).get(20, TimeUnit.SECONDS)).as("success: nothing on the error stream").isEmpty();
      // the server lets go once the client has read everything and left, or soon after
      await().atMost(Duration.ofSeconds(20)).until(() -> c.closed.isDone());
    }
  }

  /** A SPDY upgrade POST straight to the kubelet; the answer's head and (for a refusal) body. */
  private static String post(String host, String path, String protocols) throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(host, kubelet.port())) {
      s.setSoTimeout(10_000);
      String req = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
          + "Upgrade: SPDY/3.1\r\n" + (protocols == null ? "" : "X-Stream-Protocol-Version: " + protocols + "\r\n") + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      StringBuilder head = new StringBuilder();
      InputStream in = s.getInputStream();
      int contentLength = 0;
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) break;
        head.append((char) b);
      }
      for (String h : head.toString().split("\r\n")) {
        if (h.toLowerCase().startsWith("content-length:")) contentLength = Integer.parseInt(h.substring(15).trim());
      }
      return head + new String(in.readNBytes(contentLength), StandardCharsets.UTF_8);
    }
  }
}
