package io.planet.node.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel settings pod networking needs on the node: IPv4 forwarding (pods reach beyond the bridge through the
 * host) and, where the br_netfilter module is present, bridge-nf-call-iptables (traffic between pods on the same
 * bridge passes iptables, so Service DNAT applies to it as kube-proxy expects).
 */
public final class NodeSysctls {
  private static final Logger log = LoggerFactory.getLogger(NodeSysctls.class);

  static final String IP_FORWARD = "net/ipv4/ip_forward";
  static final String BRIDGE_NF_CALL_IPTABLES = "net/bridge/bridge-nf-call-iptables";

  private final Path procSys;

  public NodeSysctls() {
    this(Path.of("/proc/sys"));
  }

  NodeSysctls(Path procSys) {
    this.procSys = procSys;
  }

  /** Sets what is missing; returns a line per setting saying what was done (for logs and status). */
  public List<String> ensure() throws IOException {
    List<String> done = new ArrayList<>();
    done.add(set(IP_FORWARD));
    if (!Files.exists(procSys.resolve(BRIDGE_NF_CALL_IPTABLES))) loadBrNetfilter();
    if (Files.exists(procSys.resolve(BRIDGE_NF_CALL_IPTABLES))) {
      done.add(set(BRIDGE_NF_CALL_IPTABLES));
    } else {
      String why = BRIDGE_NF_CALL_IPTABLES + " unavailable (br_netfilter module not loaded): pod-to-pod traffic on"
          + " the bridge bypasses iptables";
      log.warn(why);
      done.add(why);
    }
    return done;
  }

  private String set(String key) throws IOException {
    Path file = procSys.resolve(key);
    if (Files.readString(file).trim().equals("1")) return key + "=1 (already)";
    try {
      Files.writeString(file, "1\n");
    } catch (IOException e) {
      throw new IOException("cannot set " + key.replace('/', '.') + "=1 (the node agent runs as root): " + e.getMessage(), e);
    }
    log.info("set {}=1", key.replace('/', '.'));
    return key + "=1 (set)";
  }

  private void loadBrNetfilter() {
    if (!procSys.equals(Path.of("/proc/sys"))) return;
    try {
      Process p = new ProcessBuilder("modprobe", "br_netfilter").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      // no modprobe (containers, minimal images): the warning in ensure() says what that means
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
