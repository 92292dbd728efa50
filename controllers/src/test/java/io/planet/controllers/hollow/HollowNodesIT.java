package io.planet.controllers.hollow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hollow nodes register, heartbeat, run bound pods (as status only) and remove deleted ones. */
class HollowNodesIT {

  @Test
  void hollowNodesServeTheirPods() throws Exception {
    try (TestApiServer server = new TestApiServer()) {
      Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
          HollowNodes hollow = new HollowNodes(client, new HollowNodes.Options("hollow", 3, "2", "4Gi", 20, 40,
              Duration.ofMillis(500))).start()) {
        assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
            .containsExactlyInAnyOrder("hollow-0", "hollow-1", "hollow-2");
        Node node = client.nodes().withName("hollow-1").get();
        assertThat(node.getStatus().getAllocatable().get("cpu").toString()).isEqualTo("2");
        assertThat(node.getStatus().getConditions()).anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("Ready");
          assertThat(c.getStatus()).isEqualTo("True");
        });
        // leases are renewed
        var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
        await().atMost(Duration.ofSeconds(10)).until(() -> leases.withName("hollow-1").get() != null);
        String first = leases.withName("hollow-1").get().getSpec().getRenewTime().toString();
        await().atMost(Duration.ofSeconds(10)).until(() ->
            !leases.withName("hollow-1").get().getSpec().getRenewTime().toString().equals(first));

        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata()
            .withNewSpec().withNodeName("hollow-1").withTerminationGracePeriodSeconds(30L)
              .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
        client.pods().resource(pod).create();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          Pod p = client.pods().inNamespace("default").withName("p").get();
          assertThat(p.getStatus().getPhase()).isEqualTo("Running");
          assertThat(p.getStatus().getPodIP()).isNotEmpty();
          assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
          });
        });
        // a graceful delete is finished by the node, as a kubelet would once containers stop
        client.pods().inNamespace("default").withName("p").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("default").withName("p").get() == null);

        // stopped: no more heartbeats
        hollow.close();
        String last = leases.withName("hollow-1").get().getSpec().getRenewTime().toString();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
            leases.withName("hollow-1").get().getSpec().getRenewTime().toString().equals(last));
      }
    }
  }
}
