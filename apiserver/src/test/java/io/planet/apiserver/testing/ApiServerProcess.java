package io.planet.apiserver.testing;

import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An API server in a child JVM, for tests that must kill -9 it. {@link #main} is the child's entry point.
 */
public final class ApiServerProcess implements AutoCloseable {
  private final Process process;

  private ApiServerProcess(Process process) {
    this.process = process;
  }

  /** Starts a child JVM serving on {@code port} with etcd at {@code etcd}; returns once it serves. */
  public static ApiServerProcess start(String etcd, int port) throws IOException, InterruptedException {
    String java = System.getProperty("java.home") + "/bin/java";
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        ApiServerProcess.class.getName(), etcd, Integer.toString(port))).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals("READY")) {
        Thread drain = new Thread(() -> {
          try {
            while (out.readLine() != null) {
              // keep the pipe from filling
            }
          } catch (IOException ignored) {
            // process gone
          }
        });
        drain.setDaemon(true);
        drain.start();
        return new ApiServerProcess(p);
      }
      if (System.nanoTime() > deadline) break;
    }
    p.destroyForcibly();
    throw new IOException("API server process did not start");
  }

  /** kill -9. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  public static void main(String[] args) {
    ApiServer s = new ApiServer(ApiServerConfig.defaults(args[0]).withPort(Integer.parseInt(args[1]))).start();
    System.out.println("READY");
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
  }
}
