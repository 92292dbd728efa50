package io.planet.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeSysctlsTest {
  @TempDir Path procSys;

  private void write(String key, String value) throws IOException {
    Files.createDirectories(procSys.resolve(key).getParent());
    Files.writeString(procSys.resolve(key), value);
  }

  @Test
  void enablesForwardingAndBridgeNetfilter() throws IOException {
    write(NodeSysctls.IP_FORWARD, "0\n");
    write(NodeSysctls.BRIDGE_NF_CALL_IPTABLES, "1\n");
    assertThat(new NodeSysctls(procSys).ensure())
        .containsExactly("net/ipv4/ip_forward=1 (set)", "net/bridge/bridge-nf-call-iptables=1 (already)");
    assertThat(Files.readString(procSys.resolve(NodeSysctls.IP_FORWARD)).trim()).isEqualTo("1");
  }

  @Test
  void saysWhatIsMissingWithoutBrNetfilter() throws IOException {
    write(NodeSysctls.IP_FORWARD, "1\n");
    assertThat(new NodeSysctls(procSys).ensure()).hasSize(2)
        .anyMatch(l -> l.contains("bridge-nf-call-iptables unavailable (br_netfilter module not loaded)"));
  }
}
