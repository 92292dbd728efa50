package io.planet.node.metrics;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.planet.api.tls.KubeletServingTrust;
import io.planet.api.tls.TrustAll;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * HTTP clients for scraping kubelets, as upstream's metrics-server makes them: the credentials of its kubeconfig (client
 * certificate, bearer token) and the kubelet CA of {@link KubeletScrapeTls}. Verifying clients are per node (the
 * certificate must be issued for that node, see {@link KubeletServingTrust}).
 */
final class KubeletClients {
  private static final String ANY_NODE = "";

  private final KeyManager[] keys;
  private final String token;
  private final List<X509Certificate> authorities;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

  KubeletClients(Config config, KubeletScrapeTls tls) throws IOException {
    try {
      keys = config == null ? null : SSLUtils.keyManagers(config);
    } catch (GeneralSecurityException e) {
      throw new IOException("metrics-server client certificate: " + e.getMessage(), e);
    }
    token = config == null ? null : config.getOauthToken();
    if (tls.insecure()) {
      authorities = List.of();
    } else if (tls.certificateAuthorityFile() != null) {
      authorities = read(Files.readAllBytes(tls.certificateAuthorityFile()), tls.certificateAuthorityFile().toString());
    } else {
      authorities = kubeconfigCa(config);
    }
  }

  private static List<X509Certificate> kubeconfigCa(Config config) throws IOException {
    if (config != null && config.getCaCertData() != null && !config.getCaCertData().isEmpty()) {
      return read(Base64.getDecoder().decode(config.getCaCertData().trim()), "the kubeconfig's certificate-authority-data");
    }
    if (config != null && config.getCaCertFile() != null && !config.getCaCertFile().isEmpty()) {
      return read(Files.readAllBytes(Path.of(config.getCaCertFile())), config.getCaCertFile());
    }
    throw new IOException("the kubeconfig names no certificate authority to verify kubelets with: give "
        + "--kubelet-certificate-authority or --kubelet-insecure-tls");
  }

  private static List<X509Certificate> read(byte[] pem, String what) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (InputStream in = new ByteArrayInputStream(pem)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
    } catch (GeneralSecurityException e) {
      throw new IOException(what + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) throw new IOException(what + " holds no certificate");
    return out;
  }

  HttpClient forNode(String nodeName) {
    String key = authorities.isEmpty() ? ANY_NODE : nodeName;
    return clients.computeIfAbsent(key, n -> {
      TrustManager trust = authorities.isEmpty() ? new TrustAll() : new KubeletServingTrust(authorities, n);
      try {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keys, new TrustManager[] {trust}, null);
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(ssl).build();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    });
  }

  /** Adds the kubeconfig's bearer token, when it has one. */
  HttpRequest.Builder authorize(HttpRequest.Builder b) {
    return token == null || token.isEmpty() ? b : b.header("Authorization", "Bearer " + token);
  }
}
