package io.planet.apiserver.testing;

import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.handlers.KubeletClientTls;
import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import io.planet.apiserver.http.ServingTls;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import io.planet.apiserver.pki.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real etcd plus an in-process API server on a free loopback port, and a small HTTP client for it. Restartable
 * (same port, same etcd) to test what survives an API server restart. Plain HTTP by default; {@link #withTls()}
 * serves HTTPS with a cluster PKI made in a temporary directory and hands out the admin kubeconfig; like
 * {@code planet apiserver --data-dir}, it then reaches kubelets with apiserver-kubelet-client and verifies their
 * serving certificates against the cluster CA.
 */
public final class TestApiServer implements AutoCloseable {
  private final EtcdTestServer etcd;
  private final ApiServerConfig config;
  private ApiServer server;
  private final ApiClient client;
  /** The data directory holding pki/ and the kubeconfigs; null for plain HTTP. */
  private final Path dataDir;

  public TestApiServer() throws IOException {
    this(c -> c);
  }

  public TestApiServer(UnaryOperator<ApiServerConfig> tweak) throws IOException {
    this(tweak, false);
  }

  /** HTTPS with client-certificate authentication; {@link #client()} and the kubeconfigs act as kubernetes-admin. */
  public static TestApiServer withTls() throws IOException {
    return withTls(c -> c);
  }

  public static TestApiServer withTls(UnaryOperator<ApiServerConfig> tweak) throws IOException {
    return new TestApiServer(tweak, true);
  }

  private TestApiServer(UnaryOperator<ApiServerConfig> tweak, boolean tls) throws IOException {
    this.etcd = EtcdTestServer.started();
    ApiServerConfig base = ApiServerConfig.defaults(etcd.endpoint()).withPort(EtcdTestServer.freePort())
        .withBookmarkInterval(Duration.ofSeconds(2))
        // as upstream's integration test server: no serviceaccount controller runs here to create default accounts
        .withAdmission(io.planet.apiserver.admission.AdmissionConfig.DEFAULT.disabling("ServiceAccount"));
    if (tls) {
      dataDir = Files.createTempDirectory("planet-pki-");
      ClusterPki pki = ClusterPki.at(dataDir.resolve("pki"));
      copyTemplate(pki.dir());
      pki.ensure(new ClusterCertificates(List.of(), base.serviceClusterIpRange(), "cluster.local").specs());
      base = base.withTls(new ServingTls(pki.certFile(ClusterCertificates.API_SERVER), pki.keyFile(ClusterCertificates.API_SERVER)))
          .withAuthentication(new AuthenticationConfig(pki.caFile(), null, true)
              .withServiceAccounts(ServiceAccountTokenOptions.of(pki.serviceAccountKeyFile(), pki.serviceAccountPublicKeyFile()))
              .withBootstrapTokens(true))
          .withKubeletClient(new KubeletClientTls(pki.certFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT),
              pki.keyFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT), pki.caFile()));
    } else {
      dataDir = null;
    }
    this.config = tweak.apply(base);
    try {
      this.server = new ApiServer(config).start();
    } catch (RuntimeException e) {
      etcd.close();
      deleteDataDir();
      throw e;
    }
    if (tls) {
      Kubeconfigs.writeAll(dataDir, url(), pki(), List.of());
      this.client = new ApiClient(url(), TlsContexts.client(pki(), ClusterCertificates.ADMIN));
    } else {
      this.client = new ApiClient(server.url());
    }
  }

  /** One PKI per JVM, copied into each TLS server's directory: RSA keys take a while to generate. */
  private static Path template;

  private static synchronized void copyTemplate(Path target) throws IOException {
    if (template == null) {
      Path dir = Files.createTempDirectory("planet-pki-template-");
      ClusterPki.at(dir).ensure(new ClusterCertificates(List.of(), "10.96.0.0/12", "cluster.local").specs());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      template = dir;
    }
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(template)) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  public boolean tls() {
    return dataDir != null;
  }

  /** The cluster PKI of a {@link #withTls()} server. */
  public ClusterPki pki() {
    requireTls();
    return ClusterPki.at(dataDir.resolve("pki"));
  }

  /** The directory holding pki/ and the component kubeconfigs of a {@link #withTls()} server. */
  public Path dataDir() {
    requireTls();
    return dataDir;
  }

  /** kubernetes-admin's kubeconfig (CA and client certificate embedded) of a {@link #withTls()} server. */
  public Path adminKubeconfig() {
    requireTls();
    return dataDir.resolve("admin.kubeconfig");
  }

  private void requireTls() {
    if (dataDir == null) throw new IllegalStateException("this test server serves plain HTTP: use TestApiServer.withTls()");
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
    return (tls() ? "https" : "http") + "://127.0.0.1:" + config.port();
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

  /** A kubeconfig file pointing at this server: the admin's for a TLS server, an anonymous one for plain HTTP. */
  public Path writeKubeconfig(Path dir) {
    if (tls()) {
      try {
        return Files.copy(adminKubeconfig(), dir.resolve("kubeconfig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
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
    deleteDataDir();
  }

  private void deleteDataDir() {
    if (dataDir != null) deleteTree(dataDir);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
