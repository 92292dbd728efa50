package io.planet.cli.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd as a child process of the cluster: one member named after the node, data under {@code <data-dir>/etcd},
 * clients and peers on loopback (plain HTTP: nothing outside the machine reaches it). etcd 3.4 cannot rotate its
 * own log, so its output comes through a pipe into {@code <log-dir>/etcd.log}, which rotates like the components'
 * ({@link ClusterLogs}). Its pid is kept in {@code <run-dir>/etcd.pid} so a member left behind by a killed
 * planet is found and stopped.
 */
final class EtcdProcess implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ClusterConfig config;
  private final Process process;

  private EtcdProcess(ClusterConfig config, Process process) {
    this.config = config;
    this.process = process;
  }

  /** Starts etcd and waits until it answers /health. */
  static EtcdProcess start(ClusterConfig config) throws IOException, InterruptedException {
    stopLeftover(config);
    Files.createDirectories(config.etcdDataDir());
    Files.createDirectories(config.logDir());
    String client = config.etcdEndpoint();
    String peer = "http://127.0.0.1:" + config.ports().etcdPeer();
    List<String> cmd = List.of("etcd", "--name", config.nodeName(), "--data-dir", config.etcdDataDir().toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", config.nodeName() + "=" + peer,
        "--experimental-watch-progress-notify-interval", "5s", "--log-level", "warn", "--logger", "zap");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    Files.writeString(config.etcdPidFile(), p.pid() + "\n");
    relayOutput(p);
    EtcdProcess etcd = new EtcdProcess(config, p);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        throw new IOException("etcd exited with " + p.exitValue() + "; see " + config.logDir().resolve("etcd.log"));
      }
      if (health(config)) return etcd;
      Thread.sleep(50);
    }
    etcd.close();
    throw new IOException("etcd did not become healthy within 30 s; see " + config.logDir().resolve("etcd.log"));
  }

  /** Each line etcd writes goes to etcd.log, until it exits (the pipe then ends). */
  private static void relayOutput(Process p) {
    Logger log = LoggerFactory.getLogger(ClusterLogs.ETCD_LOGGER);
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) log.info(line);
      } catch (IOException e) {
        // etcd is gone
      }
    }, "etcd-log-" + p.pid());
    t.setDaemon(true);
    t.start();
  }

  /** Completes, saying how, when this etcd process exits (killed, crashed or stopped). */
  CompletableFuture<String> exit() {
    return process.onExit().thenApply(p -> "etcd (pid " + p.pid() + ") exited with " + p.exitValue()
        + (p.exitValue() > 128 ? " (signal " + (p.exitValue() - 128) + ")" : ""));
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** etcd's own /health: {"health":"true"} when it has a leader and serves reads. */
  static boolean health(ClusterConfig config) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(config.etcdEndpoint() + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The member list through etcd's JSON gateway (the same data as {@code etcdctl member list}). */
  static Optional<String> members(ClusterConfig config) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(config.etcdEndpoint() + "/v3/cluster/member/list"))
          .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** SIGTERM (etcd then syncs and exits), SIGKILL after 10 s. */
  @Override
  public void close() {
    terminate(process.toHandle());
    try {
      Files.deleteIfExists(config.etcdPidFile());
    } catch (IOException ignored) {
      // gone with the run directory
    }
  }

  static void terminate(ProcessHandle h) {
    h.destroy();
    try {
      h.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      h.destroyForcibly();
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // nothing more to do
      }
    }
  }

  /** An etcd a killed planet left running on this data directory. */
  static void stopLeftover(ClusterConfig config) {
    leftover(config).ifPresent(EtcdProcess::terminate);
  }

  static Optional<ProcessHandle> leftover(ClusterConfig config) {
    try {
      if (!Files.exists(config.etcdPidFile())) return Optional.empty();
      long pid = Long.parseLong(Files.readString(config.etcdPidFile()).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().orElse("").contains(config.etcdDataDir().toString()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
