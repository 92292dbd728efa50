package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.tls.TrustAll;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * HTTPS clients for APIService backends, one per TLS setting: trust spec.caBundle (or the JDK's roots without one) and
 * check the certificate against {@code <service>.<namespace>.svc}, as upstream's proxy transport does even when it
 * dials an endpoint IP; or trust anything when insecureSkipTLSVerify.
 */
public final class BackendClients {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

  /** The client for an APIService's TLS settings. */
  public HttpClient forApiService(JsonNode apiService) {
    JsonNode spec = apiService.path("spec");
    boolean insecure = spec.path("insecureSkipTLSVerify").asBoolean(false);
    String caBundle = spec.path("caBundle").asText("");
    String serverName = spec.path("service").path("name").asText() + "." + spec.path("service").path("namespace").asText() + ".svc";
    String key = insecure ? "insecure" : serverName + "|" + caBundle;
    // APIServices are few; a bound keeps rotated caBundles from piling up
    if (clients.size() > 256) clients.clear();
    return clients.computeIfAbsent(key, k -> build(insecure ? new TrustAll() : new ServiceTrust(roots(caBundle), serverName)));
  }

  /**
   * A client for an admission webhook: trusts {@code caBundle} (base64 PEM, or the JDK's roots when empty) and checks
   * the certificate against {@code serverName} (a DNS name or an IP address), which is also sent as SNI when it is a
   * name: {@code <service>.<namespace>.svc} for a service, the URL's host otherwise.
   */
  public HttpClient forServer(String serverName, String caBundle) {
    if (clients.size() > 256) clients.clear();
    return clients.computeIfAbsent("server|" + serverName + "|" + caBundle,
        k -> build(new ServiceTrust(roots(caBundle), serverName), serverName));
  }

  private static HttpClient build(X509ExtendedTrustManager trust) {
    return build(trust, null);
  }

  private static HttpClient build(X509ExtendedTrustManager trust, String sniName) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {trust}, null);
      HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER).sslContext(ctx);
      if (sniName != null && !isIpLiteral(sniName)) {
        javax.net.ssl.SSLParameters params = ctx.getDefaultSSLParameters();
        params.setServerNames(List.of(new javax.net.ssl.SNIHostName(sniName)));
        b.sslParameters(params);
      }
      return b.build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for an APIService backend", e);
    }
  }

  /** The trust manager of a PEM bundle (base64 in the APIService), or of the JDK's roots when there is none. */
  private static X509TrustManager roots(String caBundleBase64) {
    try {
      KeyStore ks = null;
      if (!caBundleBase64.isEmpty()) {
        byte[] pem = Base64.getDecoder().decode(caBundleBase64);
        ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) if (tm instanceof X509TrustManager x) return x;
      throw new IllegalStateException("no X.509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
      // an unusable bundle trusts nothing: every connection fails its handshake
      return new TrustNothing();
    }
  }

  /** Verifies the chain against the roots and the leaf against the Service's DNS name (not the endpoint IP dialled). */
  private static final class ServiceTrust extends X509ExtendedTrustManager {
    private final X509TrustManager roots;
    private final String serverName;

    ServiceTrust(X509TrustManager roots, String serverName) {
      this.roots = roots;
      this.serverName = serverName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      roots.checkServerTrusted(chain, authType);
      if (!matches(chain[0], serverName)) {
        throw new CertificateException("x509: certificate is not valid for " + serverName);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return roots.getAcceptedIssuers();
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** DNS subject alternative names, with a leading "*." matching one label; IP addresses match IP SANs. */
  static boolean matches(X509Certificate cert, String host) {
    try {
      if (cert.getSubjectAlternativeNames() == null) return false;
      if (isIpLiteral(host)) return matchesIp(cert, host);
      for (List<?> san : cert.getSubjectAlternativeNames()) {
        if (!Integer.valueOf(2).equals(san.get(0))) continue;
        String dns = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (dns.equals(h)) return true;
        if (dns.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(dns.substring(1))) return true;
      }
      return false;
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static boolean matchesIp(X509Certificate cert, String host) throws CertificateParsingException {
    try {
      java.net.InetAddress want = java.net.InetAddress.getByName(host.replace("[", "").replace("]", ""));
      for (List<?> san : cert.getSubjectAlternativeNames()) {
        if (Integer.valueOf(7).equals(san.get(0)) && java.net.InetAddress.getByName(String.valueOf(san.get(1))).equals(want)) {
          return true;
        }
      }
      return false;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static final class TrustNothing implements X509TrustManager {
    @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
      throw new CertificateException("unusable caBundle");
    }
    @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
      throw new CertificateException("unusable caBundle");
    }
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
  }
}
