package io.planet.node.runtime;

import io.planet.node.image.Image;
import io.planet.node.image.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers with runc: each on an overlay root filesystem (its image's unpacked layers below, a writable layer
 * of its own above) in its pod's sandbox namespaces, under the cgroup {@code /planet/pod<id>/<container>}, its
 * output written as a CRI log. Removing a container or sandbox leaves nothing behind: no mounts, runc state,
 * cgroups, namespaces or files.
 */
public final class RuncRuntime {
  private static final Logger log = LoggerFactory.getLogger(RuncRuntime.class);

  private final ImageStore images;
  private final Path stateDir;
  private final Path runDir;
  private final Path netnsDir;
  private final Runc runc;
  private final Map<String, Container> containers = new ConcurrentHashMap<>();

  /** {@code stateDir}: /var/lib/planet (containers/ under it); {@code runDir}: /run/planet (pods/, runc/). */
  public RuncRuntime(ImageStore images, Path stateDir, Path runDir, Path netnsDir) throws IOException {
    this.images = images;
    this.stateDir = Files.createDirectories(stateDir.resolve("containers"));
    this.runDir = Files.createDirectories(runDir);
    this.netnsDir = netnsDir;
    this.runc = new Runc(Files.createDirectories(runDir.resolve("runc")));
  }

  public PodSandbox sandbox(String podId) {
    return PodSandbox.of(podId, runDir, netnsDir);
  }

  /** A started container: its runc process (alive while the container runs) and log file. */
  public static final class Container {
    private final String id;
    private final String podId;
    private final Process process;
    private final Path log;
    private final List<Thread> copiers;

    Container(String id, String podId, Process process, Path log, List<Thread> copiers) {
      this.id = id;
      this.podId = podId;
      this.process = process;
      this.log = log;
      this.copiers = copiers;
    }

    public String id() {
      return id;
    }

    public String podId() {
      return podId;
    }

    public Path logPath() {
      return log;
    }

    public boolean running() {
      return process.isAlive();
    }

    /** The container's stdin (open only when its spec asked for stdin). */
    public java.io.OutputStream stdin() {
      return process.getOutputStream();
    }

    /** Completes with the exit code once the container has exited and its output is in the log. */
    public java.util.concurrent.CompletableFuture<Integer> exit() {
      return process.onExit().thenApply(p -> {
        for (Thread t : copiers) {
          try {
            t.join(TimeUnit.SECONDS.toMillis(5));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return p.exitValue();
      });
    }

    /** Waits for the container to exit and returns its exit code (128+signal when killed by a signal). */
    public int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException(id + " still running");
      for (Thread t : copiers) t.join(TimeUnit.SECONDS.toMillis(5));
      return process.exitValue();
    }
  }

  /** Creates and starts container {@code id} of pod {@code podId} from {@code image}. */
  public Container start(PodSandbox sandbox, String id, Image image, ContainerSpec spec, Path logPath) throws IOException {
    if (containers.containsKey(id)) throw new IOException("container " + id + " already exists");
    Path dir = stateDir.resolve(id);
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(dir.resolve("upper"));
    Files.createDirectories(dir.resolve("work"));
    Files.createDirectories(rootfs);
    try {
      List<Path> layers = new ArrayList<>(images.unpack(image));
      Collections.reverse(layers); // overlay lists the topmost lower layer first
      String lower = String.join(":", layers.stream().map(Path::toString).toList());
      Commands.run("mount", "-t", "overlay", "overlay", "-o",
          "lowerdir=" + lower + ",upperdir=" + dir.resolve("upper") + ",workdir=" + dir.resolve("work"), rootfs.toString());
      Files.writeString(dir.resolve("config.json"), OciSpec.build(spec, sandbox, rootfs, cgroupsPath(sandbox.id(), id)).toString());
      Files.createDirectories(logPath.getParent());
      OutputStream out = Files.newOutputStream(logPath, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Path pidFile = dir.resolve("pid");
      Process p = runc.run(id, dir, pidFile);
      // stdin stays open only for containers that ask for it (attach writes there)
      if (!spec.stdin()) p.getOutputStream().close();
      CriLog criLog = new CriLog(out);
      List<Thread> copiers = List.of(copier(criLog, p, "stdout", id), copier(criLog, p, "stderr", id));
      Thread closer = new Thread(() -> {
        try {
          for (Thread t : copiers) t.join();
          out.close();
        } catch (InterruptedException | IOException e) {
          Thread.currentThread().interrupt();
        }
      }, "log-close-" + id);
      closer.setDaemon(true);
      closer.start();
      Container c = new Container(id, sandbox.id(), p, logPath, copiers);
      containers.put(id, c);
      awaitStarted(c, pidFile);
      return c;
    } catch (IOException | RuntimeException e) {
      cleanUp(id);
      throw e;
    }
  }

  /** runc writes the pid file once the container exists: until then it cannot be signalled or stopped. */
  private static void awaitStarted(Container c, Path pidFile) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(pidFile) && c.process.isAlive()) {
      if (System.nanoTime() > deadline) throw new IOException("container " + c.id + " did not start within 30 s");
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted starting " + c.id, e);
      }
    }
  }

  private static Thread copier(CriLog log, Process p, String stream, String id) {
    Thread t = new Thread(() -> {
      try {
        log.copy(stream.equals("stdout") ? p.getInputStream() : p.getErrorStream(), stream);
      } catch (IOException e) {
        // the container's output ended
      }
    }, "log-" + stream + "-" + id);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** SIGTERM, then SIGKILL after {@code grace} if it is still running. */
  public void stop(String id, Duration grace) throws IOException, InterruptedException {
    Container c = containers.get(id);
    if (c == null || !c.running()) return;
    signal(id, "TERM");
    if (!c.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      signal(id, "KILL");
      c.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void signal(String id, String sig) throws IOException {
    try {
      runc.kill(id, sig);
    } catch (IOException e) {
      // it may have exited meanwhile
      if (runc.state(id).map(s -> s.path("status").asText()).filter("running"::equals).isPresent()) throw e;
    }
  }

  /** Removes a stopped container: runc state, cgroup, overlay mount and its writable layer. Idempotent. */
  public void remove(String id) throws IOException {
    Container c = containers.get(id);
    if (c != null && c.running()) throw new IOException("container " + id + " is running; stop it first");
    cleanUp(id);
    containers.remove(id);
  }

  private void cleanUp(String id) throws IOException {
    if (runc.state(id).isPresent()) runc.delete(id);
    Path dir = stateDir.resolve(id);
    Path rootfs = dir.resolve("rootfs");
    if (Mounts.isMountPoint(rootfs)) Commands.run("umount", rootfs.toString());
    deleteTree(dir);
  }

  /** Removes a pod's sandbox once its containers are removed: namespaces and the pod cgroup. */
  public void removeSandbox(PodSandbox sandbox) throws IOException {
    for (Container c : containers.values()) {
      if (c.podId().equals(sandbox.id())) throw new IOException("pod " + sandbox.id() + " still has container " + c.id());
    }
    sandbox.destroy();
    Cgroups.removePodCgroup(podCgroup(sandbox.id()));
  }

  public static String podCgroup(String podId) {
    return podsCgroup() + "/pod" + podId;
  }

  /** The cgroup every pod cgroup is under. */
  public static String podsCgroup() {
    return "/planet";
  }

  public static String cgroupsPath(String podId, String containerId) {
    return podCgroup(podId) + "/" + containerId;
  }

  /**
   * Removes what an earlier agent process left (containers, overlay mounts, sandboxes): the agent does not yet adopt
   * running containers across its own restarts, so it starts from a clean node and runs its pods afresh.
   */
  public void removeOrphans() throws IOException {
    for (String id : runc.list()) {
      try {
        runc.delete(id);
      } catch (IOException e) {
        log.warn("removing orphaned container {}: {}", id, e.getMessage());
      }
    }
    List<Path> mounts = new ArrayList<>(Mounts.under(stateDir));
    mounts.addAll(Mounts.under(runDir.resolve("pods")));
    mounts.sort(Comparator.comparing(Path::toString).reversed());
    for (Path m : mounts) Commands.run("umount", m.toString());
    try (Stream<Path> s = Files.list(stateDir)) {
      for (Path p : s.toList()) deleteTree(p);
    }
    // only this agent's sandboxes (those under its run directory): other agents on the machine keep theirs
    Path pods = runDir.resolve("pods");
    if (Files.isDirectory(pods)) {
      try (Stream<Path> s = Files.list(pods)) {
        for (Path p : s.toList()) {
          Path netns = netnsDir.resolve("planet-" + p.getFileName());
          if (Mounts.isMountPoint(netns)) Commands.run("umount", netns.toString());
          Files.deleteIfExists(netns);
        }
      }
    }
    deleteTree(runDir.resolve("pods"));
  }

  /**
   * The command line that runs {@code command} inside a running container on the caller's own stdio (so a terminal
   * the caller holds reaches the command, which {@code runc exec} without a console socket cannot do): nsenter into
   * the container's namespaces and root with its user and working directory; the environment to run it with is the
   * container's ({@link #environment}).
   */
  public List<String> enterCommand(String id, List<String> command) throws IOException {
    com.fasterxml.jackson.databind.JsonNode state = runc.state(id).orElseThrow(() -> new IOException("container " + id + " is not running"));
    com.fasterxml.jackson.databind.JsonNode config = OciSpec.JSON.readTree(stateDir.resolve(id).resolve("config.json").toFile());
    com.fasterxml.jackson.databind.JsonNode process = config.path("process");
    List<String> out = new ArrayList<>(List.of("/usr/bin/nsenter", "--target", state.path("pid").asText(), "--mount",
        "--uts", "--ipc", "--net", "--pid", "--root", "--wd=" + process.path("cwd").asText("/"),
        "--setuid", process.path("user").path("uid").asText("0"), "--setgid", process.path("user").path("gid").asText("0"),
        "--"));
    out.addAll(command);
    return out;
  }

  /** The container's environment (its OCI spec's process.env). */
  public java.util.Map<String, String> environment(String id) throws IOException {
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
    for (com.fasterxml.jackson.databind.JsonNode e : OciSpec.JSON.readTree(stateDir.resolve(id).resolve("config.json").toFile())
        .path("process").path("env")) {
      String kv = e.asText();
      int eq = kv.indexOf('=');
      if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return env;
  }

  public Runc runc() {
    return runc;
  }

  /** A container's writable layer (its overlay upperdir): what it wrote to its root filesystem. */
  public Path writableLayer(String id) {
    return stateDir.resolve(id).resolve("upper");
  }

  /** The host pid of a started container's init process (from runc's pid file); empty when unknown. */
  public java.util.OptionalLong pid(String id) {
    try {
      return java.util.OptionalLong.of(Long.parseLong(Files.readString(stateDir.resolve(id).resolve("pid")).trim()));
    } catch (IOException | NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(x);
        } catch (IOException e) {
          log.warn("cannot delete {}: {}", x, e.toString());
          throw e;
        }
      }
    }
  }
}
