package io.planet.node.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What upstream's pause (infra) container is to a pod with shareProcessNamespace: PID 1 of the pod's PID namespace,
 * which the pod's containers join by path (/proc/PID/ns/pid) and which reaps the zombies reparented to it. Here a
 * small shell of the host's static busybox, started by {@code unshare --pid --fork} in the pod's network, IPC and UTS
 * namespaces, as user 65535 without capabilities (so the pod's containers cannot reach the host through /proc/1);
 * it waits on a sleeping child, which reaps whatever else ends. It outlives the agent; its pid and start time are
 * kept in the sandbox's directory, so a new agent finds it and a reused pid is never mistaken for it. Killing it ends
 * the namespace and every process left in it.
 */
final class PauseProcess {
  static final String FILE = "pause";
  /** Shows in the pod's process list as PID 1's last argument. */
  static final String NAME = "planet-pause";
  static final List<Path> BUSYBOX = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));
  /** As upstream's pause: TERM or INT end it; else it waits forever, reaping every child that exits. */
  private static final String SCRIPT = "trap 'exit 0' TERM INT; while :; do \"$0\" sleep 2147483647 & wait; done";

  private PauseProcess() {}

  /** The running pause process whose record is in {@code dir}; empty when there is none (or it has ended). */
  static Optional<ProcessHandle> find(Path dir) {
    try {
      String[] f = Files.readString(dir.resolve(FILE)).trim().split(" ");
      long pid = Long.parseLong(f[0]);
      long start = Long.parseLong(f[1]);
      return ProcessHandle.of(pid).filter(h -> h.isAlive() && startMillis(h) == start);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Starts a pause process in a new PID namespace, joining the namespaces {@code nsenter} names (--net=PATH ...). */
  static ProcessHandle start(Path dir, List<String> nsenter) throws IOException {
    Path busybox = BUSYBOX.stream().filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IOException("shareProcessNamespace needs busybox at " + BUSYBOX + " for the pod's pause process"));
    List<String> cmd = new ArrayList<>(List.of("setsid"));
    if (!nsenter.isEmpty()) {
      cmd.add("nsenter");
      cmd.addAll(nsenter);
      cmd.add("--");
    }
    cmd.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--", "setpriv", "--reuid=65535", "--regid=65535",
        "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        busybox.toString(), "sh", "-c", SCRIPT, busybox.toString(), NAME));
    Path log = dir.resolve("pause.log");
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    String ownPidNs = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && p.isAlive()) {
      // unshare's child, once in the new namespace, is the pause (setpriv and the shell exec in its place)
      Optional<ProcessHandle> pause = p.toHandle().descendants().filter(h -> !pidNs(h).equals(ownPidNs) && !pidNs(h).isEmpty())
          .findFirst();
      // ready once setpriv has dropped privileges and exec'd the shell (setpriv's own argv names the pause too)
      if (pause.isPresent() && cmdline(pause.get()).startsWith(busybox + " sh -c ")) {
        Files.writeString(dir.resolve(FILE), pause.get().pid() + " " + startMillis(pause.get()) + "\n");
        return pause.get();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    String err = Files.exists(log) ? Files.readString(log).trim() : "";
    throw new IOException("the pod's pause process did not start" + (err.isEmpty() ? "" : ": " + err));
  }

  /** Kills the pause process recorded in {@code dir} (and so its namespace's every process), then drops the record. */
  static void kill(Path dir) throws IOException {
    Optional<ProcessHandle> pause = find(dir);
    if (pause.isPresent()) {
      pause.get().destroyForcibly();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pause.get().isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    Files.deleteIfExists(dir.resolve(FILE));
    Files.deleteIfExists(dir.resolve("pause.log"));
  }

  private static String pidNs(ProcessHandle h) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/" + h.pid() + "/ns/pid")).toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static String cmdline(ProcessHandle h) {
    try {
      return Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  static long startMillis(ProcessHandle h) {
    return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }
}
