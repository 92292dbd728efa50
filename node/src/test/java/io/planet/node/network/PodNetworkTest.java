package io.planet.node.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's conflist, as generated from its pod CIDR. */
class PodNetworkTest {
  @Test
  void conflistIsBridgeWithHostLocalOnThePodCidrThenPortmapAndFirewall() {
    PodNetwork net = new PodNetwork(PodNetwork.Config.forPodCidr("10.244.3.0/24").withStateDir(Path.of("/var/lib/x")));
    JsonNode list = net.configList("1.0.0").toJson();
    assertThat(list.path("name").asText()).isEqualTo("planet");
    assertThat(list.path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(list.findValuesAsText("type")).containsExactly("bridge", "host-local", "portmap", "firewall");
    JsonNode bridge = list.path("plugins").get(0);
    assertThat(bridge.path("bridge").asText()).isEqualTo("planet0");
    assertThat(bridge.path("isGateway").asBoolean()).isTrue();
    assertThat(bridge.path("ipMasq").asBoolean()).isTrue();
    assertThat(bridge.path("hairpinMode").asBoolean()).isTrue();
    assertThat(bridge.at("/ipam/ranges/0/0/subnet").asText()).isEqualTo("10.244.3.0/24");
    assertThat(bridge.at("/ipam/routes/0/dst").asText()).isEqualTo("0.0.0.0/0");
    assertThat(bridge.at("/ipam/dataDir").asText()).isEqualTo("/var/lib/x/networks");
    assertThat(list.at("/plugins/1/capabilities/portMappings").asBoolean()).isTrue();
  }

  @Test
  void versionNegotiationPrefersOneOhAndRejectsOldPlugins() throws Exception {
    assertThat(PodNetwork.negotiateVersion(List.of("0.3.1", "0.4.0", "1.0.0"))).isEqualTo("1.0.0");
    assertThat(PodNetwork.negotiateVersion(List.of("0.3.1", "0.4.0"))).isEqualTo("0.4.0");
    assertThatThrownBy(() -> PodNetwork.negotiateVersion(List.of("0.3.1"))).hasMessageContaining("scripts/setup");
  }

  @Test
  void configRejectsBadNames() {
    PodNetwork.Config c = PodNetwork.Config.forPodCidr("10.244.3.0/24");
    assertThatThrownBy(() -> c.withBridge("planet", "a-bridge-name-too-long")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PodNetwork.Config.forPodCidr("10.244.3.0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void portMappingsUseThePortmapShape() {
    assertThat(new PortMapping(8080, 80, "TCP", "").toCapabilityArg())
        .containsExactly(Map.entry("hostPort", 8080), Map.entry("containerPort", 80),
            Map.entry("protocol", "tcp"));
    assertThat(new PortMapping(53, 53, "UDP", "192.0.2.2").toCapabilityArg()).containsEntry("hostIP", "192.0.2.2");
  }
}
