package io.planet.cli.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code planet start} checks before it touches anything, each problem one line saying what is wrong and what
 * to do: root, the system programs (installed by scripts/setup), free ports, kernel features, the data directory's
 * format.
 */
final class Preflight {
  /** Programs a node needs, with the Debian package scripts/setup installs them from. */
  static final List<String[]> PROGRAMS = List.of(new String[] {"etcd", "etcd-server"}, new String[] {"runc", "runc"},
      new String[] {"iptables", "iptables"}, new String[] {"ip", "iproute2"}, new String[] {"nsenter", "util-linux"},
      // pods' pause process (shareProcessNamespace) and port-forward run the host's busybox
      new String[] {"busybox", "busybox-static"});
  static final List<String> CNI_PLUGINS = List.of("bridge", "host-local", "portmap", "loopback");
  static final Path CNI_DIR = Path.of("/usr/lib/cni");

  private final String user;
  private final List<Path> path;
  private final Path cniDir;
  private final Path proc;
  private final PortOwners owners;

  Preflight(String user, List<Path> path, Path cniDir, Path proc) {
    this.user = user;
    this.path = path;
    this.cniDir = cniDir;
    this.proc = proc;
    this.owners = new PortOwners(proc);
  }

  static Preflight system() {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (!d.isEmpty()) dirs.add(Path.of(d));
    }
    for (String d : List.of("/usr/sbin", "/sbin")) {
      if (!dirs.contains(Path.of(d))) dirs.add(Path.of(d));
    }
    return new Preflight(System.getProperty("user.name"), dirs, CNI_DIR, Path.of("/proc"));
  }

  /** Every problem found; empty when the node can start. */
  List<String> check(ClusterConfig config) {
    List<String> problems = new ArrayList<>();
    if (!"root".equals(user)) {
      problems.add("must run as root (it mounts, creates network namespaces and programs iptables): sudo bin/planet start");
      return problems;
    }
    problems.addAll(programs(config.master()));
    problems.addAll(ports(config.ports()));
    problems.addAll(kernel());
    dataDirVersion(config.dataDir()).ifPresent(problems::add);
    return problems;
  }

  /** Missing programs; etcd only where the control plane runs ({@code master}). */
  List<String> programs(boolean master) {
    List<String> out = new ArrayList<>();
    for (String[] p : PROGRAMS) {
      if (!master && p[0].equals("etcd")) continue;
      if (find(p[0]).isEmpty()) out.add(p[0] + " is not installed (package " + p[1] + "): run scripts/setup");
    }
    List<String> missing = new ArrayList<>();
    for (String plugin : CNI_PLUGINS) {
      if (!Files.isExecutable(cniDir.resolve(plugin))) missing.add(plugin);
    }
    if (!missing.isEmpty()) {
      out.add("CNI plugins " + String.join(", ", missing) + " are missing from " + cniDir
          + " (package containernetworking-plugins): run scripts/setup");
    }
    return out;
  }

  Optional<Path> find(String program) {
    for (Path d : path) {
      Path p = d.resolve(program);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  List<String> ports(ClusterConfig.Ports ports) {
    List<String> out = new ArrayList<>();
    for (Object[] named : ports.named()) {
      int port = (int) named[0];
      if (port == 0 || free(port)) continue;
      String who = owners.owner(port).map(o -> " by " + o).orElse(" by another process");
      out.add("port " + port + " (" + named[1] + ") is in use" + who + ": stop it, or start with a different port");
    }
    return out;
  }

  /** Free for a listener on any address (what the components bind: loopback, the node IP or the wildcard). */
  static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  List<String> kernel() {
    List<String> out = new ArrayList<>();
    try {
      String fs = Files.readString(proc.resolve("filesystems"));
      if (!fs.contains("\toverlay")) {
        out.add("the kernel has no overlay filesystem (container root filesystems need it): modprobe overlay");
      }
    } catch (IOException e) {
      out.add("cannot read " + proc.resolve("filesystems") + ": " + e.getMessage());
    }
    if (!Files.exists(proc.resolve("self/ns/net"))) {
      out.add("the kernel has no network namespaces (CONFIG_NET_NS): pods need them; use a kernel with namespaces");
    }
    return out;
  }

  /** A data directory written by an incompatible Planet: its format marker is newer than this binary knows. */
  static Optional<String> dataDirVersion(Path dataDir) {
    Path marker = dataDir.resolve("VERSION");
    if (!Files.exists(marker)) return Optional.empty();
    try {
      String v = Files.readString(marker).trim();
      if (!v.equals(DataDir.FORMAT)) {
        return Optional.of("data directory " + dataDir + " has format " + v + ", this planet reads " + DataDir.FORMAT
            + ": use the planet that wrote it, or start with another --data-dir (planet stop --purge removes it)");
      }
    } catch (IOException e) {
      return Optional.of("cannot read " + marker + ": " + e.getMessage());
    }
    return Optional.empty();
  }
}
