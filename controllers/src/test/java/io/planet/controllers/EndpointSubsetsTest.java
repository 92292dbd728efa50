package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointSubsetsTest {
  private static Pod pod(String name, String ip, int httpPort, boolean ready) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid(name + "-uid")
        .withLabels(Map.of("app", "web")).endMetadata()
        .withNewSpec().withNodeName("n1").addNewContainer().withName("c")
          .addNewPort().withName("http").withContainerPort(httpPort).endPort().endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip)
          .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
        .endStatus().build();
  }

  private static List<String> ips(List<EndpointAddress> a) {
    return a == null ? List.of() : a.stream().map(EndpointAddress::getIp).toList();
  }

  @Test
  void podsServingTheNamedPortOnDifferentNumbersLandInSeparateSubsets() {
    Service svc = EndpointsControllerIT.service("ns", "web", new IntOrString("http"));
    List<EndpointSubset> subsets = EndpointsController.subsets(svc, List.of(
        pod("a", "10.0.0.2", 8080, true), pod("b", "10.0.0.1", 8080, false), pod("c", "10.0.0.3", 9090, true)));
    assertThat(subsets).hasSize(2);
    EndpointSubset s8080 = subsets.stream().filter(s -> s.getPorts().get(0).getPort() == 8080).findFirst().orElseThrow();
    assertThat(ips(s8080.getAddresses())).containsExactly("10.0.0.2");
    assertThat(ips(s8080.getNotReadyAddresses())).containsExactly("10.0.0.1");
    EndpointSubset s9090 = subsets.stream().filter(s -> s.getPorts().get(0).getPort() == 9090).findFirst().orElseThrow();
    assertThat(ips(s9090.getAddresses())).containsExactly("10.0.0.3");
    assertThat(s9090.getAddresses().get(0).getTargetRef().getUid()).isEqualTo("c-uid");
  }

  @Test
  void publishNotReadyAddressesListsEveryPodAsReady() {
    Service svc = EndpointsControllerIT.service("ns", "web", new IntOrString(80));
    svc.getSpec().setPublishNotReadyAddresses(true);
    List<EndpointSubset> subsets = EndpointsController.subsets(svc, List.of(pod("a", "10.0.0.1", 8080, false)));
    assertThat(subsets).singleElement().satisfies(s -> {
      assertThat(ips(s.getAddresses())).containsExactly("10.0.0.1");
      assertThat(s.getNotReadyAddresses()).isNull();
      assertThat(s.getPorts().get(0).getPort()).isEqualTo(80);
    });
  }

  @Test
  void aPodWithoutTheNamedPortIsLeftOut() {
    Service svc = EndpointsControllerIT.service("ns", "web", new IntOrString("metrics"));
    assertThat(EndpointsController.subsets(svc, List.of(pod("a", "10.0.0.1", 8080, true)))).isEmpty();
  }

  @Test
  void overCapacityKeepsReadyAddressesFirstAndCutsSubsetsInProportion() {
    Service svc = EndpointsControllerIT.service("ns", "web", new IntOrString("http"));
    List<Pod> pods = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) pods.add(pod("a" + i, "10.0.1." + i, 8080, true));
    for (int i = 0; i < 2; i++) pods.add(pod("b" + i, "10.0.2." + i, 9090, true));
    for (int i = 0; i < 4; i++) pods.add(pod("n" + i, "10.0.3." + i, 8080, false));
    List<EndpointSubset> cut = EndpointsController.truncate(EndpointsController.subsets(svc, pods), 6);
    int ready = cut.stream().mapToInt(s -> ips(s.getAddresses()).size()).sum();
    int notReady = cut.stream().mapToInt(s -> ips(s.getNotReadyAddresses()).size()).sum();
    assertThat(ready).isEqualTo(6);
    assertThat(notReady).isZero();
    // both port sets keep a share
    assertThat(cut).hasSize(2);

    List<EndpointSubset> roomy = EndpointsController.truncate(EndpointsController.subsets(svc, pods), 10);
    assertThat(roomy.stream().mapToInt(s -> ips(s.getAddresses()).size()).sum()).isEqualTo(8);
    assertThat(roomy.stream().mapToInt(s -> ips(s.getNotReadyAddresses()).size()).sum()).isEqualTo(2);
  }
}
