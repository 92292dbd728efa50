package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfigBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfigOptionBuilder;
import io.planet.node.dns.ResolvConf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pod's /etc/resolv.conf for each dnsPolicy, as the upstream kubelet writes it. */
class PodDnsTest {
  private static final ResolvConf HOST = ResolvConf.parse("nameserver 192.168.1.1\nsearch corp.example\noptions edns0\n");

  @Test
  void clusterFirstUsesTheClusterDnsAndTheNamespaceSearchPath() {
    String conf = PodDns.resolvConf(pod("shop", null, false), List.of("10.96.0.10"), "cluster.local", HOST).render();
    assertThat(conf).isEqualTo("nameserver 10.96.0.10\n"
        + "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
        + "options ndots:5\n");
  }

  @Test
  void clusterFirstWithoutAClusterDnsOrOnTheHostNetworkUsesTheHosts() {
    assertThat(PodDns.resolvConf(pod("shop", "ClusterFirst", false), List.of(), "cluster.local", HOST)).isEqualTo(HOST);
    assertThat(PodDns.resolvConf(pod("shop", "ClusterFirst", true), List.of("10.96.0.10"), "cluster.local", HOST)).isEqualTo(HOST);
    assertThat(PodDns.resolvConf(pod("shop", "ClusterFirstWithHostNet", true), List.of("10.96.0.10"), "cluster.local", HOST)
        .nameservers()).containsExactly("10.96.0.10");
  }

  @Test
  void defaultCopiesTheHosts() {
    assertThat(PodDns.resolvConf(pod("shop", "Default", false), List.of("10.96.0.10"), "cluster.local", HOST).render())
        .isEqualTo("nameserver 192.168.1.1\nsearch corp.example\noptions edns0\n");
  }

  @Test
  void noneUsesOnlyTheDnsConfig() {
    Pod p = pod("shop", "None", false);
    p.getSpec().setDnsConfig(new PodDNSConfigBuilder().withNameservers("1.2.3.4").withSearches("ns1.svc.cluster-domain.example")
        .withOptions(new PodDNSConfigOptionBuilder().withName("ndots").withValue("2").build(),
            new PodDNSConfigOptionBuilder().withName("edns0").build()).build());
    assertThat(PodDns.resolvConf(p, List.of("10.96.0.10"), "cluster.local", HOST).render())
        .isEqualTo("nameserver 1.2.3.4\nsearch ns1.svc.cluster-domain.example\noptions ndots:2 edns0\n");
  }

  @Test
  void dnsConfigMergesIntoClusterFirstWithoutDuplicatesAndOverridesOptions() {
    Pod p = pod("shop", "ClusterFirst", false);
    p.getSpec().setDnsConfig(new PodDNSConfigBuilder().withNameservers("10.96.0.10", "8.8.8.8")
        .withSearches("cluster.local", "extra.example")
        .withOptions(new PodDNSConfigOptionBuilder().withName("ndots").withValue("1").build()).build());
    ResolvConf conf = PodDns.resolvConf(p, List.of("10.96.0.10"), "cluster.local", HOST);
    assertThat(conf.nameservers()).containsExactly("10.96.0.10", "8.8.8.8");
    assertThat(conf.searches()).containsExactly("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example",
        "extra.example");
    assertThat(conf.options()).containsExactly("ndots:1");
  }

  @Test
  void atMostThreeNameservers() {
    Pod p = pod("shop", "ClusterFirst", false);
    p.getSpec().setDnsConfig(new PodDNSConfigBuilder().withNameservers("1.1.1.1", "2.2.2.2", "3.3.3.3").build());
    assertThat(PodDns.resolvConf(p, List.of("10.96.0.10"), "cluster.local", HOST).nameservers())
        .containsExactly("10.96.0.10", "1.1.1.1", "2.2.2.2");
  }

  private static Pod pod(String ns, String policy, boolean hostNetwork) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName("p").endMetadata()
        .withNewSpec().withDnsPolicy(policy).withHostNetwork(hostNetwork).endSpec().build();
  }
}
