package io.planet.cli.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planet stop}: asks the running cluster to stop (SIGTERM: it stops its pods, components and etcd and resets
 * the node), waits for it, then checks that nothing is left. The data stays unless {@code --purge}. Each pod gets its
 * own terminationGracePeriodSeconds between TERM and KILL, all pods at once, but none more than {@code --timeout}
 * (like the kubelet's graceful node shutdown, whose shutdownGracePeriod bounds the pods' grace periods; 30 s, the
 * default grace period, by default). The running cluster learns the timeout from {@code <run-dir>/stop-timeout}.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop the cluster's pods and components and leave nothing running; the data stays unless --purge.")
public final class StopCommand implements Callable<Integer> {
  @Option(names = "--run-dir", defaultValue = "/run/planet", description = "(default: ${DEFAULT-VALUE})")
  Path runDir;

  @Option(names = "--purge", description = "also remove the data directory (etcd data, PKI, images) and admin.kubeconfig")
  boolean purge;

  @Option(names = "--yes", description = "do not ask before --purge")
  boolean yes;

  static final int DEFAULT_TIMEOUT = 30;
  /** What the components and the node reset take after the pods, before the cluster process is killed. */
  static final Duration COMPONENTS_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--timeout", defaultValue = "" + DEFAULT_TIMEOUT,
      description = "the longest a pod gets between TERM and KILL; pods with a shorter terminationGracePeriodSeconds get"
          + " theirs (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    if (timeoutSeconds < 0) {
      System.err.println("planet stop: --timeout must not be negative");
      return 2;
    }
    ClusterConfig config = ClusterConfig.load(runDir.toAbsolutePath().normalize());
    Optional<ProcessHandle> running = Running.cluster(runDir);
    if (config == null) {
      System.out.println("planet stop: no cluster was started with --run-dir " + runDir);
      return running.isPresent() ? 1 : 0;
    }
    if (purge && !yes && !confirm(config)) {
      System.err.println("planet stop: not purged (nothing was stopped)");
      return 1;
    }
    if (running.isPresent()) {
      ProcessHandle h = running.get();
      System.out.println("planet stop: stopping the cluster (pid " + h.pid() + ")");
      LogFollower log = LogFollower.fromEnd(config.logFile());
      Files.writeString(timeoutFile(config), timeoutSeconds + "\n");
      h.destroy();
      Duration wait = Duration.ofSeconds(timeoutSeconds).plus(COMPONENTS_TIMEOUT);
      Instant deadline = Instant.now().plus(wait);
      while (h.isAlive() && Instant.now().isBefore(deadline)) {
        relay(log);
        Thread.sleep(100);
      }
      relay(log);
      if (h.isAlive()) {
        System.out.println("planet stop: still running after " + wait.toSeconds() + " s: killing it and resetting the node");
        h.destroyForcibly();
        h.onExit().get();
      }
    } else {
      System.out.println("planet stop: the cluster is not running; removing anything it left");
    }
    // whatever a killed or crashed cluster left: idempotent when the cluster cleaned up itself
    EtcdProcess.stopLeftover(config);
    new NodeReset(config, line -> System.out.println("planet stop: " + line)).run(Duration.ofSeconds(timeoutSeconds));
    Files.deleteIfExists(config.pidFile());
    Files.deleteIfExists(timeoutFile(config));
    List<String> left = Leftovers.find(config);
    if (purge) purge(config);
    if (!left.isEmpty()) {
      left.forEach(l -> System.err.println("planet stop: left behind: " + l));
      return 1;
    }
    System.out.println("planet stop: stopped in " + Phases.seconds(t0) + "; nothing left running"
        + (purge ? "; data removed" : "; data kept in " + config.dataDir() + " (planet start resumes)"));
    return 0;
  }

  static Path timeoutFile(ClusterConfig config) {
    return config.runDir().resolve("stop-timeout");
  }

  /** The pods' timeout planet stop asked for, or the default (SIGTERM from elsewhere, Ctrl-C). */
  static Duration podTimeout(ClusterConfig config) {
    try {
      return Duration.ofSeconds(Long.parseLong(Files.readString(timeoutFile(config)).trim()));
    } catch (IOException | NumberFormatException e) {
      return Duration.ofSeconds(DEFAULT_TIMEOUT);
    }
  }

  private static void relay(LogFollower log) throws IOException {
    for (String line : log.poll()) if (line.startsWith("planet stop:")) System.out.println(line);
  }

  private static boolean confirm(ClusterConfig config) throws IOException {
    System.out.print("planet stop: remove " + config.dataDir() + " (etcd data, PKI, images) and " + config.adminKubeconfig()
        + "? [y/N] ");
    System.out.flush();
    String answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
    return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
  }

  private static void purge(ClusterConfig config) throws IOException {
    NodeReset.deleteTree(config.dataDir());
    Files.deleteIfExists(config.adminKubeconfig());
    Files.deleteIfExists(config.stateFile());
    System.out.println("planet stop: removed " + config.dataDir() + " and " + config.adminKubeconfig()
        + (config.userKubeconfig() != null && Files.exists(config.userKubeconfig()) ? " (" + config.userKubeconfig() + " is kept)" : ""));
  }

  /** What of the cluster is still on the machine after stop. */
  static final class Leftovers {
    private Leftovers() {}

    static List<String> find(ClusterConfig config) throws IOException {
      List<String> out = new ArrayList<>();
      Running.cluster(config.runDir()).ifPresent(h -> out.add("the cluster process " + h.pid()));
      EtcdProcess.leftover(config).ifPresent(h -> out.add("etcd process " + h.pid()));
      for (Path dir : List.of(config.dataDir(), config.runDir())) {
        Path self = dir.toAbsolutePath().normalize();
        io.planet.node.runtime.Mounts.under(dir).stream().filter(m -> !m.equals(self)).forEach(m -> out.add("mount " + m));
      }
      if (io.planet.node.network.NetworkInterfaces.exists(config.bridge())) out.add("bridge " + config.bridge());
      Path pods = config.runDir().resolve("pods");
      if (Files.isDirectory(pods)) {
        try (var s = Files.list(pods)) {
          s.forEach(p -> out.add("pod sandbox " + p.getFileName()));
        }
      }
      return out;
    }
  }
}
