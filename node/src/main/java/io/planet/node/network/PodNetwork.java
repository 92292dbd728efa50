package io.planet.node.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pod network: every pod's network namespace gets {@code lo} up (loopback plugin, run on its own as
 * container runtimes do) and {@code eth0} on the node bridge (bridge plugin as the gateway, masquerading traffic
 * that leaves the pod CIDR, with host-local IPAM on the node's {@code spec.podCIDR}), its hostPorts published by
 * the portmap plugin and its forwarding allowed by the firewall plugin (hosts whose FORWARD policy is DROP).
 * Tearing down removes the veth, the IP reservation and the iptables rules of the pod.
 */
public final class PodNetwork {
  private static final Logger log = LoggerFactory.getLogger(PodNetwork.class);

  /** The interface the pod's traffic uses, as in every Kubernetes pod. */
  public static final String POD_INTERFACE = "eth0";

  /**
   * Where and how the node's network lives. {@code stateDir} holds the IPAM reservations ({@code networks/}) and
   * cached CNI results ({@code results/}), apart from other CNI users' /var/lib/cni.
   */
  public record Config(String networkName, String bridgeName, String podCidr, Path stateDir, List<Path> pluginDirs) {
    public Config {
      if (!networkName.matches("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*")) throw new IllegalArgumentException("bad network name " + networkName);
      // IFNAMSIZ: 15 characters
      if (!bridgeName.matches("[a-zA-Z0-9_.\\-]{1,15}")) throw new IllegalArgumentException("bad bridge name " + bridgeName);
      if (!podCidr.matches("[0-9a-fA-F.:]+/[0-9]{1,3}")) throw new IllegalArgumentException("bad pod CIDR " + podCidr);
      pluginDirs = List.copyOf(pluginDirs);
    }

    /** Network "planet" on bridge planet0, state under /var/lib/planet/cni, plugins from the usual directories. */
    public static Config forPodCidr(String podCidr) {
      return new Config("planet", "planet0", podCidr, Path.of("/var/lib/planet/cni"), CniExec.DEFAULT_PLUGIN_DIRS);
    }

    public Config withStateDir(Path dir) {
      return new Config(networkName, bridgeName, podCidr, dir, pluginDirs);
    }

    public Config withPluginDirs(List<Path> dirs) {
      return new Config(networkName, bridgeName, podCidr, stateDir, dirs);
    }

    public Config withBridge(String networkName, String bridgeName) {
      return new Config(networkName, bridgeName, podCidr, stateDir, pluginDirs);
    }

    boolean ipv6() {
      return podCidr.contains(":");
    }
  }

  /** A pod's addresses: {@code podIPs} for status.podIPs (the first is status.podIP), and the bridge gateway. */
  public record Result(List<String> podIPs, String gateway, CniResult cni) {
    public String podIP() {
      return podIPs.get(0);
    }
  }

  private static final String LOOPBACK_NETWORK = "cni-loopback";

  private final Config config;
  private final CniClient cni;
  private volatile CniConfigList network;
  private volatile CniConfigList loopback;

  public PodNetwork(Config config) {
    this.config = config;
    this.cni = new CniClient(new CniExec(config.pluginDirs()), config.stateDir().resolve("results"));
  }

  public Config config() {
    return config;
  }

  /**
   * Readies the node once (idempotent): checks the plugins are installed, agrees a CNI version with them, sets the
   * forwarding sysctls and writes the conflist to {@code <stateDir>/net.d} for people inspecting the node.
   */
  public synchronized CniConfigList prepare() throws IOException {
    if (network != null) return network;
    CniExec exec = cni.exec();
    for (String type : List.of("bridge", "host-local", "portmap", "firewall", "loopback")) exec.find(type);
    String version = negotiateVersion(exec.supportedVersions("bridge"));
    for (String line : new NodeSysctls().ensure()) log.info("pod network: {}", line);
    CniConfigList list = configList(version);
    Path netD = Files.createDirectories(config.stateDir().resolve("net.d"));
    Files.write(netD.resolve(config.networkName() + ".conflist"),
        CniExec.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(list.toJson()));
    ObjectNode lo = CniExec.JSON.createObjectNode().put("type", "loopback");
    loopback = new CniConfigList(LOOPBACK_NETWORK, version, List.of(lo));
    network = list;
    return list;
  }

  /** The node's conflist for a CNI spec version: bridge + host-local, portmap, firewall. */
  public CniConfigList configList(String cniVersion) {
    ObjectNode bridge = CniExec.JSON.createObjectNode();
    bridge.put("type", "bridge");
    bridge.put("bridge", config.bridgeName());
    bridge.put("isGateway", true);
    bridge.put("ipMasq", true);
    // hairpin: a pod reaching itself through its own hostPort or Service IP gets the packet back on its veth
    bridge.put("hairpinMode", true);
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.putArray("ranges").addArray().addObject().put("subnet", config.podCidr());
    ipam.putArray("routes").addObject().put("dst", config.ipv6() ? "::/0" : "0.0.0.0/0");
    ipam.put("dataDir", config.stateDir().resolve("networks").toString());

    ObjectNode portmap = CniExec.JSON.createObjectNode();
    portmap.put("type", "portmap");
    portmap.putObject("capabilities").put("portMappings", true);
    // SNAT for hairpin and localhost-originated connections, so replies come back through the node
    portmap.put("snat", true);

    ObjectNode firewall = CniExec.JSON.createObjectNode();
    firewall.put("type", "firewall");
    firewall.put("backend", "iptables");
    return new CniConfigList(config.networkName(), cniVersion, List.of(bridge, portmap, firewall));
  }

  /**
   * Wires the pod's network namespace (created by the sandbox) into the node network and publishes its hostPorts.
   * {@code podId} is the sandbox id (CNI container id); the pod's namespace/name travel in CNI_ARGS like the
   * kubelet's. On failure nothing of the attachment is left.
   */
  public Result setUp(String podId, String podNamespace, String podName, Path netns, List<PortMapping> hostPorts)
      throws IOException {
    CniConfigList list = prepare();
    Map<String, String> args = kubeletArgs(podId);
    args.put("K8S_POD_NAMESPACE", podNamespace);
    args.put("K8S_POD_NAME", podName);
    cni.addNetworkList(loopback, new CniRuntimeConf(podId, netns, "lo", args, Map.of()));
    CniResult result = cni.addNetworkList(list, runtimeConf(podId, netns, args, hostPorts));
    List<String> ips = new ArrayList<>();
    String gateway = "";
    for (CniResult.IpConfig ip : result.containerIps()) {
      ips.add(ip.ip());
      if (gateway.isEmpty()) gateway = ip.gateway();
    }
    if (ips.isEmpty()) {
      tearDown(podId, netns, hostPorts);
      throw new CniException("bridge", "ADD", 0, "network " + list.name() + " gave pod " + podId + " no IP", null);
    }
    log.info("pod {}/{} ({}) network up: {}", podNamespace, podName, podId, ips);
    return new Result(List.copyOf(ips), gateway, result);
  }

  /**
   * Detaches the pod: veth, IP reservation, hostPort, forwarding and masquerade rules. Call it before the sandbox's
   * netns is destroyed (the bridge plugin finds the pod's addresses inside it); when it is gone already, the
   * masquerade rules the plugin then leaves are removed here.
   * Idempotent; {@code hostPorts} may be empty when the ADD was made by this node (the cached ADD has them).
   */
  public void tearDown(String podId, Path netns, List<PortMapping> hostPorts) throws IOException {
    CniConfigList list = prepare();
    Path ns = netns != null && Files.exists(netns) ? netns : null;
    Map<String, String> args = kubeletArgs(podId);
    cni.delNetworkList(list, runtimeConf(podId, ns, args, hostPorts));
    cni.delNetworkList(loopback, new CniRuntimeConf(podId, ns, "lo", args, Map.of()));
    if (ns == null) {
      int removed = OrphanedMasquerade.remove(config.ipv6() ? "ip6tables" : "iptables", list.name(), podId);
      if (removed > 0) log.info("pod {}: removed {} masquerade rule(s) left by a netns already gone", podId, removed);
    }
  }

  /** CNI CHECK of the pod's attachment: throws the plugins' complaint when it is not as set up. */
  public void check(String podId, Path netns, List<PortMapping> hostPorts) throws IOException {
    cni.checkNetworkList(prepare(), runtimeConf(podId, netns, kubeletArgs(podId), hostPorts));
  }

  /** Whether the pod is attached (set up and not torn down) on this node. */
  public boolean isSetUp(String podId) throws IOException {
    return cni.isAttached(prepare(), new CniRuntimeConf(podId, null, POD_INTERFACE, Map.of(), Map.of()));
  }

  /** Deletes the node bridge (when the node leaves; pods must be torn down first). */
  public void removeBridge() throws IOException {
    if (NetworkInterfaces.exists(config.bridgeName())) {
      Commands.run("ip", "link", "delete", config.bridgeName(), "type", "bridge");
    }
  }

  private static Map<String, String> kubeletArgs(String podId) {
    Map<String, String> args = new LinkedHashMap<>();
    // plugins reject CNI_ARGS keys they do not know unless told to ignore them
    args.put("IgnoreUnknown", "1");
    args.put("K8S_POD_INFRA_CONTAINER_ID", podId);
    return args;
  }

  private static CniRuntimeConf runtimeConf(String podId, Path netns, Map<String, String> args,
      List<PortMapping> hostPorts) {
    Map<String, Object> capabilityArgs = new LinkedHashMap<>();
    if (hostPorts != null && !hostPorts.isEmpty()) {
      capabilityArgs.put("portMappings", hostPorts.stream().map(PortMapping::toCapabilityArg).toList());
    }
    return new CniRuntimeConf(podId, netns, POD_INTERFACE, args, capabilityArgs);
  }

  static String negotiateVersion(List<String> supported) throws CniException {
    for (String v : List.of("1.0.0", "0.4.0")) {
      if (supported.contains(v)) return v;
    }
    throw new CniException("bridge", "VERSION", CniException.INCOMPATIBLE_VERSION,
        "CNI plugins support only " + supported + "; need 0.4.0 or 1.0.0 (run scripts/setup)", null);
  }
}
