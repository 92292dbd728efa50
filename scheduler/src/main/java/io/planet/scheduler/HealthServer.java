package io.planet.scheduler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** Plain-HTTP /healthz (and /livez, /readyz, as upstream) and /metrics (Prometheus text format). */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(String bindAddress, int port, Supplier<String> metrics) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
    for (String path : new String[] {"/healthz", "/livez", "/readyz"}) {
      server.createContext(path, ex -> respond(ex, 200, "text/plain; charset=utf-8", "ok"));
    }
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "scheduler-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
