package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the node agent finds its own address without --node-ip. */
class HostInfoTest {
  @Test
  void theDefaultRoutesInterfaceIsTheNodesNotABridgeMadeLater() {
    List<String> route = List.of(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "cni0\t0000F40A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
        "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
        "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
        "down0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0");
    assertThat(HostInfo.defaultRouteInterfaces(route)).containsExactly("eth0", "wlan0");
    assertThat(HostInfo.defaultRouteInterfaces(List.of())).isEmpty();
  }
}
