package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HostAlias;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pod's /etc/hosts as upstream's kubelet writes it, on the pod network and on the host's. */
class EtcHostsTest {
  static final String STANDARD = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
      + "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"
      + "fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  static final List<HostAlias> ALIASES = List.of(new HostAlias(List.of("foo.local", "bar.local"), "127.0.0.1"));

  @TempDir
  Path tmp;

  @Test
  void aPodOnThePodNetworkGetsTheStandardEntriesItsNameAndItsAliases() {
    assertThat(EtcHosts.managed("10.1.0.5", "web", null, List.of())).isEqualTo(STANDARD + "10.1.0.5\tweb\n");
    assertThat(EtcHosts.managed("10.1.0.5", "pg-0", "pg-0.pg.db.svc.cluster.local", ALIASES)).isEqualTo(STANDARD
        + "10.1.0.5\tpg-0.pg.db.svc.cluster.local\tpg-0\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n");
  }

  @Test
  void aHostNetworkPodGetsTheNodesHostsFile() throws Exception {
    Path node = Files.writeString(tmp.resolve("hosts"), "127.0.0.1\tlocalhost\n192.168.1.7\tnode-a\n");
    assertThat(EtcHosts.hostNetwork(node, null))
        .isEqualTo("# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n192.168.1.7\tnode-a\n");
    assertThat(EtcHosts.hostNetwork(node, ALIASES)).endsWith("node-a\n\n# Entries added by HostAliases.\n"
        + "127.0.0.1\tfoo.local\tbar.local\n");
  }
}
