package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EndpointsControllerIT {
  static TestCluster cluster;
  static HollowNodes nodes;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("endpoints-controller");
    nodes = new HollowNodes(cluster.client, HollowNodes.Options.defaults(1)).start();
  }

  @AfterAll
  static void stop() {
    nodes.close();
    cluster.close();
  }

  @Test
  void endpointsFollowReadyPodsAndServicePorts() {
    String ns = cluster.namespace("ep-test");
    cluster.client.services().inNamespace(ns).resource(service(ns, "web", new IntOrString("http")))
        .create();
    create(boundPod(ns, "web-a", "hollow-0"));
    create(boundPod(ns, "web-b", "hollow-0"));
    // a pod on a node that does not run it: it has an IP but is not ready
    create(boundPod(ns, "web-c", "elsewhere"));
    Pod c = cluster.client.pods().inNamespace(ns).withName("web-c").get();
    c.getStatus().setPhase("Running");
    c.getStatus().setPodIP("10.99.0.3");
    cluster.client.pods().inNamespace(ns).resource(c).updateStatus();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      Endpoints ep = cluster.client.endpoints().inNamespace(ns).withName("web").get();
      assertThat(ep).isNotNull();
      assertThat(ep.getMetadata().getLabels()).containsEntry("endpoints.kubernetes.io/managed-by", "endpoint-controller")
          .containsEntry("app", "web");
      assertThat(ep.getMetadata().getAnnotations()).containsKey("endpoints.kubernetes.io/last-change-trigger-time");
      assertThat(ep.getSubsets()).hasSize(1);
      EndpointSubset s = ep.getSubsets().get(0);
      assertThat(s.getAddresses()).extracting(a -> a.getTargetRef().getName()).containsExactlyInAnyOrder("web-a", "web-b");
      assertThat(s.getAddresses()).extracting(EndpointAddress::getNodeName).containsOnly("hollow-0");
      assertThat(s.getAddresses()).allSatisfy(a -> {
        assertThat(a.getIp()).isNotEmpty();
        assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(a.getTargetRef().getUid()).isNotEmpty();
      });
      assertThat(s.getNotReadyAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.99.0.3");
      assertThat(s.getPorts()).singleElement().satisfies(p -> {
        assertThat(p.getName()).isEqualTo("http");
        assertThat(p.getPort()).isEqualTo(8080);
        assertThat(p.getProtocol()).isEqualTo("TCP");
      });
    });

    // the not-ready pod becomes ready; a ready one goes away
    Fixtures.markReady(cluster.client, c);
    cluster.client.pods().inNamespace(ns).withName("web-a").delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      EndpointSubset s = cluster.client.endpoints().inNamespace(ns).withName("web").get().getSubsets().get(0);
      assertThat(s.getAddresses()).extracting(a -> a.getTargetRef().getName()).containsExactlyInAnyOrder("web-b", "web-c");
      assertThat(s.getNotReadyAddresses()).isNullOrEmpty();
    });

    // a numeric target port replaces the named one
    cluster.client.services().inNamespace(ns).withName("web").edit(svc -> {
      svc.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9090));
      return svc;
    });
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
        cluster.client.endpoints().inNamespace(ns).withName("web").get().getSubsets().get(0).getPorts())
        .extracting(p -> p.getPort()).containsExactly(9090));

    // nothing changed for the endpoints: no write
    String rv = cluster.client.endpoints().inNamespace(ns).withName("web").get().getMetadata().getResourceVersion();
    cluster.client.services().inNamespace(ns).withName("web").edit(svc -> {
      svc.getMetadata().setAnnotations(Map.of("touched", "yes"));
      return svc;
    });
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> rv.equals(
        cluster.client.endpoints().inNamespace(ns).withName("web").get().getMetadata().getResourceVersion()));

    cluster.client.services().inNamespace(ns).withName("web").delete();
    await().atMost(Duration.ofSeconds(15))
        .until(() -> cluster.client.endpoints().inNamespace(ns).withName("web").get() == null);
  }

  @Test
  void aServiceWithoutSelectorKeepsItsOwnEndpoints() {
    String ns = cluster.namespace("ep-manual");
    Service svc = service(ns, "external", new IntOrString(80));
    svc.getSpec().setSelector(null);
    cluster.client.services().inNamespace(ns).resource(svc).create();
    cluster.client.endpoints().inNamespace(ns).resource(new EndpointsBuilder().withNewMetadata().withName("external")
        .withNamespace(ns).endMetadata().addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress()
        .addNewPort().withPort(80).endPort().endSubset().build()).create();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      Endpoints ep = cluster.client.endpoints().inNamespace(ns).withName("external").get();
      assertThat(ep.getSubsets().get(0).getAddresses()).extracting(EndpointAddress::getIp).containsExactly("192.0.2.10");
      assertThat(ep.getMetadata().getLabels()).isNullOrEmpty();
    });
  }

  private static void create(Pod pod) {
    cluster.client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
  }

  static Service service(String ns, String name, IntOrString targetPort) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(Map.of("app", name))
        .endMetadata().withNewSpec().withSelector(Map.of("app", name))
        .addNewPort().withName("http").withPort(80).withTargetPort(targetPort).endPort().endSpec().build();
  }

  /** A pod already bound to a node, with a named container port. */
  static Pod boundPod(String ns, String name, String node) {
    String app = name.substring(0, name.indexOf('-'));
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(Map.of("app", app))
        .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx")
        .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec().build();
  }
}
