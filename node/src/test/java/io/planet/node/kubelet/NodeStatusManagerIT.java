package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent registers its Node with the machine's real capacity and keeps its Lease renewed. */
class NodeStatusManagerIT {
  static TestApiServer apiServer;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
  }

  @Test
  void registersTheNodeAndRenewsItsLease(@TempDir Path dataDir) throws Exception {
    NodeStatusManager.Options defaults = NodeStatusManager.Options.defaults("node-a", dataDir);
    NodeStatusManager.Options options = new NodeStatusManager.Options("node-a", dataDir, "10.0.0.7", Map.of("node-role.kubernetes.io/worker", ""),
        List.of(new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build()),
        Duration.ofMillis(300), 40, Duration.ofMillis(300), defaults.statusReportInterval());
    try (NodeStatusManager kubelet = new NodeStatusManager(client, options)) {
      kubelet.start();
      Node node = client.nodes().withName("node-a").get();
      assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "node-a")
          .containsEntry("kubernetes.io/os", "linux").containsKey("kubernetes.io/arch")
          .containsEntry("node-role.kubernetes.io/worker", "");
      assertThat(node.getSpec().getTaints()).extracting("key").containsExactly("dedicated");
      Map<String, Quantity> capacity = node.getStatus().getCapacity();
      assertThat(capacity.get("cpu")).isEqualTo(new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())));
      assertThat(Quantity.getAmountInBytes(capacity.get("memory")).longValue()).isEqualTo(HostInfo.meminfo("MemTotal"));
      assertThat(capacity.get("pods")).isEqualTo(new Quantity("110"));
      assertThat(capacity).containsKey("ephemeral-storage");
      assertThat(node.getStatus().getAllocatable()).isEqualTo(capacity);
      assertThat(node.getStatus().getAddresses()).extracting("type", "address")
          .contains(org.assertj.core.groups.Tuple.tuple("InternalIP", "10.0.0.7"), org.assertj.core.groups.Tuple.tuple("Hostname", "node-a"));
      var info = node.getStatus().getNodeInfo();
      assertThat(info.getContainerRuntimeVersion()).startsWith("runc://1.");
      assertThat(info.getKubeletVersion()).isEqualTo("v1.32.0");
      assertThat(info.getKernelVersion()).isEqualTo(System.getProperty("os.version"));
      assertThat(info.getOperatingSystem()).isEqualTo("linux");
      assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType, NodeCondition::getStatus, NodeCondition::getReason)
          .contains(org.assertj.core.groups.Tuple.tuple("Ready", "True", "KubeletReady"),
              org.assertj.core.groups.Tuple.tuple("PIDPressure", "False", "KubeletHasSufficientPID"));

      Lease first = client.resources(Lease.class).inNamespace("kube-node-lease").withName("node-a").get();
      assertThat(first.getSpec().getHolderIdentity()).isEqualTo("node-a");
      assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
      assertThat(first.getMetadata().getOwnerReferences()).extracting("kind", "name")
          .containsExactly(org.assertj.core.groups.Tuple.tuple("Node", "node-a"));
      ZonedDateTime renewed = first.getSpec().getRenewTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.resources(Lease.class).inNamespace("kube-node-lease")
          .withName("node-a").get().getSpec().getRenewTime().isAfter(renewed));
    }

    // a restarted agent finds its Node registered and keeps labels others added
    client.nodes().withName("node-a").edit(n -> {
      n.getMetadata().getLabels().put("team", "blue");
      return n;
    });
    try (NodeStatusManager again = new NodeStatusManager(client, options)) {
      again.start();
      assertThat(client.nodes().withName("node-a").get().getMetadata().getLabels()).containsEntry("team", "blue")
          .containsEntry("kubernetes.io/hostname", "node-a");
    }
  }
}
