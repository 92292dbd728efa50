package io.planet.node.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A pod's shared namespaces, held without a pause container: network, IPC and UTS namespaces created by
 * {@code unshare} and kept alive as bind mounts on files (the network one under /run/netns, so {@code ip netns}
 * and CNI plugins see it). Every container of the pod joins them; the hostname is set once, here.
 */
public final class PodSandbox {
  private final String id;
  private final Path netns;
  private final Path ipc;
  private final Path uts;

  private PodSandbox(String id, Path netns, Path ipc, Path uts) {
    this.id = id;
    this.netns = netns;
    this.ipc = ipc;
    this.uts = uts;
  }

  /** The sandbox of pod {@code id} (a UID-like name) under {@code runDir}; nothing is created yet. */
  public static PodSandbox of(String id, Path runDir, Path netnsDir) {
    Path dir = runDir.resolve("pods").resolve(id);
    return new PodSandbox(id, netnsDir.resolve("planet-" + id), dir.resolve("ipc"), dir.resolve("uts"));
  }

  public String id() {
    return id;
  }

  public Path netns() {
    return netns;
  }

  public Path ipc() {
    return ipc;
  }

  public Path uts() {
    return uts;
  }

  public boolean exists() {
    return isNsMount(netns);
  }

  /** Creates the namespaces (idempotent) with the pod's hostname and loopback up. */
  public void create(String hostname) throws IOException {
    if (exists()) return;
    Files.createDirectories(netns.getParent());
    Files.createDirectories(ipc.getParent());
    for (Path p : List.of(netns, ipc, uts)) {
      if (!Files.exists(p)) Files.createFile(p);
    }
    try {
      Commands.run("unshare", "--net=" + netns, "--ipc=" + ipc, "--uts=" + uts, "hostname", hostname);
      // CNI's loopback plugin does this too; doing it here keeps localhost working before (or without) CNI
      Commands.run("nsenter", "--net=" + netns, "ip", "link", "set", "lo", "up");
    } catch (IOException e) {
      destroy();
      throw e;
    }
  }

  /** Releases the namespaces (processes still inside keep theirs until they exit). Idempotent. */
  public void destroy() throws IOException {
    for (Path p : List.of(netns, ipc, uts)) {
      if (isNsMount(p)) Commands.run("umount", p.toString());
      Files.deleteIfExists(p);
    }
    Files.deleteIfExists(ipc.getParent());
  }

  private static boolean isNsMount(Path p) {
    try {
      return Files.exists(p) && Mounts.isMountPoint(p);
    } catch (IOException e) {
      return false;
    }
  }
}
