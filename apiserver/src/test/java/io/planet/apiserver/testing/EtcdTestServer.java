package io.planet.apiserver.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's {@code etcd} binary) on free loopback ports with a temporary data directory, for tests.
 * Like Curator's TestingServer: start, use {@link #endpoint()}, close. {@link #kill()} and {@link #restart()}
 * simulate crashes; the data directory survives until {@link #close()}.
 */
public final class EtcdTestServer implements AutoCloseable {
  /** gRPC in the etcd client logs its start-up through java.util.logging; held so the level sticks. */
  private static final java.util.logging.Logger GRPC_LOGGER = java.util.logging.Logger.getLogger("io.grpc");

  static {
    GRPC_LOGGER.setLevel(java.util.logging.Level.WARNING);
  }

  private final Path dataDir;
  private final int clientPort;
  private final int peerPort;
  private Process process;

  public EtcdTestServer() throws IOException {
    this.dataDir = Files.createTempDirectory("planet-etcd-");
    this.clientPort = freePort();
    this.peerPort = freePort();
  }

  public static EtcdTestServer started() throws IOException {
    EtcdTestServer s = new EtcdTestServer();
    s.start();
    return s;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  public void start() throws IOException {
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = List.of("etcd", "--name", "default", "--data-dir", dataDir.resolve("data").toString(),
        "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=" + peer,
        "--experimental-watch-progress-notify-interval", "1s", "--log-level", "error", "--logger", "zap");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dataDir.resolve("etcd.log").toFile());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot run etcd (install it with scripts/setup): " + e.getMessage(), e);
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) throw new IOException("etcd exited: " + Files.readString(dataDir.resolve("etcd.log")));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    throw new IOException("etcd did not start within 20 s");
  }

  /** kill -9: no chance to flush anything that was not already durable. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  public void restart() throws IOException, InterruptedException {
    kill();
    start();
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> s = Files.walk(dataDir)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // temporary directory; best effort
    }
  }
}
