package io.planet.node.server;

import io.netty.channel.Channel;
import io.planet.node.runtime.PodSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One forwarded connection to {@code localhost:port} inside a pod's network namespace, as upstream's runtime dials it
 * (a server bound to 127.0.0.1 in the pod is reachable). A JVM cannot switch network namespaces per thread, so a
 * helper process does the connecting: {@code nsenter --net=<netns> busybox nc 127.0.0.1 <port>}, its stdin and stdout
 * being the two directions of the connection. nc half-closes the socket when its stdin ends and exits when the
 * socket does; the process is killed when the stream is reset or the session ends.
 */
final class PodPortConnection {
  /** Receives what the pod's port sends, then the end of the connection (once). */
  interface Sink {
    void data(byte[] bytes);

    /** {@code error} is upstream's message when the connection could not be made, else null. */
    void end(String error);
  }

  /** Client bytes queued toward the pod above which the session stops reading from the client. */
  private static final long HIGH_WATER = 1 << 20;
  private static final byte[] EOF = new byte[0];
  private static final Pattern CANNOT_CONNECT = Pattern.compile("can't connect to remote host[^:]*: (.*)");

  private final PodSandbox sandbox;
  private final int port;
  private final Process process;
  private final LinkedBlockingQueue<byte[]> toPod = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean killed = new AtomicBoolean();
  private final Channel client;

  private PodPortConnection(PodSandbox sandbox, int port, Process process, Channel client) {
    this.sandbox = sandbox;
    this.port = port;
    this.process = process;
    this.client = client;
  }

  /** The helper's command line. */
  static List<String> command(PodSandbox sandbox, int port) {
    // a host-network pod listens in the node's namespace, which is the agent's own
    if (sandbox.netns() == null) return List.of("busybox", "nc", "127.0.0.1", Integer.toString(port));
    return List.of("nsenter", "--net=" + sandbox.netns(), "busybox", "nc", "127.0.0.1", Integer.toString(port));
  }

  /**
   * Starts the helper and the two pumps on {@code pumps}; {@code client} is the session's channel (its reads pause
   * while the pod is slow to take what the client sends). When the helper cannot even start, {@code sink} ends at
   * once with the error and null is returned.
   */
  static PodPortConnection open(PodSandbox sandbox, int port, Channel client, Sink sink, ExecutorService pumps) {
    if (!sandbox.exists()) {
      sink.end(message(sandbox, port, "network namespace for sandbox \"" + sandbox.id() + "\" is closed"));
      return null;
    }
    Process p;
    try {
      p = new ProcessBuilder(command(sandbox, port)).start();
    } catch (IOException e) {
      sink.end(message(sandbox, port, "failed to execute portforward in network namespace \"" + sandbox.netns()
          + "\": " + e.getMessage()));
      return null;
    }
    PodPortConnection c = new PodPortConnection(sandbox, port, p, client);
    pumps.execute(c::pumpToPod);
    pumps.execute(() -> c.pumpFromPod(sink));
    return c;
  }

  /** Queues client bytes for the pod's port. */
  void write(byte[] data) {
    if (data.length == 0 || killed.get()) return;
    toPod.add(data);
    if (queued.addAndGet(data.length) > HIGH_WATER) client.config().setAutoRead(false);
  }

  /** The client will send no more: the pod's side sees the end of input once the queued bytes are written. */
  void closeWrite() {
    toPod.add(EOF);
  }

  /** Ends the connection at once (stream reset, session gone). */
  void kill() {
    if (!killed.compareAndSet(false, true)) return;
    toPod.clear();
    toPod.add(EOF);
    process.destroy();
  }

  private void pumpToPod() {
    OutputStream in = process.getOutputStream();
    try (in) {
      while (true) {
        byte[] b = toPod.take();
        if (b == EOF) break;
        in.write(b);
        in.flush();
        if (queued.addAndGet(-b.length) < HIGH_WATER / 4 && !client.config().isAutoRead()) {
          client.config().setAutoRead(true);
        }
      }
    } catch (IOException e) {
      // the helper is gone: the other pump reports the end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!client.config().isAutoRead()) client.config().setAutoRead(true);
    }
  }

  private void pumpFromPod(Sink sink) {
    byte[] buf = new byte[32 * 1024];
    try (InputStream out = process.getInputStream()) {
      int n;
      while ((n = out.read(buf)) > 0) sink.data(Arrays.copyOf(buf, n));
    } catch (IOException e) {
      // killed
    }
    String error = null;
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      String stderr;
      try (InputStream err = process.getErrorStream()) {
        stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!killed.get() && process.exitValue() != 0) error = failure(stderr);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (IOException e) {
      // no stderr to read
    }
    kill();
    sink.end(error);
  }

  /** Upstream's words (containerd's dial in the sandbox, wrapped by the kubelet) for a helper that failed. */
  private String failure(String stderr) {
    Matcher m = CANNOT_CONNECT.matcher(stderr);
    if (m.find()) {
      return message(sandbox, port, "failed to execute portforward in network namespace \"" + sandbox.netns()
          + "\": failed to connect to localhost:" + port + " inside namespace \"" + sandbox.id() + "\", IPv4: dial tcp4 "
          + "127.0.0.1:" + port + ": connect: " + m.group(1).trim().toLowerCase());
    }
    if (!sandbox.exists()) {
      return message(sandbox, port, "network namespace for sandbox \"" + sandbox.id() + "\" is closed");
    }
    return message(sandbox, port, "failed to execute portforward in network namespace \"" + sandbox.netns() + "\": "
        + (stderr.isEmpty() ? "the connection helper failed" : stderr));
  }

  /** The kubelet's wrapping: the CRI names the pod by its sandbox id and passes no uid. */
  static String message(PodSandbox sandbox, int port, String cause) {
    return "error forwarding port " + port + " to pod " + sandbox.id() + ", uid : " + cause;
  }
}
