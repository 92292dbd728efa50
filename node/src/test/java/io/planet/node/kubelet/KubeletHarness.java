package io.planet.node.kubelet;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStoreAccess;
import io.planet.node.image.TestImages;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * A real API server and one real kubelet for node ITs: the kubelet has its own node name, CNI bridge, pod CIDR and
 * directories, so ITs may run next to others on this machine; the busybox test image is imported. {@link #close()}
 * deletes every pod and removes the kubelet, the bridge and the directories.
 */
final class KubeletHarness implements AutoCloseable {
  final String node;
  final TestApiServer apiServer;
  final KubernetesClient client;
  final Path tmp;
  final String bridge;
  final String cidr;
  final String image;
  private final UnaryOperator<Kubelet> configure;
  private Kubelet kubelet;

  /**
   * @param bridgePrefix two letters naming this IT's bridge
   * @param configure applied to each kubelet before it starts (e.g. allowed unsafe sysctls)
   */
  static KubeletHarness start(String node, String bridgePrefix, UnaryOperator<Kubelet> configure) throws Exception {
    return new KubeletHarness(node, bridgePrefix, configure);
  }

  private KubeletHarness(String node, String bridgePrefix, UnaryOperator<Kubelet> configure) throws Exception {
    this.node = node;
    this.configure = configure;
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-" + node);
    bridge = bridgePrefix + Long.toHexString(System.nanoTime() & 0xffffffL);
    cidr = "10.197." + ThreadLocalRandom.current().nextInt(250) + ".0/24";
    kubelet = newKubelet();
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
  }

  Kubelet kubelet() {
    return kubelet;
  }

  /** Stops the running kubelet (its pods keep running, as after an agent crash); none runs until {@link #startKubelet()}. */
  void stopKubelet() throws Exception {
    if (kubelet != null) kubelet.close();
    kubelet = null;
  }

  /** A new kubelet on the same node and directories, which adopts what the old one left running. */
  Kubelet startKubelet() throws IOException {
    kubelet = newKubelet();
    kubelet.start();
    return kubelet;
  }

  private Kubelet newKubelet() throws IOException {
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    NodeStatusManager.Options options = NodeStatusManager.Options.defaults(node, paths.dataDir());
    return configure.apply(new Kubelet(client, options, paths, Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(4),
        PodNetworking.cni(client, node, cidr, tmp.resolve("cni"), bridge), 0, List.of("10.96.0.10"), "cluster.local"));
  }

  @Override
  public void close() throws Exception {
    try {
      client.pods().inAnyNamespace().delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
    } finally {
      stopKubelet();
      Commands.run("sh", "-c", "ip link del " + bridge + " 2>/dev/null || true");
      client.close();
      apiServer.close();
      ImageStoreAccess.deleteTree(tmp);
    }
  }
}
