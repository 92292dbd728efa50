package io.planet.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.Quantity;
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
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** kubectl top's data path: kubelet /metrics/resource → metrics-server → APIService → the API server. */
class MetricsServerIT {
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static MetricsServer metrics;
  static Path tmp;
  static String image;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer(c -> c.withApiServiceAvailabilityPeriod(Duration.ofSeconds(1)));
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    tmp = Files.createTempDirectory("planet-metrics");
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    kubelet = new Kubelet(client, NodeStatusManager.Options.defaults("metrics-node", paths.dataDir()), paths, Set.of(),
        Duration.ofSeconds(1), Duration.ofSeconds(4), PodNetworking.LOOPBACK_ONLY, 0);
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
    metrics = new MetricsServer(client, Duration.ofSeconds(2)).start(new InetSocketAddress("127.0.0.1", 0), tmp.resolve("pki"));
    metrics.register("127.0.0.1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inAnyNamespace().delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
    }
    if (metrics != null) metrics.close();
    if (kubelet != null) kubelet.close();
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
    ImageStoreAccess.deleteTree(tmp);
  }

  @Test
  void topShowsNodesAndBusyPods() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("busy")
        .addToLabels("app", "busy").endMetadata()
        .withNewSpec().withNodeName("metrics-node").withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("spin").withImage(image).withCommand("sh", "-c", "while :; do :; done").endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<PodMetrics> pods = client.top().pods().metrics("default").getItems();
      assertThat(pods).singleElement().satisfies(p -> {
        assertThat(p.getMetadata().getName()).isEqualTo("busy");
        Quantity cpu = p.getContainers().get(0).getUsage().get("cpu");
        // a spinning shell uses a good share of a core
        assertThat(Quantity.getAmountInBytes(cpu).doubleValue()).isGreaterThan(0.1);
        assertThat(Quantity.getAmountInBytes(p.getContainers().get(0).getUsage().get("memory")).longValue()).isPositive();
      });
    });
    List<NodeMetrics> nodes = client.top().nodes().metrics().getItems();
    assertThat(nodes).singleElement().satisfies(n -> {
      assertThat(n.getMetadata().getName()).isEqualTo("metrics-node");
      assertThat(Quantity.getAmountInBytes(n.getUsage().get("memory")).longValue()).isPositive();
    });
    assertThat(client.top().pods().withLabels(java.util.Map.of("app", "other")).metrics("default").getItems()).isEmpty();
    assertThat(client.top().pods().withLabels(java.util.Map.of("app", "busy")).metrics("default").getItems()).hasSize(1);
  }
}
