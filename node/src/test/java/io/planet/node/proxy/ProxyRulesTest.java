package io.planet.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyRulesTest {
  static final ServicePort.Endpoint A = new ServicePort.Endpoint("10.244.1.2", 8080);
  static final ServicePort.Endpoint B = new ServicePort.Endpoint("10.244.1.3", 8080);

  private static ServicePort web(List<ServicePort.Endpoint> eps, int nodePort, int affinity) {
    return new ServicePort("default", "web", "http", "TCP", "10.96.0.50", 80, nodePort, List.of(), affinity, eps);
  }

  @Test
  void chainNamesAreUpstreams() {
    ServicePort kubernetes = new ServicePort("default", "kubernetes", "https", "TCP", "10.96.0.1", 443, 0, List.of(), 0, List.of());
    ServicePort dns = new ServicePort("kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53, 0, List.of(), 0, List.of());
    assertThat(ChainNames.service(kubernetes)).isEqualTo("KUBE-SVC-NPX46M4PTMTKRN6Y");
    assertThat(ChainNames.service(dns)).isEqualTo("KUBE-SVC-TCOU7JCQXEZGVUNU");
    assertThat(ChainNames.endpoint(kubernetes, A)).startsWith("KUBE-SEP-").hasSize(25)
        .isNotEqualTo(ChainNames.endpoint(kubernetes, B));
  }

  @Test
  void clusterIpBalancesRandomlyAcrossEndpointsAndDnats() {
    ServicePort sp = web(List.of(A, B), 0, 0);
    ProxyRules.Ruleset r = new ProxyRules("10.244.0.0/16").build(List.of(sp));
    String svc = ChainNames.service(sp);
    String sepA = ChainNames.endpoint(sp, A);
    String sepB = ChainNames.endpoint(sp, B);
    assertThat(r.natChains()).contains("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", svc, sepA, sepB);
    assertThat(r.natRules()).containsSubsequence(
        "-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -p tcp -m tcp -d 10.96.0.50/32 --dport 80 -j " + svc,
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\""
            + " -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
    assertThat(r.natRules().get(r.natRules().size() - 1)).contains("-j KUBE-NODEPORTS");
    assertThat(r.natRules()).containsSubsequence(
        "-A " + svc + " -m comment --comment \"default/web:http cluster IP\" ! -s 10.244.0.0/16 -p tcp -m tcp -d 10.96.0.50/32 --dport 80 -j KUBE-MARK-MASQ",
        "-A " + svc + " -m comment --comment \"default/web:http -> 10.244.1.2:8080\" -m statistic --mode random --probability 0.5000000000 -j " + sepA,
        "-A " + svc + " -m comment --comment \"default/web:http -> 10.244.1.3:8080\" -j " + sepB);
    assertThat(r.natRules()).contains(
        "-A " + sepA + " -m comment --comment \"default/web:http\" -s 10.244.1.2/32 -j KUBE-MARK-MASQ",
        "-A " + sepA + " -m comment --comment \"default/web:http\" -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080",
        "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
        "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
    assertThat(r.filterRules()).noneMatch(l -> l.contains("REJECT"));
  }

  @Test
  void probabilitiesMakeEveryOneOfThreeEquallyLikely() {
    ServicePort.Endpoint c = new ServicePort.Endpoint("10.244.1.4", 8080);
    List<String> picks = new ProxyRules(null).build(List.of(web(List.of(A, B, c), 0, 0))).natRules().stream()
        .filter(l -> l.contains("KUBE-SEP") && l.startsWith("-A KUBE-SVC")).toList();
    assertThat(picks).hasSize(3);
    assertThat(picks.get(0)).contains("--probability 0.3333333333");
    assertThat(picks.get(1)).contains("--probability 0.5000000000");
    assertThat(picks.get(2)).doesNotContain("statistic");
  }

  @Test
  void withoutClusterCidrClusterIpTrafficIsNotMasqueraded() {
    ProxyRules.Ruleset r = new ProxyRules(null).build(List.of(web(List.of(A), 0, 0)));
    assertThat(r.natRules()).noneMatch(l -> l.startsWith("-A KUBE-SVC") && l.contains("KUBE-MARK-MASQ"));
  }

  @Test
  void nodePortGoesThroughTheExternalChainWhichMasquerades() {
    ServicePort sp = web(List.of(A), 30080, 0);
    ProxyRules.Ruleset r = new ProxyRules(null).build(List.of(sp));
    String ext = ChainNames.external(sp);
    assertThat(ext).startsWith("KUBE-EXT-");
    assertThat(r.natRules()).containsSubsequence(
        "-A KUBE-NODEPORTS -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 30080 -j " + ext,
        "-A " + ext + " -m comment --comment \"masquerade traffic for default/web:http external destinations\" -j KUBE-MARK-MASQ",
        "-A " + ext + " -j " + ChainNames.service(sp));
  }

  @Test
  void clientIpAffinityChecksRecentBeforeTheRandomPick() {
    ServicePort sp = web(List.of(A, B), 0, 600);
    String sepA = ChainNames.endpoint(sp, A);
    List<String> nat = new ProxyRules(null).build(List.of(sp)).natRules();
    int check = nat.indexOf("-A " + ChainNames.service(sp) + " -m comment --comment \"default/web:http -> 10.244.1.2:8080\""
        + " -m recent --name " + sepA + " --mask 255.255.255.255 --rsource --rcheck --seconds 600 --reap -j " + sepA);
    int firstPick = nat.stream().filter(l -> l.contains("-m statistic")).findFirst().map(nat::indexOf).orElseThrow();
    assertThat(check).isNotNegative().isLessThan(firstPick);
    assertThat(nat).contains("-A " + sepA + " -m comment --comment \"default/web:http\" -m recent --name " + sepA
        + " --mask 255.255.255.255 --rsource --set -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080");
  }

  @Test
  void serviceWithoutEndpointsIsRejectedInFilter() {
    ServicePort sp = new ServicePort("default", "web", "", "TCP", "10.96.0.50", 80, 30080, List.of("192.0.2.10"), 0, List.of());
    ProxyRules.Ruleset r = new ProxyRules(null).build(List.of(sp));
    assertThat(r.natChains()).noneMatch(ChainNames::isServiceChain);
    assertThat(r.filterRules()).contains(
        "-A KUBE-SERVICES -m comment --comment \"default/web has no endpoints\" -p tcp -m tcp -d 10.96.0.50/32 --dport 80 -j REJECT",
        "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"default/web has no endpoints\" -p tcp -m tcp -d 192.0.2.10/32 --dport 80 -j REJECT",
        "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"default/web has no endpoints\" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT");
  }

  @Test
  void restoreInputDeclaresEveryChainAndDeletesStaleServiceChainsOnly() {
    ServicePort sp = web(List.of(A), 0, 0);
    String input = new ProxyRules(null).build(List.of(sp))
        .restoreInput(Set.of("KUBE-SERVICES", "KUBE-SVC-OLDOLDOLDOLDOLDO", "DOCKER", ChainNames.service(sp)), Set.of("FOO"));
    assertThat(input).startsWith("*filter\n").contains("\nCOMMIT\n*nat\n").endsWith("COMMIT\n");
    assertThat(input).contains(":KUBE-SVC-OLDOLDOLDOLDOLDO - [0:0]\n", "-X KUBE-SVC-OLDOLDOLDOLDOLDO\n",
        ":" + ChainNames.service(sp) + " - [0:0]\n", ":KUBE-FORWARD - [0:0]\n");
    assertThat(input).doesNotContain("DOCKER").doesNotContain("FOO").doesNotContain("-X " + ChainNames.service(sp));
    assertThat(input.indexOf("-X KUBE-SVC-OLD")).isGreaterThan(input.indexOf("-j " + ChainNames.endpoint(sp, A)));
  }

  @Test
  void servicePortsFollowSlicesReadinessAndSkipHeadlessServices() {
    Service web = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
        .withNewSpec().withClusterIP("10.96.0.50").withType("NodePort").withSessionAffinity("ClientIP")
        .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNodePort(30080).endPort().endSpec().build();
    Service headless = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("db").endMetadata()
        .withNewSpec().withClusterIP("None").addNewPort().withPort(5432).endPort().endSpec().build();
    EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName("web-abc")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .addNewEndpoint().withAddresses("10.244.1.3").endEndpoint()
        .addNewEndpoint().withAddresses("10.244.1.2").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewEndpoint().withAddresses("10.244.1.9").withNewConditions().withReady(false).endConditions().endEndpoint()
        .build();
    List<ServicePort> ports = ServicePorts.of(List.of(web, headless), List.of(slice));
    assertThat(ports).containsExactly(new ServicePort("default", "web", "http", "TCP", "10.96.0.50", 80, 30080, List.of(),
        10800, List.of(A, B)));
  }

  @Test
  void withoutReadyEndpointsServingTerminatingOnesStillTakeTraffic() {
    Service web = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
        .withNewSpec().withClusterIP("10.96.0.50").addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
        .endSpec().build();
    EndpointSliceBuilder shuttingDown = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
        .withName("web-abc").addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .addNewEndpoint().withAddresses("10.244.1.2").withNewConditions().withReady(false).withServing(true)
          .withTerminating(true).endConditions().endEndpoint()
        .addNewEndpoint().withAddresses("10.244.1.7").withNewConditions().withReady(false).withServing(false)
          .withTerminating(true).endConditions().endEndpoint()
        .addNewEndpoint().withAddresses("10.244.1.8").withNewConditions().withReady(false).endConditions().endEndpoint();
    assertThat(ServicePorts.of(List.of(web), List.of(shuttingDown.build())).get(0).endpoints())
        .as("only the serving terminating endpoint").containsExactly(new ServicePort.Endpoint("10.244.1.2", 8080));

    // once a ready endpoint exists, terminating ones get no new connections
    EndpointSlice withReady = shuttingDown.addNewEndpoint().withAddresses("10.244.1.3").endEndpoint().build();
    assertThat(ServicePorts.of(List.of(web), List.of(withReady)).get(0).endpoints())
        .containsExactly(new ServicePort.Endpoint("10.244.1.3", 8080));
  }
}
