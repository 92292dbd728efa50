package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EndpointSliceControllerIT {
  static TestCluster cluster;
  static HollowNodes nodes;

  @BeforeAll
  static void start() {
    // two endpoints per slice, so three pods need two slices
    cluster = new TestCluster(Map.of("endpointslice-controller", c -> new EndpointSliceController(c, 2)));
    nodes = new HollowNodes(cluster.client, HollowNodes.Options.defaults(1)).start();
  }

  @AfterAll
  static void stop() {
    nodes.close();
    cluster.close();
  }

  private static List<EndpointSlice> slices(String ns, String svc) {
    return cluster.client.discovery().v1().endpointSlices().inNamespace(ns)
        .withLabel("kubernetes.io/service-name", svc).list().getItems();
  }

  private static List<Endpoint> endpoints(String ns, String svc) {
    return slices(ns, svc).stream().flatMap(s -> s.getEndpoints() == null ? null : s.getEndpoints().stream()).toList();
  }

  private static Endpoint endpointOf(String ns, String svc, String pod) {
    return endpoints(ns, svc).stream().filter(e -> pod.equals(e.getTargetRef().getName())).findFirst().orElse(null);
  }

  @Test
  void slicesFollowPodsAndServicePorts() {
    String ns = cluster.namespace("slice-test");
    var svc = cluster.client.services().inNamespace(ns)
        .resource(EndpointsControllerIT.service(ns, "web", new IntOrString("http"))).create();
    // no pods yet: one empty placeholder slice
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(slices(ns, "web")).singleElement()
        .satisfies(s -> assertThat(s.getEndpoints()).isNullOrEmpty()));

    for (String p : List.of("web-a", "web-b", "web-c")) {
      cluster.client.pods().inNamespace(ns).resource(EndpointsControllerIT.boundPod(ns, p, "hollow-0")).create();
    }
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      List<EndpointSlice> slices = slices(ns, "web");
      assertThat(slices).hasSize(2);
      assertThat(slices).allSatisfy(s -> {
        assertThat(s.getMetadata().getName()).startsWith("web-");
        assertThat(s.getMetadata().getLabels())
            .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
            .containsEntry("kubernetes.io/service-name", "web");
        assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
          assertThat(o.getKind()).isEqualTo("Service");
          assertThat(o.getUid()).isEqualTo(svc.getMetadata().getUid());
          assertThat(o.getController()).isTrue();
        });
        assertThat(s.getAddressType()).isEqualTo("IPv4");
        assertThat(s.getEndpoints()).hasSizeLessThanOrEqualTo(2);
        assertThat(s.getPorts()).singleElement().satisfies(p -> {
          assertThat(p.getName()).isEqualTo("http");
          assertThat(p.getPort()).isEqualTo(8080);
          assertThat(p.getProtocol()).isEqualTo("TCP");
        });
      });
      List<Endpoint> eps = endpoints(ns, "web");
      assertThat(eps).extracting(e -> e.getTargetRef().getName()).containsExactlyInAnyOrder("web-a", "web-b", "web-c");
      assertThat(eps).allSatisfy(e -> {
        assertThat(e.getAddresses()).singleElement().asString().isNotEmpty();
        assertThat(e.getNodeName()).isEqualTo("hollow-0");
        assertThat(e.getConditions().getReady()).isTrue();
        assertThat(e.getConditions().getServing()).isTrue();
        assertThat(e.getConditions().getTerminating()).isFalse();
      });
    });

    // a pod that goes away leaves the slices
    cluster.client.pods().inNamespace(ns).withName("web-a").delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(endpoints(ns, "web"))
        .extracting(e -> e.getTargetRef().getName()).containsExactlyInAnyOrder("web-b", "web-c"));

    // a ready pod on a node that does not finish deletions: while it terminates it is serving but not ready
    cluster.client.pods().inNamespace(ns).resource(EndpointsControllerIT.boundPod(ns, "web-d", "elsewhere")).create();
    Pod d = cluster.client.pods().inNamespace(ns).withName("web-d").get();
    d.getStatus().setPhase("Running");
    d.getStatus().setPodIP("10.99.0.4");
    d.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True")
        .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build()));
    cluster.client.pods().inNamespace(ns).resource(d).updateStatus();
    await().atMost(Duration.ofSeconds(15)).until(() -> endpointOf(ns, "web", "web-d") != null);
    cluster.client.pods().inNamespace(ns).withName("web-d").delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      Endpoint e = endpointOf(ns, "web", "web-d");
      assertThat(e.getConditions().getTerminating()).isTrue();
      assertThat(e.getConditions().getServing()).isTrue();
      assertThat(e.getConditions().getReady()).isFalse();
    });

    // a new target port moves every endpoint to slices with the new port
    cluster.client.services().inNamespace(ns).withName("web").edit(s -> {
      s.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9090));
      return s;
    });
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(slices(ns, "web")).allSatisfy(s -> assertThat(s.getPorts()).extracting(p -> p.getPort())
          .containsExactly(9090));
      assertThat(endpoints(ns, "web")).hasSize(3);
    });
  }
}
