package io.planet.node.runtime;

import io.planet.node.image.Image;
import io.planet.node.image.ImageStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers with runc: each on an overlay root filesystem (its image's unpacked layers below, a writable layer
 * of its own above) in its pod's sandbox namespaces, under the cgroup {@code /planet/pod<id>/<container>}, its
 * output written as a CRI log. Each container runs under a {@link ContainerShim} that outlives the agent, and
 * containers and sandboxes are checkpointed, so a restarted agent adopts what still runs ({@link #recoverContainers},
 * {@link #recordedSandboxes}). Removing a container or sandbox leaves nothing behind: no mounts, runc state,
 * cgroups, namespaces or files.
 */
public final class RuncRuntime {
  private static final Logger log = LoggerFactory.getLogger(RuncRuntime.class);

  private final ImageStore images;
  static final String CHECKPOINT = "container.json";
  /** Marks a container whose stdin was closed for good (stdinOnce), so that an agent restarted later knows. */
  static final String STDIN_CLOSED = "stdin.closed";

  private final Path stateDir;
  private final Path sandboxesDir;
  private final Path runDir;
  private final Path netnsDir;
  private final Runc runc;
  private final Map<String, Container> containers = new ConcurrentHashMap<>();

  /**
   * {@code stateDir}: /var/lib/planet (containers/ and sandboxes/ under it: kept across reboots, so stale ones are
   * found and removed); {@code runDir}: /run/planet (pods/, runc/).
   */
  public RuncRuntime(ImageStore images, Path stateDir, Path runDir, Path netnsDir) throws IOException {
    this.images = images;
    this.stateDir = Files.createDirectories(stateDir.resolve("containers"));
    this.sandboxesDir = Files.createDirectories(stateDir.resolve("sandboxes"));
    this.runDir = Files.createDirectories(runDir);
    this.netnsDir = netnsDir;
    this.runc = new Runc(Files.createDirectories(runDir.resolve("runc")));
  }

  public PodSandbox sandbox(String podId) {
    return PodSandbox.of(podId, runDir, netnsDir);
  }

  /** A sandbox an agent recorded: its pod (labels), its IP, and whether its namespaces are still there. */
  public record RecordedSandbox(PodSandbox sandbox, Map<String, String> labels, String podIp) {
    /** False once its namespaces are gone (after a reboot, say): it can only be removed. */
    public boolean ready() {
      return sandbox.exists();
    }
  }

  /** Records a sandbox (before creating it, and again with its IP once networked) for a later agent to adopt. */
  public void recordSandbox(PodSandbox sandbox, Map<String, String> labels, String podIp) throws IOException {
    Checkpoints.write(sandboxesDir.resolve(sandbox.id() + ".json"), new Checkpoints.SandboxCheckpoint(sandbox.id(), labels, podIp,
        sandbox.hostNamespaces(), sandbox.sharedPid()));
  }

  /** The sandboxes recorded here, ready or not. */
  public List<RecordedSandbox> recordedSandboxes() throws IOException {
    List<RecordedSandbox> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(sandboxesDir)) {
      for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
        Checkpoints.readSandbox(f).ifPresent(cp -> out.add(new RecordedSandbox(sandbox(cp.id()).withHostNamespaces(cp.host())
            .withSharedPid(cp.sharedPid()), cp.labels(), cp.podIp())));
      }
    }
    return out;
  }

  /** A container as its checkpoint records it: its pod and labels (read only: nothing is adopted). */
  public record RecordedContainer(String id, String podId, Map<String, String> labels) {}

  /** The containers recorded here, running or not. */
  public List<RecordedContainer> recordedContainers() throws IOException {
    List<RecordedContainer> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(stateDir)) {
      for (Path dir : s.sorted().toList()) {
        Checkpoints.readContainer(dir.resolve(CHECKPOINT))
            .ifPresent(k -> out.add(new RecordedContainer(k.id(), k.podId(), k.labels())));
      }
    }
    return out;
  }

  /** How a container ended: exit code (128+signal when killed), whether the OOM killer struck, and when. */
  public record ExitStatus(int code, boolean oomKilled, Instant finishedAt) {}

  /**
   * A container this runtime started or adopted: its shim (alive while the container runs), log, labels, and the
   * copiers that move its output from the shim's pipes to the log.
   */
  public static final class Container {
    private final String id;
    private final String podId;
    private final Path dir;
    private final Path log;
    private final Map<String, String> labels;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final List<FileChannel> pipes = new CopyOnWriteArrayList<>();
    private final List<Thread> copiers = new CopyOnWriteArrayList<>();
    private volatile Thread watcher;
    private volatile ProcessHandle shim;
    private volatile boolean detached;
    private OutputStream logOut;
    private OutputStream stdin;
    private FileChannel stdinChannel;

    Container(String id, String podId, Path dir, Path log, Map<String, String> labels) {
      this.id = id;
      this.podId = podId;
      this.dir = dir;
      this.log = log;
      this.labels = Map.copyOf(labels);
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

    /** What the caller attached at start (pod, container name, restart count...), kept across agent restarts. */
    public Map<String, String> labels() {
      return labels;
    }

    public boolean running() {
      return !exit.isDone();
    }

    /**
     * The container's stdin (a pipe kept open when its spec asked for stdin); a sink when it has none or its stdin
     * was closed for good.
     */
    public synchronized OutputStream stdin() throws IOException {
      if (stdin != null) return stdin;
      Path fifo = dir.resolve(ContainerShim.STDIN);
      if (!Files.exists(fifo) || !running() || Files.exists(dir.resolve(STDIN_CLOSED))) {
        return OutputStream.nullOutputStream();
      }
      // read-write: a write-only open of a pipe waits for a reader, and the container may just have exited
      stdinChannel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
      pipes.add(stdinChannel);
      stdin = Channels.newOutputStream(stdinChannel);
      return stdin;
    }

    /**
     * Closes the container's stdin for good (upstream's stdinOnce: the first attach closed its input): once it has
     * read what was written, the container reads end of file. Later attaches get no stdin.
     */
    public synchronized void closeStdin() {
      try {
        Files.writeString(dir.resolve(STDIN_CLOSED), "");
      } catch (IOException e) {
        // the container directory is gone with the container
      }
      if (stdinChannel != null) {
        pipes.remove(stdinChannel);
        try {
          stdinChannel.close();
        } catch (IOException e) {
          // closing anyway
        }
        stdinChannel = null;
        stdin = null;
      }
      endStdinHolder(dir);
    }

    /**
     * The container's terminal when it has a tty: its init process's stdin, the pseudo-terminal runc made for it (a
     * window size set there reaches the container's foreground processes as SIGWINCH). Empty when it has none or no
     * longer runs.
     */
    public Optional<Path> terminal() {
      if (!running()) return Optional.empty();
      try {
        Path fd = Path.of("/proc", Files.readString(dir.resolve(ContainerShim.PID)).trim(), "fd", "0");
        // the link names the terminal as the container sees it, in its own /dev/pts
        return Files.readSymbolicLink(fd).toString().startsWith("/dev/pts/") ? Optional.of(fd) : Optional.empty();
      } catch (IOException | java.nio.file.InvalidPathException e) {
        return Optional.empty();
      }
    }

    /** Completes once the container has exited and its output is in the log. */
    public CompletableFuture<ExitStatus> exit() {
      return exit;
    }

    /** Waits for the container to exit and returns its exit code (128+signal when killed by a signal). */
    public int awaitExit(Duration timeout) throws InterruptedException {
      try {
        return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS).code();
      } catch (TimeoutException e) {
        throw new IllegalStateException(id + " still running");
      } catch (ExecutionException e) {
        throw new IllegalStateException(id + ": " + e.getCause());
      }
    }

    /** Stops following the container (the agent goes away): it runs on, its output waits in the pipes. */
    void detach() {
      detached = true;
      try {
        Files.deleteIfExists(dir.resolve(ContainerShim.READER));
      } catch (IOException e) {
        // the shim then thinks an agent reads: what is left in the pipes may be lost
      }
      for (FileChannel ch : pipes) {
        try {
          ch.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
      // the copiers end on their closed pipes, having written what they read; the watcher waits no more
      if (watcher != null) watcher.interrupt();
      for (Thread t : copiers) {
        try {
          t.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        if (logOut != null) logOut.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** Creates and starts container {@code id} of pod {@code podId} from {@code image}. */
  public Container start(PodSandbox sandbox, String id, Image image, ContainerSpec spec, Path logPath) throws IOException {
    return start(sandbox, id, image, spec, logPath, Map.of());
  }

  /**
   * Creates and starts container {@code id} in {@code sandbox} from {@code image}, under its shim; {@code labels} are
   * kept with it for whoever adopts it after an agent restart ({@link #recoverContainers}).
   */
  public Container start(PodSandbox sandbox, String id, Image image, ContainerSpec spec, Path logPath,
      Map<String, String> labels) throws IOException {
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
      ContainerShim.makePipes(dir, spec.stdin() || spec.tty());
      Container c = new Container(id, sandbox.id(), dir, logPath, labels);
      containers.put(id, c);
      Process shim = ContainerShim.start(runc, dir, id, spec.tty());
      ProcessHandle handle = shim.toHandle();
      Checkpoints.write(dir.resolve(CHECKPOINT), new Checkpoints.ContainerCheckpoint(id, sandbox.id(), logPath,
          spec.stdin(), handle.pid(), startMillis(handle), labels));
      follow(c, handle);
      awaitStarted(c, handle, dir.resolve(ContainerShim.PID));
      return c;
    } catch (IOException | RuntimeException e) {
      Container c = containers.remove(id);
      if (c != null) {
        try {
          if (runc.state(id).isPresent()) runc.delete(id);
        } catch (IOException ignored) {
          // cleanUp below tries again
        }
        c.detach();
      }
      cleanUp(id);
      throw e;
    }
  }

  private static long startMillis(ProcessHandle h) {
    return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /** runc writes the pid file once the container exists: until then it cannot be signalled or stopped. */
  private static void awaitStarted(Container c, ProcessHandle shim, Path pidFile) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(pidFile) && shim.isAlive()) {
      if (System.nanoTime() > deadline) throw new IOException("container " + c.id + " did not start within 30 s");
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted starting " + c.id, e);
      }
    }
  }

  /**
   * Copies the container's output from the shim's pipes into its CRI log and completes its exit once the shim is
   * gone: the pipes reach their end when the shim exits (it holds them to the last), which is the prompt signal;
   * the shim's liveness is checked as well for a shim that died before opening them.
   */
  private void follow(Container c, ProcessHandle shim) throws IOException {
    c.shim = shim;
    c.logOut = Files.newOutputStream(c.log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    CriLog criLog = new CriLog(c.logOut);
    boolean tty = hasTerminal(c.dir);
    CountDownLatch ended = new CountDownLatch(2);
    CountDownLatch opened = new CountDownLatch(2);
    for (String stream : List.of(ContainerShim.STDOUT, ContainerShim.STDERR)) {
      Path fifo = c.dir.resolve(stream);
      Thread t = new Thread(() -> {
        try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ)) {
          c.pipes.add(ch);
          opened.countDown();
          if (opened.getCount() == 0 && !c.detached) {
            // both pipes are held here now: the shim may let go of them once the container is done
            Files.writeString(c.dir.resolve(ContainerShim.READER), ProcessHandle.current().pid() + "\n");
          }
          if (c.detached) return;
          if (tty) criLog.copyTerminal(Channels.newInputStream(ch), stream);
          else criLog.copy(new BufferedInputStream(Channels.newInputStream(ch)), stream);
        } catch (IOException e) {
          // the output ended, or the agent detached
        } finally {
          ended.countDown();
        }
      }, "log-" + stream + "-" + c.id);
      t.setDaemon(true);
      c.copiers.add(t);
      t.start();
    }
    Thread watcher = new Thread(() -> {
      try {
        while (!ended.await(1, TimeUnit.SECONDS) && shim.isAlive()) {
          // waiting for the container's end
        }
        for (long wait = 1; shim.isAlive(); wait = Math.min(wait * 2, 500)) Thread.sleep(wait);
        if (!ended.await(5, TimeUnit.SECONDS)) {
          // a shim that died before opening its pipes leaves the copiers waiting in open(): give them a writer
          for (String stream : List.of(ContainerShim.STDOUT, ContainerShim.STDERR)) unblock(c.dir.resolve(stream));
          ended.await(5, TimeUnit.SECONDS);
        }
        if (c.detached) return;
        c.logOut.close();
        c.exit.complete(exitStatus(c));
      } catch (InterruptedException e) {
        // detached: the container keeps running
      } catch (IOException | RuntimeException e) {
        log.warn("container {}: reading its exit failed: {}", c.id, e.toString());
        c.exit.complete(new ExitStatus(255, false, Instant.now()));
      }
    }, "exit-" + c.id);
    watcher.setDaemon(true);
    c.watcher = watcher;
    watcher.start();
  }

  /** Whether the container's spec gives it a terminal (its output then is a terminal's: see CriLog#copyTerminal). */
  private static boolean hasTerminal(Path dir) {
    try {
      return OciSpec.JSON.readTree(dir.resolve("config.json").toFile()).path("process").path("terminal").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  private static void unblock(Path fifo) {
    try (RandomAccessFile f = new RandomAccessFile(fifo.toFile(), "rw")) {
      // opening read-write never blocks on a pipe; closing it ends a reader waiting for a writer
    } catch (IOException e) {
      // gone already
    }
  }

  /**
   * The exit status the shim wrote (255, as for a container whose state is lost, when there is none: the shim was
   * killed or the node rebooted), finished when it was written, and OOMKilled when the container's memory cgroup
   * (kept by {@code runc run --keep} until the container is removed) counted an OOM kill.
   */
  private static ExitStatus exitStatus(Container c) throws IOException {
    Path exit = c.dir.resolve(ContainerShim.EXIT);
    boolean oom = Cgroups.oomKills(cgroupsPath(c.podId, c.id)) > 0;
    if (!Files.exists(exit)) return new ExitStatus(255, oom, Instant.now());
    String text = Files.readString(exit).trim();
    int code = text.matches("\\d{1,3}") ? Integer.parseInt(text) : 255;
    return new ExitStatus(code, oom, Files.getLastModifiedTime(exit).toInstant());
  }

  /**
   * Adopts the containers an earlier agent process started here (their checkpoints under the state directory):
   * running ones are followed again (their pending output reaches the log, their exit is seen), exited ones come
   * back with the exit status their shim wrote. Containers without a checkpoint are left to {@link #removeOrphans}.
   */
  public List<Container> recoverContainers() throws IOException {
    List<Container> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(stateDir)) {
      for (Path dir : s.sorted().toList()) {
        Optional<Checkpoints.ContainerCheckpoint> cp = Checkpoints.readContainer(dir.resolve(CHECKPOINT));
        if (cp.isEmpty() || !cp.get().id().equals(dir.getFileName().toString())) continue;
        Checkpoints.ContainerCheckpoint k = cp.get();
        Container existing = containers.get(k.id());
        if (existing != null) {
          out.add(existing);
          continue;
        }
        Container c = new Container(k.id(), k.podId(), dir, k.log(), k.labels());
        Optional<ProcessHandle> shim = ProcessHandle.of(k.shimPid())
            .filter(h -> h.isAlive() && startMillis(h) == k.shimStartMillis());
        containers.put(k.id(), c);
        if (shim.isPresent()) {
          Files.createDirectories(k.log().getParent());
          follow(c, shim.get());
        } else {
          c.exit.complete(exitStatus(c));
        }
        out.add(c);
      }
    }
    return out;
  }

  /** Stops following every container without touching them (the agent is stopping; a new one adopts them). */
  public void close() {
    for (Container c : containers.values()) c.detach();
    containers.clear();
  }

  /** SIGTERM, then SIGKILL after {@code grace} if it is still running. */
  public void stop(String id, Duration grace) throws IOException, InterruptedException {
    Container c = containers.get(id);
    if (c == null || !c.running()) return;
    signal(id, "TERM");
    if (!awaitExit(c, grace)) {
      signal(id, "KILL");
      awaitExit(c, Duration.ofSeconds(30));
    }
  }

  private static boolean awaitExit(Container c, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      settle(c);
      try {
        c.exit.get(Math.max(0, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        if (System.nanoTime() >= deadline) return false;
      } catch (ExecutionException e) {
        return true;
      }
    }
  }

  /** A container whose shim is gone has exited, whether or not its watcher has seen it yet. */
  private static void settle(Container c) {
    ProcessHandle shim = c.shim;
    if (c.exit.isDone() || shim == null || shim.isAlive()) return;
    ExitStatus status;
    try {
      status = exitStatus(c);
    } catch (IOException e) {
      status = new ExitStatus(255, false, Instant.now());
    }
    c.exit.complete(status);
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
    if (c != null) settle(c);
    if (c != null && c.running()) throw new IOException("container " + id + " is running; stop it first");
    cleanUp(id);
    Container gone = containers.remove(id);
    if (gone != null) gone.detach();
  }

  private void cleanUp(String id) throws IOException {
    if (runc.state(id).isPresent()) runc.delete(id);
    Path dir = stateDir.resolve(id);
    endStdinHolder(dir); // left when the shim itself was killed
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
    Files.deleteIfExists(sandboxesDir.resolve(sandbox.id() + ".json"));
  }

  /** Ends the process holding the write end of a container's stdin pipe (see {@link ContainerShim}), if any. */
  private static void endStdinHolder(Path dir) {
    Path holder = dir.resolve(ContainerShim.STDIN_HOLDER);
    try {
      long pid = Long.parseLong(Files.readString(holder).trim());
      // the pid is the shim's `sleep` unless it has long ended and the pid was reused
      ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
          .ifPresent(ProcessHandle::destroy);
      Files.deleteIfExists(holder);
    } catch (IOException | NumberFormatException e) {
      // no holder (no stdin, or already ended)
    }
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
   * Removes what an earlier agent process left and nobody adopted: runc containers and container directories this
   * runtime does not follow (their shims end with them), overlay mounts under them, and sandboxes without a record.
   * Only this agent's own: its runc root, state directory and the sandboxes under its run directory.
   */
  /** Removes every container and sandbox under this runtime's directories, recorded or not: a node reset. */
  public void removeAll() throws IOException {
    List<RecordedSandbox> recorded = recordedSandboxes();
    try (Stream<Path> s = Files.list(sandboxesDir)) {
      for (Path p : s.toList()) Files.deleteIfExists(p);
    }
    removeOrphans();
    // recorded sandboxes whose directory was already gone: their namespaces and cgroups still go
    for (RecordedSandbox r : recorded) {
      r.sandbox().destroy();
      Cgroups.removePodCgroup(podCgroup(r.sandbox().id()));
    }
  }

  public void removeOrphans() throws IOException {
    for (String id : runc.list()) {
      if (containers.containsKey(id)) continue;
      try {
        runc.delete(id); // --force: SIGKILL first when it still runs
      } catch (IOException e) {
        log.warn("removing orphaned container {}: {}", id, e.getMessage());
      }
    }
    List<Path> mounts = new ArrayList<>();
    for (Path m : Mounts.under(stateDir)) {
      Path rel = stateDir.relativize(m);
      if (rel.getNameCount() == 0 || !containers.containsKey(rel.getName(0).toString())) mounts.add(m);
    }
    mounts.sort(Comparator.comparing(Path::toString).reversed());
    for (Path m : mounts) Commands.run("umount", m.toString());
    try (Stream<Path> s = Files.list(stateDir)) {
      for (Path p : s.toList()) {
        if (!containers.containsKey(p.getFileName().toString())) deleteTree(p);
      }
    }
    Set<String> recorded = new HashSet<>();
    for (RecordedSandbox r : recordedSandboxes()) recorded.add(r.sandbox().id());
    Path pods = runDir.resolve("pods");
    if (Files.isDirectory(pods)) {
      try (Stream<Path> s = Files.list(pods)) {
        for (Path p : s.toList()) {
          String id = p.getFileName().toString();
          if (recorded.contains(id)) continue;
          sandbox(id).destroy();
          Cgroups.removePodCgroup(podCgroup(id));
          deleteTree(p);
        }
      }
    }
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
