package io.planet.node.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.api.tls.TrustAll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * kubeadm's token discovery (cmd/kubeadm/app/discovery/token): the joining node reads kube-public/cluster-info without
 * credentials and without verifying the server (it does not know the CA yet), trusts its kubeconfig only when the
 * bootstrap signer's {@code jws-kubeconfig-<token-id>} signature matches the token, takes the CA from it — pinned by
 * {@code sha256:<hex>} of the CA's DER SubjectPublicKeyInfo when given — and reads cluster-info again over TLS verified
 * with that CA to make sure it is the same.
 */
public final class ClusterInfoDiscovery {
  public static final String NAMESPACE = "kube-public";
  public static final String NAME = "cluster-info";
  public static final String JWS_PREFIX = "jws-kubeconfig-";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What discovery found: the CA (PEM) and the server the cluster-info kubeconfig names. */
  public record Result(String caPem, X509Certificate ca, String clusterInfoServer) {}

  private final String server;
  private final BootstrapToken token;
  private final List<String> caCertHashes;
  private final boolean unsafeSkipCaVerification;

  public ClusterInfoDiscovery(String server, BootstrapToken token, List<String> caCertHashes, boolean unsafeSkipCaVerification) {
    this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    this.token = token;
    this.caCertHashes = List.copyOf(caCertHashes);
    this.unsafeSkipCaVerification = unsafeSkipCaVerification;
    for (String h : caCertHashes) {
      if (!h.toLowerCase(Locale.ROOT).matches("sha256:[0-9a-f]{64}")) {
        throw new IllegalArgumentException("--discovery-token-ca-cert-hash \"" + h + "\" is not sha256:<64 hex digits>");
      }
    }
    if (caCertHashes.isEmpty() && !unsafeSkipCaVerification) {
      throw new IllegalArgumentException("give --discovery-token-ca-cert-hash sha256:<hex> (planet token create "
          + "--print-join-command prints it) or --discovery-token-unsafe-skip-ca-verification");
    }
  }

  public Result discover() throws IOException, InterruptedException {
    String body = fetch(TrustAll.sslContext());
    JsonNode data = JSON.readTree(body).path("data");
    String kubeconfig = data.path("kubeconfig").asText(null);
    if (kubeconfig == null) throw new IOException("the cluster-info ConfigMap on " + server + " has no kubeconfig");
    String jws = data.path(JWS_PREFIX + token.id()).asText(null);
    if (jws == null) {
      throw new IOException("there is no JWS signed token in the cluster-info ConfigMap for token id \"" + token.id()
          + "\": the token is invalid for this cluster or has expired (planet token create on the master makes a new one)");
    }
    if (!DetachedJws.verify(jws, kubeconfig, token.id(), token.secret())) {
      throw new IOException("failed to verify the JWS signature of cluster-info with token \"" + token.id()
          + "\": the token secret is wrong, can't trust this API server");
    }
    JsonNode kc = JSON.valueToTree(Serialization.unmarshal(kubeconfig, java.util.Map.class));
    JsonNode cluster = kc.path("clusters").path(0).path("cluster");
    String caData = cluster.path("certificate-authority-data").asText("");
    if (caData.isEmpty()) throw new IOException("the cluster-info kubeconfig has no certificate-authority-data");
    String caPem = new String(Base64.getDecoder().decode(caData), StandardCharsets.US_ASCII);
    List<X509Certificate> cas = Pem.certificates(caPem.getBytes(StandardCharsets.US_ASCII));
    if (!caCertHashes.isEmpty()) {
      boolean pinned = false;
      for (X509Certificate c : cas) {
        if (caCertHashes.stream().anyMatch(h -> h.equalsIgnoreCase(publicKeyHash(c)))) pinned = true;
      }
      if (!pinned) {
        throw new IOException("the cluster CA's public key hash " + publicKeyHash(cas.get(0)) + " matches no "
            + "--discovery-token-ca-cert-hash: this is not the cluster the token was made for");
      }
    }
    String again = fetch(verifying(cas));
    String kubeconfigAgain = JSON.readTree(again).path("data").path("kubeconfig").asText("");
    if (!kubeconfigAgain.equals(kubeconfig)) {
      throw new IOException("cluster-info changed between the unverified and the verified read: can't trust this API server");
    }
    return new Result(caPem, cas.get(0), cluster.path("server").asText(""));
  }

  /** kubeadm's CA pin: {@code sha256:<hex>} of the certificate's DER-encoded SubjectPublicKeyInfo. */
  public static String publicKeyHash(X509Certificate ca) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String fetch(SSLContext tls) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create(server + "/api/v1/namespaces/" + NAMESPACE + "/configmaps/" + NAME);
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Accept", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("cannot reach the API server at " + server + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
    if (r.statusCode() == 404) throw new IOException("the API server at " + server + " publishes no kube-public/cluster-info");
    if (r.statusCode() != 200) {
      throw new IOException("reading kube-public/cluster-info from " + server + " answered " + r.statusCode()
          + " (anonymous reads of cluster-info must be allowed)");
    }
    return r.body();
  }

  private static SSLContext verifying(List<X509Certificate> cas) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) ks.setCertificateEntry("ca" + i, cas.get(i));
      TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(ks);
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, f.getTrustManagers(), new SecureRandom());
      return c;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
