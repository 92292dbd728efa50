package io.planet.apiserver.testing;

import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real etcd plus an in-process API server on a free loopback port, and a small HTTP client for it. Restartable
 * (same port, same etcd) to test what survives an API server restart.
 */
public final class TestApiServer implements AutoCloseable {
  private final EtcdTestServer etcd;
  private final ApiServerConfig config;
  private ApiServer server;
  private final ApiClient client;

  public TestApiServer() throws IOException {
    this(c -> c);
  }

  public TestApiServer(UnaryOperator<ApiServerConfig> tweak) throws IOException {
    this.etcd = EtcdTestServer.started();
    this.config = tweak.apply(ApiServerConfig.defaults(etcd.endpoint()).withPort(EtcdTestServer.freePort())
        .withBookmarkInterval(Duration.ofSeconds(2))
        // as upstream's integration test server: no serviceaccount controller runs here to create default accounts
        .withAdmission(io.planet.apiserver.admission.AdmissionConfig.DEFAULT.disabling("ServiceAccount")));
    this.server = new ApiServer(config).start();
    this.client = new ApiClient(server.url());
  }

  public ApiServer server() {
    return server;
  }

  public EtcdTestServer etcd() {
    return etcd;
  }

  public ApiServerConfig config() {
    return config;
  }

  public String url() {
    return "http://127.0.0.1:" + config.port();
  }

  public ApiClient client() {
    return client;
  }

  /** Stops the API server and starts a new one on the same port and etcd. */
  public void restart() {
    server.close();
    server = new ApiServer(config).start();
  }

  public void stopServer() {
    server.close();
  }

  public void startServer() {
    server = new ApiServer(config).start();
  }

  /** A kubeconfig file pointing at this server (plain HTTP until the security issue). */
  public Path writeKubeconfig(Path dir) {
    String kc = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            server: %s
          name: planet
        contexts:
        - context:
            cluster: planet
            user: admin
            namespace: default
          name: planet
        current-context: planet
        users:
        - name: admin
          user: {}
        """.formatted(url());
    try {
      Path f = dir.resolve("kubeconfig");
      Files.writeString(f, kc);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) server.close();
    etcd.close();
  }
}
