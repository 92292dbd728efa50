package io.planet.cli.cluster;

import io.planet.api.tls.TrustAll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The components' health endpoints (/readyz, /healthz), as a local probe: this node's own servers on its own
 * addresses, so the serving certificate is not verified (the kubelet's is self-signed); no credentials are sent
 * (health endpoints are public under the bootstrap RBAC policy).
 */
final class Health {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .sslContext(TrustAll.sslContext()).build();

  private Health() {}

  /** The body of a 200 answer, or null. */
  static String get(String url) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static boolean ok(String url) {
    return get(url) != null;
  }

  /**
   * For the kubelet's port, which authenticates every request as upstream's does: the probe presents the
   * API server's kubelet-client certificate (the kubelet's own serving certificate is verified against the CA).
   */
  static boolean okAsKubeletClient(String url, io.planet.apiserver.pki.ClusterPki pki) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(
          io.planet.apiserver.pki.TlsContexts.client(pki, io.planet.apiserver.pki.ClusterCertificates.API_SERVER_KUBELET_CLIENT))
          .build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
