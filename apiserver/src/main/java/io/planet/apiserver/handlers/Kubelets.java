package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.planet.api.ApiException;
import io.planet.api.tls.KubeletServingTrust;
import io.planet.api.tls.TrustAll;
import io.planet.apiserver.pki.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the API server reaches a node's kubelet API: the node's address and daemonEndpoints port, over TLS with the
 * {@link KubeletClientTls} client certificate. With a kubelet CA the serving certificate is verified
 * ({@link io.planet.api.tls.KubeletServingTrust}), so clients are made per node; without one, nothing is verified (upstream's default without
 * --kubelet-certificate-authority) and one client serves every node.
 */
final class Kubelets {
  private static final String ANY_NODE = "";

  private final KeyManagerFactory keys;
  private final List<X509Certificate> authorities;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  private final Map<String, SslContext> upgrades = new ConcurrentHashMap<>();

  /** Reads the files of {@code tls}; an unreadable one is an error (UncheckedIOException) at API server start. */
  Kubelets(KubeletClientTls tls) {
    try {
      keys = tls.clientCertFile() == null ? null : keyManagers(tls);
      authorities = tls.certificateAuthorityFile() == null ? List.of() : PemFiles.readCertificates(tls.certificateAuthorityFile());
    } catch (IOException | GeneralSecurityException e) {
      throw new UncheckedIOException(new IOException("kubelet client TLS: " + e.getMessage(), e));
    }
  }

  static int port(ObjectNode node) {
    return node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(10250);
  }

  static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  static String name(ObjectNode node) {
    return node.path("metadata").path("name").asText();
  }

  /** InternalIP first (names may not resolve from here), then the others. */
  static String address(ObjectNode node) {
    for (String type : List.of("InternalIP", "Hostname", "ExternalIP", "InternalDNS", "ExternalDNS")) {
      for (JsonNode a : node.path("status").path("addresses")) {
        if (type.equals(a.path("type").asText())) return a.path("address").asText();
      }
    }
    throw new ApiException(503, "ServiceUnavailable", "node " + name(node) + " reports no address");
  }

  /** An HTTP client for the kubelet of {@code node} (requests and WebSockets). */
  HttpClient http(ObjectNode node) {
    String key = authorities.isEmpty() ? ANY_NODE : name(node);
    return clients.computeIfAbsent(key, n -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .sslContext(jdkContext(n)).build());
  }

  /** Netty TLS for the kubelet of {@code node} (upgrade relays). */
  SslContext netty(ObjectNode node) {
    String key = authorities.isEmpty() ? ANY_NODE : name(node);
    return upgrades.computeIfAbsent(key, n -> {
      try {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(trust(n));
        if (keys != null) b.keyManager(keys);
        return b.build();
      } catch (SSLException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    });
  }

  private SSLContext jdkContext(String nodeName) {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(keys == null ? null : keys.getKeyManagers(), new TrustManager[] {trust(nodeName)}, null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  private X509ExtendedTrustManager trust(String nodeName) {
    return authorities.isEmpty() ? new TrustAll() : new KubeletServingTrust(authorities, nodeName);
  }

  private static KeyManagerFactory keyManagers(KubeletClientTls tls) throws IOException, GeneralSecurityException {
    char[] none = new char[0];
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, none);
    ks.setKeyEntry("kubelet-client", PemFiles.readPrivateKey(tls.clientKeyFile()), none,
        PemFiles.readCertificates(tls.clientCertFile()).toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, none);
    return kmf;
  }

}
