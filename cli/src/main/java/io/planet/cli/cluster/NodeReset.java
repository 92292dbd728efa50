package io.planet.cli.cluster;

import io.planet.node.image.ImageStore;
import io.planet.node.kubelet.RuntimeLabels;
import io.planet.node.network.IptablesRule;
import io.planet.node.proxy.Proxier;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.Mounts;
import io.planet.node.runtime.Runc;
import io.planet.node.runtime.RuncRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Leaves the machine as it was before the node started: every container stopped (TERM, then KILL after its pod's
 * grace period), then the pods' masquerade and host-port rules, cgroups, mounts and network namespaces, the IPAM
 * reservations, the CNI bridge and the service proxy's KUBE- chains. Only this node's objects: its own runc root,
 * its own pods (by id) and its own bridge.
 */
final class NodeReset {
  private final ClusterConfig config;
  private final Consumer<String> log;

  NodeReset(ClusterConfig config, Consumer<String> log) {
    this.config = config;
    this.log = log;
  }

  /** {@code timeout}: the longest any pod gets between TERM and KILL (pods with a shorter grace period get theirs). */
  void run(Duration timeout) {
    List<String> pods = podIds();
    stopContainers(timeout);
    for (String pod : pods) removeCniRules(pod);
    removeFirewallRules();
    try {
      runtime().removeAll();
    } catch (IOException e) {
      log.accept("reset: removing containers and sandboxes: " + e.getMessage());
    }
    for (String pod : pods) removeCgroup(RuncRuntime.podCgroup(pod));
    unmountUnder(config.dataDir());
    unmountUnder(config.runDir());
    deleteTree(config.dataDir().resolve("cni").resolve("networks"));
    try {
      if (io.planet.node.network.NetworkInterfaces.exists(config.bridge())) Commands.run("ip", "link", "delete", config.bridge());
    } catch (IOException e) {
      log.accept("reset: deleting bridge " + config.bridge() + ": " + e.getMessage());
    }
    try {
      Proxier.cleanup();
    } catch (IOException e) {
      log.accept("reset: removing the proxy's iptables chains: " + e.getMessage());
    }
  }

  /** Pod sandboxes of this node (directories under {@code <run-dir>/pods}). */
  List<String> podIds() {
    Path pods = config.runDir().resolve("pods");
    if (!Files.isDirectory(pods)) return List.of();
    try (Stream<Path> s = Files.list(pods)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Every container gets TERM at once; each is killed when its pod's terminationGracePeriodSeconds (as the kubelet
   * recorded it with the container; upstream's default of 30 s when it did not) has passed, but no later than
   * {@code timeout} after the TERM, and no sooner than 2 s (the kubelet's minimum grace period) unless the timeout is
   * shorter. Pods run out their periods side by side, as in the kubelet's graceful node shutdown.
   */
  private void stopContainers(Duration timeout) {
    Runc runc = new Runc(config.runDir().resolve("runc"));
    List<String> ids;
    try {
      if (!Files.isDirectory(runc.root())) return;
      ids = runc.list();
    } catch (IOException e) {
      return;
    }
    if (ids.isEmpty()) return;
    Map<String, RuncRuntime.RecordedContainer> recorded = new HashMap<>();
    try {
      for (RuncRuntime.RecordedContainer c : runtime().recordedContainers()) recorded.put(c.id(), c);
    } catch (IOException e) {
      log.accept("reset: reading the containers' records: " + e.getMessage() + " (every pod gets " + timeout.toSeconds() + " s)");
    }
    Map<String, PodStop> pods = new LinkedHashMap<>();
    for (String id : ids) {
      RuncRuntime.RecordedContainer c = recorded.get(id);
      Map<String, String> labels = c == null ? Map.of() : c.labels();
      String key = c == null ? "container " + id : c.podId();
      pods.computeIfAbsent(key, k -> new PodStop(describe(labels, id), grace(labels, timeout))).containers.add(id);
    }
    long t0 = System.nanoTime();
    for (String id : ids) signal(runc, id, "TERM");
    List<PodStop> left = new ArrayList<>(pods.values());
    while (!left.isEmpty()) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      for (PodStop p : List.copyOf(left)) {
        if (running(runc, p.containers).isEmpty()) {
          log.accept("reset: pod " + p.name + " stopped after " + Phases.seconds(t0));
          left.remove(p);
        } else if (elapsed.compareTo(p.grace) >= 0) {
          for (String id : p.containers) signal(runc, id, "KILL");
          log.accept("reset: pod " + p.name + " still running after " + Phases.seconds(t0) + ": killed (grace period "
              + p.grace.toSeconds() + " s)");
          left.remove(p);
        }
      }
      if (left.isEmpty()) break;
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        for (PodStop p : left) for (String id : p.containers) signal(runc, id, "KILL");
        break;
      }
    }
    stopShims(runc);
  }

  /** One pod's containers and how long they get between TERM and KILL. */
  private record PodStop(String name, Duration grace, List<String> containers) {
    PodStop(String name, Duration grace) {
      this(name, grace, new ArrayList<>());
    }
  }

  static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  static final Duration MINIMUM_GRACE = Duration.ofSeconds(2);

  /** The pod's own grace period, bounded by the stop's timeout. */
  static Duration grace(Map<String, String> labels, Duration timeout) {
    Duration own = DEFAULT_GRACE;
    try {
      String g = labels.get(RuntimeLabels.POD_TERMINATION_GRACE_PERIOD);
      if (g != null) own = Duration.ofSeconds(Long.parseLong(g));
    } catch (NumberFormatException e) {
      // upstream's default
    }
    if (own.compareTo(MINIMUM_GRACE) < 0) own = MINIMUM_GRACE;
    return own.compareTo(timeout) > 0 ? timeout : own;
  }

  private static String describe(Map<String, String> labels, String id) {
    String name = labels.get(RuntimeLabels.POD_NAME);
    return name == null ? "of container " + id : labels.getOrDefault(RuntimeLabels.POD_NAMESPACE, "") + "/" + name;
  }

  private RuncRuntime runtime() throws IOException {
    return new RuncRuntime(new ImageStore(config.dataDir().resolve("images")), config.dataDir(), config.runDir(),
        Path.of("/run/netns"));
  }

  /**
   * Each container's shim (its {@code runc run} under a shell of its own session) would wait a while for an agent to
   * read the container's last output; with the node reset there is none to come.
   */
  private void stopShims(Runc runc) {
    String marker = "planet-shim " + runc.root();
    ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false)
        || p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).forEach(ProcessHandle::destroy);
  }

  private static void signal(Runc runc, String id, String sig) {
    try {
      runc.kill(id, sig);
    } catch (IOException ignored) {
      // already stopped
    }
  }

  private static List<String> running(Runc runc, List<String> ids) {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      try {
        if (runc.state(id).map(s -> s.path("status").asText()).filter("running"::equals).isPresent()) out.add(id);
      } catch (IOException ignored) {
        // gone
      }
    }
    return out;
  }

  /**
   * The bridge plugin's masquerade and portmap's host-port rules carry the comment {@code name: "<net>" id: "<pod>"};
   * their DEL needs the pod's netns, so with the pods gone they are removed by that comment.
   */
  private void removeCniRules(String pod) {
    String id = "id: \"" + pod + "\"";
    try {
      String rules = Commands.run("iptables", "-w", "-t", "nat", "-S");
      List<String> chains = new ArrayList<>();
      for (String line : rules.split("\n")) {
        if (!line.startsWith("-A ") || !line.contains(id)) continue;
        List<String> rule = IptablesRule.split(line);
        List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", "nat", "-D"));
        delete.addAll(rule.subList(1, rule.size()));
        Commands.run(delete);
        int j = rule.indexOf("-j");
        if (j >= 0 && j + 1 < rule.size() && rule.get(j + 1).startsWith("CNI-") && !rule.get(j + 1).startsWith("CNI-HOSTPORT")) {
          chains.add(rule.get(j + 1));
        }
      }
      for (String chain : chains) {
        Commands.run("iptables", "-w", "-t", "nat", "-F", chain);
        Commands.run("iptables", "-w", "-t", "nat", "-X", chain);
      }
    } catch (IOException e) {
      log.accept("reset: removing pod " + pod + "'s CNI rules: " + e.getMessage());
    }
  }

  /**
   * The firewall plugin's per-pod accept rules in filter CNI-FORWARD name the pod's address only: those in this
   * cluster's pod CIDR go (the CNI-FORWARD and CNI-ADMIN chains stay: other CNI users on the machine share them).
   */
  private void removeFirewallRules() {
    try {
      String rules = Commands.run("iptables", "-w", "-t", "filter", "-S", "CNI-FORWARD");
      for (String line : rules.split("\n")) {
        if (!line.startsWith("-A CNI-FORWARD ")) continue;
        List<String> rule = IptablesRule.split(line);
        boolean ours = false;
        for (String flag : List.of("-s", "-d")) {
          int i = rule.indexOf(flag);
          if (i >= 0 && i + 1 < rule.size() && inCidr(rule.get(i + 1), config.clusterCidr())) ours = true;
        }
        if (!ours) continue;
        List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", "filter", "-D"));
        delete.addAll(rule.subList(1, rule.size()));
        Commands.run(delete);
      }
    } catch (IOException e) {
      // no CNI-FORWARD chain: nothing of ours in it
    }
  }

  /** Whether an IPv4 address (a.b.c.d or a.b.c.d/32) lies in {@code cidr}. */
  static boolean inCidr(String address, String cidr) {
    try {
      String[] c = cidr.split("/");
      int prefix = Integer.parseInt(c[1]);
      long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      return (ipv4(address.split("/")[0]) & mask) == (ipv4(c[0]) & mask);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static long ipv4(String a) {
    String[] p = a.split("\\.");
    if (p.length != 4) throw new IllegalArgumentException(a);
    long v = 0;
    for (String x : p) v = (v << 8) | Integer.parseInt(x);
    return v;
  }

  private void removeCgroup(String relative) {
    Path root = Path.of("/sys/fs/cgroup");
    List<Path> dirs = new ArrayList<>();
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      dirs.add(root.resolve(relative.substring(1)));
    } else {
      try (Stream<Path> s = Files.list(root)) {
        s.forEach(c -> dirs.add(c.resolve(relative.substring(1))));
      } catch (IOException e) {
        return;
      }
    }
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) continue;
      try (Stream<Path> walk = Files.walk(d)) {
        // cgroup directories go leaves first; their files cannot (and need not) be deleted
        for (Path p : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      } catch (IOException e) {
        log.accept("reset: removing cgroup " + d + ": " + e.getMessage());
      }
    }
  }

  private void unmountUnder(Path dir) {
    try {
      if (!Files.isDirectory(dir)) return;
      // what is mounted below it (volumes, overlays), never the directory itself (data may live on its own disk)
      Path self = dir.toAbsolutePath().normalize();
      List<Path> mounts = new ArrayList<>(Mounts.under(dir).stream().filter(m -> !m.equals(self)).toList());
      mounts.sort(Comparator.comparing(Path::toString).reversed());
      for (Path m : mounts) Commands.run("umount", "-l", m.toString());
    } catch (IOException e) {
      log.accept("reset: unmounting under " + dir + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: what stays is reported by planet status
    }
  }
}
