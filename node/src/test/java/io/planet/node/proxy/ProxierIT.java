package io.planet.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.Image;
import io.planet.node.image.ImageStore;
import io.planet.node.image.ImageStoreAccess;
import io.planet.node.image.TestImages;
import io.planet.node.network.IptablesLeftovers;
import io.planet.node.network.PodNetwork;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.ContainerSpec;
import io.planet.node.runtime.PodSandbox;
import io.planet.node.runtime.RuncRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy against a real API server and real backends: two busybox httpd "pods" on a test bridge behind a
 * selector-less Service whose EndpointSlice names them; the host reaches them through the ClusterIP (nat OUTPUT)
 * and the NodePort on the node's address, as the Service and slice change.
 */
class ProxierIT {
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Path tmp;
  static PodNetwork network;
  static RuncRuntime runtime;
  static Image busybox;
  static IptablesLeftovers cniChains;
  static String ipForwardBefore;
  static boolean kubeChainsBefore;
  static Proxier proxier;
  static final List<PodSandbox> pods = new ArrayList<>();
  static final List<String> containers = new ArrayList<>();
  static final List<String> podIPs = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    kubeChainsBefore = Commands.run("iptables-save").contains(":KUBE-");
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    cniChains = IptablesLeftovers.snapshot();
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-proxy");
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    String cidr = "10.197." + ThreadLocalRandom.current().nextInt(1, 255) + ".0/24";
    network = new PodNetwork(PodNetwork.Config.forPodCidr(cidr).withStateDir(tmp.resolve("cni"))
        .withBridge("planet-proxy-it-" + suffix, "pp" + suffix));
    ImageStore images = new ImageStore(tmp.resolve("images"));
    busybox = new ArchiveImporter(images).importArchive(TestImages.busybox(), null).get(0);
    runtime = new RuncRuntime(images, tmp.resolve("state"), tmp.resolve("run"), Path.of("/run/netns"));
    for (String name : List.of("a", "b")) {
      PodSandbox pod = runtime.sandbox(UUID.randomUUID().toString());
      pods.add(pod);
      pod.create("backend-" + name);
      podIPs.add(network.setUp(pod.id(), "default", "backend-" + name, pod.netns(), List.of()).podIP());
      String id = pod.id().substring(0, 8) + "-httpd";
      containers.add(id);
      runtime.start(pod, id, busybox, ContainerSpec.of("httpd", List.of("sh", "-c",
          "mkdir -p /www && echo backend-" + name + " > /www/index.html && exec httpd -f -p 8080 -h /www"),
          List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin")), tmp.resolve("logs").resolve(id + ".log"));
    }
    proxier = new Proxier(client, new Proxier.Options("proxy-it", cidr, Duration.ofMillis(200), Duration.ofSeconds(30)));
    proxier.start();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (proxier != null) {
      proxier.close();
      if (!kubeChainsBefore) Proxier.cleanup();
    }
    for (String c : containers) {
      runtime.stop(c, Duration.ZERO);
      runtime.remove(c);
    }
    for (PodSandbox pod : pods) {
      network.tearDown(pod.id(), pod.netns(), List.of());
      runtime.removeSandbox(pod);
    }
    if (network != null) network.removeBridge();
    if (cniChains != null) cniChains.removeNew();
    if ("0".equals(ipForwardBefore)) Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "0\n");
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
    if (tmp != null) ImageStoreAccess.deleteTree(tmp);
    if (!kubeChainsBefore) assertThat(Commands.run("iptables-save")).as("--cleanup leaves no KUBE- chain").doesNotContain("KUBE-");
  }

  @Test
  void servicesReachReadyEndpointsThroughClusterIpAndNodePort() throws Exception {
    Service svc = client.services().inNamespace("default").resource(new ServiceBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withType("NodePort").addNewPort().withName("http").withProtocol("TCP").withPort(80)
        .withNewTargetPort(8080).endPort().endSpec().build()).create();
    String clusterIP = svc.getSpec().getClusterIP();
    int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
    assertThat(clusterIP).isNotBlank();

    // a Service without endpoints is rejected at once rather than timing out
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(attempt(clusterIP, 80)).isEqualTo("refused"));

    client.discovery().v1().endpointSlices().inNamespace("default").resource(slice(podIPs)).create();
    Set<String> reached = new HashSet<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      reached.add(attempt(clusterIP, 80));
      assertThat(reached).as("backends reached through %s:80", clusterIP).contains("backend-a", "backend-b");
    });
    Set<String> viaNodePort = new HashSet<>();
    String nodeIP = nodeAddress();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      viaNodePort.add(attempt(nodeIP, nodePort));
      assertThat(viaNodePort).as("backends reached through %s:%s", nodeIP, nodePort).contains("backend-a", "backend-b");
    });

    // ClientIP affinity: once programmed, every connection from the host goes to one backend
    client.services().inNamespace("default").withName("web")
        .edit(s -> new ServiceBuilder(s).editSpec().withSessionAffinity("ClientIP").endSpec().build());
    await().atMost(Duration.ofSeconds(10)).until(() -> Commands.run("iptables-save", "-t", "nat").contains("--rcheck"));
    String first = attempt(clusterIP, 80);
    assertThat(first).startsWith("backend-");
    for (int i = 0; i < 12; i++) assertThat(attempt(clusterIP, 80)).as("affinity, request %s", i).isEqualTo(first);
    client.services().inNamespace("default").withName("web")
        .edit(s -> new ServiceBuilder(s).editSpec().withSessionAffinity("None").endSpec().build());

    // backend b leaves the slice: its rules go and only a answers (the pod's own CNI masquerade rules stay)
    client.discovery().v1().endpointSlices().inNamespace("default").withName("web-1")
        .edit(s -> new EndpointSliceBuilder(slice(List.of(podIPs.get(0)))).withMetadata(s.getMetadata()).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> !Commands.run("iptables-save", "-t", "nat").contains("--to-destination " + podIPs.get(1))
        && !Commands.run("iptables-save", "-t", "nat").contains("--rcheck"));
    for (int i = 0; i < 8; i++) assertThat(attempt(clusterIP, 80)).isEqualTo("backend-a");

    // the Service goes: its chains go, and the ClusterIP no longer leads anywhere
    String svcChain = ChainNames.service(ServicePorts.of(List.of(get("web")), List.of()).get(0));
    assertThat(Commands.run("iptables-save", "-t", "nat")).contains(":" + svcChain);
    client.services().inNamespace("default").withName("web").delete();
    client.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Commands.run("iptables-save"))
        .doesNotContain(svcChain).doesNotContain("KUBE-SEP-").doesNotContain(clusterIP + "/32").contains(":KUBE-SERVICES"));
  }

  private static Service get(String name) {
    return client.services().inNamespace("default").withName(name).get();
  }

  private static EndpointSlice slice(List<String> ips) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName("web-1")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
    for (String ip : ips) b.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint();
    return b.build();
  }

  /** One HTTP/1.0 GET on a new connection: the body's first line, "refused", or the failure. */
  private static String attempt(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      return body < 0 ? response : response.substring(body + 4).trim();
    } catch (ConnectException e) {
      return "refused";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The node's first global IPv4 address outside pod bridges. */
  private static String nodeAddress() throws IOException {
    for (String line : Commands.run("ip", "-4", "-o", "addr", "show", "scope", "global").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3 && f[2].equals("inet") && !f[3].startsWith("10.")) return f[3].substring(0, f[3].indexOf('/'));
    }
    return "127.0.0.1";
  }
}
