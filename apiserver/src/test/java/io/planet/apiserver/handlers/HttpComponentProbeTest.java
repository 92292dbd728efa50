package io.planet.apiserver.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.planet.apiserver.pki.CertificateAuthority;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The HTTP health probe against real local sockets: refused connections, and HTTPS with an unverifiable certificate. */
class HttpComponentProbeTest {

  @Test
  void refusedConnectionIsUnknownWithGosWording() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/healthz";
    ComponentProbe.Result r = new HttpComponentProbe(url, Duration.ofSeconds(2)).check();
    assertThat(r.status()).isEqualTo("Unknown");
    assertThat(r.message()).isEmpty();
    assertThat(r.error()).isEqualTo("Get \"" + url + "\": dial tcp 127.0.0.1:" + port + ": connect: connection refused");
    // the table shows anything but True as Unhealthy, with the error in its own column
    assertThat(ComponentStatuses.status("scheduler", r).path("conditions").get(0).path("error").asText())
        .isEqualTo(r.error());
  }

  @Test
  void httpsCertificateAndHostnameAreNotChecked() throws Exception {
    // a self-signed certificate for "kubernetes", served on 127.0.0.1: neither trusted nor matching
    CertificateAuthority self = CertificateAuthority.create(Instant.now(), Duration.ofHours(1));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", self.key(), new char[0], new Certificate[] {self.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    server.createContext("/healthz", ex -> {
      byte[] b = "ok".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    });
    server.start();
    try {
      String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
      assertThat(new HttpComponentProbe(url, Duration.ofSeconds(5)).check()).isEqualTo(ComponentProbe.Result.healthy("ok"));
    } finally {
      server.stop(0);
    }
  }
}
