package io.planet.node.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's shared namespaces, held without a pause container: network, IPC and UTS namespaces created by
 * {@code unshare} and kept alive as bind mounts on files (the network one under /run/netns, so {@code ip netns}
 * and CNI plugins see it). Every container of the pod joins them; the hostname is set once, here.
 *
 * <p>A pod with {@code hostNetwork}, {@code hostIPC} or {@code hostPID} has no namespace of its own of that kind: its
 * containers stay in the node's (the agent's) one. As upstream's runtimes, a host-network pod also shares the node's
 * UTS namespace, so it has the node's hostname.
 *
 * <p>A pod with {@code shareProcessNamespace} has one PID namespace for all its containers, held by its
 * {@link PauseProcess} (PID 1 there, as upstream's pause container); other pods give each container its own.
 */
public final class PodSandbox {
  /** Which of the node's namespaces the pod's containers share (upstream's NamespaceMode NODE). */
  public record HostNamespaces(boolean network, boolean pid, boolean ipc) {
    public static final HostNamespaces NONE = new HostNamespaces(false, false, false);

    public boolean any() {
      return network || pid || ipc;
    }
  }

  private final String id;
  private final Path dir;
  private final Path netnsPath;
  private final HostNamespaces host;
  private final boolean sharedPid;

  private PodSandbox(String id, Path dir, Path netnsPath, HostNamespaces host, boolean sharedPid) {
    this.id = id;
    this.dir = dir;
    this.netnsPath = netnsPath;
    this.host = host;
    this.sharedPid = sharedPid;
  }

  /** The sandbox of pod {@code id} (a UID-like name) under {@code runDir}; nothing is created yet. */
  public static PodSandbox of(String id, Path runDir, Path netnsDir) {
    return new PodSandbox(id, runDir.resolve("pods").resolve(id), netnsDir.resolve("planet-" + id), HostNamespaces.NONE, false);
  }

  /** The same sandbox sharing the node's namespaces that {@code host} names. */
  public PodSandbox withHostNamespaces(HostNamespaces host) {
    return new PodSandbox(id, dir, netnsPath, host == null ? HostNamespaces.NONE : host, sharedPid);
  }

  /** The same sandbox with one PID namespace for all its containers (shareProcessNamespace; not with hostPID). */
  public PodSandbox withSharedPid(boolean shared) {
    return new PodSandbox(id, dir, netnsPath, host, shared);
  }

  /** True when the pod's containers share one PID namespace of the pod's own. */
  public boolean sharedPid() {
    return sharedPid && !host.pid();
  }

  /** The pod's shared PID namespace (its pause process's); null when each container has its own, or the node's. */
  public Path pidns() {
    if (!sharedPid()) return null;
    return PauseProcess.find(dir).map(h -> Path.of("/proc/" + h.pid() + "/ns/pid")).orElse(null);
  }

  public String id() {
    return id;
  }

  public HostNamespaces hostNamespaces() {
    return host;
  }

  public boolean hostNetwork() {
    return host.network();
  }

  /** The pod's network namespace; null when it uses the node's. */
  public Path netns() {
    return host.network() ? null : netnsPath;
  }

  /** The pod's IPC namespace; null when it uses the node's. */
  public Path ipc() {
    return host.ipc() ? null : dir.resolve("ipc");
  }

  /** The pod's UTS namespace; null when it uses the node's (host network). */
  public Path uts() {
    return host.network() ? null : dir.resolve("uts");
  }

  /** True while the pod's own namespaces are there; a sandbox with none of its own, while its run directory is. */
  public boolean exists() {
    if (sharedPid() && PauseProcess.find(dir).isEmpty()) return false;
    List<Path> own = own();
    if (own.isEmpty()) return Files.isDirectory(dir);
    return own.stream().allMatch(PodSandbox::isNsMount);
  }

  /** Creates the namespaces (idempotent) with the pod's hostname and loopback up. */
  public void create(String hostname) throws IOException {
    if (exists()) return;
    Files.createDirectories(dir);
    List<Path> own = own();
    if (!own.isEmpty() && !own.stream().allMatch(PodSandbox::isNsMount)) createNamespaces(own, hostname);
    if (sharedPid() && PauseProcess.find(dir).isEmpty()) {
      List<String> join = new ArrayList<>();
      if (netns() != null) join.add("--net=" + netns());
      if (ipc() != null) join.add("--ipc=" + ipc());
      if (uts() != null) join.add("--uts=" + uts());
      try {
        PauseProcess.start(dir, join);
      } catch (IOException e) {
        destroy();
        throw e;
      }
    }
  }

  private void createNamespaces(List<Path> own, String hostname) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("unshare"));
    if (netns() != null) {
      Files.createDirectories(netnsPath.getParent());
      cmd.add("--net=" + netns());
    }
    if (ipc() != null) cmd.add("--ipc=" + ipc());
    if (uts() != null) cmd.add("--uts=" + uts());
    for (Path p : own) {
      if (!Files.exists(p)) Files.createFile(p);
    }
    // only a UTS namespace of the pod's own gets the hostname: without one, hostname would rename the node
    if (uts() != null) cmd.addAll(List.of("hostname", hostname));
    else cmd.add("true");
    try {
      Commands.run(cmd.toArray(String[]::new));
      // CNI's loopback plugin does this too; doing it here keeps localhost working before (or without) CNI
      if (netns() != null) Commands.run("nsenter", "--net=" + netns(), "ip", "link", "set", "lo", "up");
    } catch (IOException e) {
      destroy();
      throw e;
    }
  }

  /** Releases the namespaces (processes still inside keep theirs until they exit). Idempotent. */
  public void destroy() throws IOException {
    // whatever the pod was created with: a pause process recorded here goes, and with it its PID namespace
    PauseProcess.kill(dir);
    for (Path p : own()) {
      if (isNsMount(p)) Commands.run("umount", p.toString());
      Files.deleteIfExists(p);
    }
    Files.deleteIfExists(dir);
  }

  /** The namespace files this pod owns: never a path of the node's. */
  private List<Path> own() {
    List<Path> out = new ArrayList<>();
    if (netns() != null) out.add(netns());
    if (ipc() != null) out.add(ipc());
    if (uts() != null) out.add(uts());
    return out;
  }

  private static boolean isNsMount(Path p) {
    try {
      return Files.exists(p) && Mounts.isMountPoint(p);
    } catch (IOException e) {
      return false;
    }
  }
}
