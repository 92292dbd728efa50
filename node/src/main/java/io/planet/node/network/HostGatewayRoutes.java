package io.planet.node.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod traffic between nodes, as flannel's host-gw backend does it: for every other node whose InternalIP is on a
 * directly connected subnet, a route to its {@code spec.podCIDR} via that address ({@code ip route replace}), removed
 * when the node goes. Pod-to-pod traffic keeps its source address: the bridge plugin masquerades everything that
 * leaves the node's own pod subnet, so a nat POSTROUTING RETURN rule per remote pod CIDR goes before it, and filter
 * FORWARD accepts the remote pod CIDR to this node's pods (hosts whose FORWARD policy is DROP). Rules carry the
 * comment {@code planet host-gw <this node> <other node>} so only this node's are ever touched.
 */
public final class HostGatewayRoutes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostGatewayRoutes.class);
  static final long RESYNC_SECONDS = 30;

  /** One other node's pod CIDR and the address it is reached by. */
  record Route(String node, String podCidr, String via) {}

  private final KubernetesClient client;
  private final String nodeName;
  private final Map<String, Route> installed = new LinkedHashMap<>();
  private String localCidr;
  private SharedIndexInformer<Node> nodes;
  private ScheduledExecutorService resync;

  public HostGatewayRoutes(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  public void start() {
    removeRules(commentPrefix());
    nodes = client.nodes().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        sync();
      }

      @Override
      public void onUpdate(Node before, Node after) {
        sync();
      }

      @Override
      public void onDelete(Node n, boolean unknown) {
        sync();
      }
    }, RESYNC_SECONDS * 1000);
    // the informer's first events came while nodes was still unset
    sync();
    resync = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "host-gw-resync");
      t.setDaemon(true);
      return t;
    });
    // a route someone deleted by hand comes back
    resync.scheduleWithFixedDelay(this::sync, RESYNC_SECONDS, RESYNC_SECONDS, TimeUnit.SECONDS);
  }

  /** The routes this node keeps now (other node → pod CIDR via address). */
  public synchronized List<String> routes() {
    return installed.values().stream().map(r -> r.podCidr() + " via " + r.via() + " (" + r.node() + ")").toList();
  }

  synchronized void sync() {
    if (nodes == null) return;
    try {
      syncNow();
    } catch (RuntimeException e) {
      // the next event or resync tries again; a scheduled task that throws would never run again
      log.warn("host-gw: sync failed: {}", e.toString());
    }
  }

  private void syncNow() {
    Map<String, Route> want = new LinkedHashMap<>();
    String mine = null;
    for (Node n : nodes.getStore().list()) {
      String cidr = n.getSpec() == null ? null : n.getSpec().getPodCIDR();
      if (n.getMetadata().getName().equals(nodeName)) {
        mine = cidr;
        continue;
      }
      String ip = internalIp(n);
      if (cidr == null || ip == null || n.getMetadata().getDeletionTimestamp() != null) continue;
      if (!directlyConnected(ip)) continue;
      want.put(cidr, new Route(n.getMetadata().getName(), cidr, ip));
    }
    if (mine != null && !mine.equals(localCidr)) {
      // the rules name this node's pod CIDR: start them over with the new one
      removeRules(commentPrefix());
      installed.clear();
      localCidr = mine;
    }
    for (Route r : new ArrayList<>(installed.values())) {
      Route w = want.get(r.podCidr());
      if (w == null || !w.equals(r)) remove(r);
    }
    for (Route r : want.values()) {
      if (installed.containsKey(r.podCidr()) && routePresent(r)) continue;
      add(r);
    }
  }

  private void add(Route r) {
    try {
      Commands.run("ip", "route", "replace", r.podCidr(), "via", r.via());
      if (localCidr != null && !installed.containsKey(r.podCidr())) {
        String comment = commentPrefix() + r.node();
        Commands.run("iptables", "-w", "-t", "nat", "-I", "POSTROUTING", "1", "-s", localCidr, "-d", r.podCidr(),
            "-m", "comment", "--comment", comment, "-j", "RETURN");
        Commands.run("iptables", "-w", "-t", "filter", "-I", "FORWARD", "1", "-s", r.podCidr(), "-d", localCidr,
            "-m", "comment", "--comment", comment, "-j", "ACCEPT");
      }
      installed.put(r.podCidr(), r);
      log.info("host-gw: route {} via {} (node {})", r.podCidr(), r.via(), r.node());
    } catch (IOException e) {
      log.warn("host-gw: cannot route {} via {} (node {}): {}", r.podCidr(), r.via(), r.node(), e.getMessage());
    }
  }

  private void remove(Route r) {
    installed.remove(r.podCidr());
    try {
      Commands.run("ip", "route", "del", r.podCidr(), "via", r.via());
    } catch (IOException e) {
      log.debug("host-gw: route {} already gone: {}", r.podCidr(), e.getMessage());
    }
    removeRules(commentPrefix() + r.node());
    log.info("host-gw: removed route {} via {} (node {})", r.podCidr(), r.via(), r.node());
  }

  private static boolean routePresent(Route r) {
    try {
      return Commands.run("ip", "route", "show", r.podCidr()).contains("via " + r.via());
    } catch (IOException e) {
      return false;
    }
  }

  /** On the same link: {@code ip route get} answers without a gateway and not as a local address. */
  static boolean directlyConnected(String ip) {
    try {
      String out = Commands.run("ip", "-o", "route", "get", ip);
      return !out.startsWith("local ") && !out.contains(" via ");
    } catch (IOException e) {
      return false;
    }
  }

  private static String internalIp(Node n) {
    if (n.getStatus() == null || n.getStatus().getAddresses() == null) return null;
    for (NodeAddress a : n.getStatus().getAddresses()) {
      if ("InternalIP".equals(a.getType()) && a.getAddress() != null && !a.getAddress().contains(":")) return a.getAddress();
    }
    return null;
  }

  private String commentPrefix() {
    return "planet host-gw " + nodeName + " ";
  }

  /** Deletes every rule of the nat and filter tables whose comment starts with {@code prefix}. */
  private static void removeRules(String prefix) {
    for (String table : List.of("nat", "filter")) {
      try {
        for (String line : Commands.run("iptables", "-w", "-t", table, "-S").split("\n")) {
          if (!line.startsWith("-A ") || !line.contains("--comment \"" + prefix)) continue;
          List<String> rule = IptablesRule.split(line);
          List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D"));
          delete.addAll(rule.subList(1, rule.size()));
          Commands.run(delete);
        }
      } catch (IOException e) {
        log.warn("host-gw: cannot remove {} rules from {}: {}", prefix.trim(), table, e.getMessage());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (resync != null) resync.shutdownNow();
    if (nodes != null) nodes.close();
    nodes = null;
    for (Route r : new ArrayList<>(installed.values())) remove(r);
    removeRules(commentPrefix());
  }
}
