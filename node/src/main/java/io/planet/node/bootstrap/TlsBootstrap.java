package io.planet.node.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Kubelet TLS bootstrap (upstream's pkg/kubelet/certificate/bootstrap and the kubelet's serving certificate manager):
 * with only the API server's URL, the cluster CA and a bootstrap token, the node gets a client certificate for
 * {@code system:node:<name>} (signer kubernetes.io/kube-apiserver-client-kubelet) through a CertificateSigningRequest
 * the cluster approves and signs, writes it with a kubeconfig, then asks — as the node — for a serving certificate
 * (signer kubernetes.io/kubelet-serving) for its name and addresses. Certificates still valid for more than a tenth of
 * their lifetime are re-used, so a restarting node asks for nothing.
 */
public final class TlsBootstrap {
  public static final String CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
  public static final String SERVING_SIGNER = "kubernetes.io/kubelet-serving";
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private final String server;
  private final X509Certificate ca;
  private final String caPem;
  private final NodeCredentials files;
  private final String nodeName;
  private final Duration deadline;
  private final Consumer<String> progress;
  private final Clock clock;

  public TlsBootstrap(String server, String caPem, NodeCredentials files, String nodeName, Duration deadline,
      Consumer<String> progress) throws IOException {
    this.server = server;
    this.caPem = caPem;
    this.ca = Pem.certificates(caPem.getBytes(StandardCharsets.US_ASCII)).get(0);
    this.files = files;
    this.nodeName = nodeName;
    this.deadline = deadline;
    this.progress = progress;
    this.clock = Clock.systemUTC();
  }

  public String user() {
    return "system:node:" + nodeName;
  }

  /**
   * The client certificate and kubeconfig: re-used when valid, else requested with {@code token}. Returns what was
   * done, for the progress line.
   */
  public String ensureClientCertificate(String token) throws IOException, InterruptedException {
    Pem.write(files.caFile(), caPem, "rw-r--r--");
    String problem = CertificateValidity.problem(files.clientCertFile(), files.clientKeyFile(), ca, clock.instant());
    if (problem == null && Files.exists(files.kubeconfig())) {
      writeKubeconfig();
      return "re-used " + files.clientCertFile() + " (valid until " + notAfter(files.clientCertFile()) + ")";
    }
    if (token == null || token.isBlank()) {
      throw new IOException("no valid client certificate (" + problem + ") and no bootstrap token to request one (--token)");
    }
    KeyPair key = CertificateRequests.rsaKey();
    String request = CertificateRequests.pem(key, user(), "system:nodes", List.of(), List.of());
    String name = "node-csr-" + digest(key, user());
    String cert;
    try (KubernetesClient bootstrap = client(new ConfigBuilder(base()).withOauthToken(token).build())) {
      cert = request(bootstrap, name, null, request, CLIENT_SIGNER, List.of("digital signature", "key encipherment", "client auth"));
    }
    Pem.writeKey(files.clientKeyFile(), key.getPrivate());
    Pem.write(files.clientCertFile(), cert, "rw-r--r--");
    writeKubeconfig();
    return "certificate signing request " + name + " approved and issued for " + user();
  }

  /** The serving certificate for the node's name and {@code ips}, requested as the node itself. */
  public String ensureServingCertificate(List<String> ips) throws IOException, InterruptedException {
    String problem = CertificateValidity.problem(files.servingCertFile(), files.servingKeyFile(), ca, clock.instant());
    if (problem == null && coversAll(ips)) {
      return "re-used " + files.servingCertFile() + " (valid until " + notAfter(files.servingCertFile()) + ")";
    }
    KeyPair key = CertificateRequests.rsaKey();
    String request = CertificateRequests.pem(key, user(), "system:nodes", List.of(nodeName), ips);
    String cert;
    String[] name = new String[1];
    try (KubernetesClient node = client(Config.fromKubeconfig(Files.readString(files.kubeconfig())))) {
      cert = request(node, null, "csr-", request, SERVING_SIGNER, List.of("digital signature", "key encipherment", "server auth"),
          name);
    }
    Pem.writeKey(files.servingKeyFile(), key.getPrivate());
    Pem.write(files.servingCertFile(), cert, "rw-r--r--");
    return "certificate signing request " + name[0] + " approved and issued for " + nodeName + " " + String.join(", ", ips);
  }

  private boolean coversAll(List<String> ips) {
    try {
      X509Certificate c = Pem.certificates(Files.readAllBytes(files.servingCertFile())).get(0);
      var sans = c.getSubjectAlternativeNames();
      if (sans == null) return false;
      List<String> names = sans.stream().map(l -> String.valueOf(l.get(1))).toList();
      return names.contains(nodeName) && names.containsAll(ips);
    } catch (Exception e) {
      return false;
    }
  }

  private String request(KubernetesClient c, String name, String generateName, String pem, String signer, List<String> usages)
      throws IOException, InterruptedException {
    return request(c, name, generateName, pem, signer, usages, new String[1]);
  }

  /** Creates the CSR (or finds the one of this name) and waits, with progress lines, for its certificate. */
  private String request(KubernetesClient c, String name, String generateName, String pem, String signer,
      List<String> usages, String[] created) throws IOException, InterruptedException {
    CertificateSigningRequest csr = new CertificateSigningRequestBuilder().withNewMetadata().withName(name)
        .withGenerateName(generateName).endMetadata()
        .withNewSpec().withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
        .withSignerName(signer).withUsages(usages).endSpec().build();
    try {
      CertificateSigningRequest existing = name == null ? null : c.certificates().v1().certificateSigningRequests().withName(name).get();
      created[0] = existing != null ? name : c.certificates().v1().certificateSigningRequests().resource(csr).create()
          .getMetadata().getName();
    } catch (KubernetesClientException e) {
      throw new IOException(explain(e, signer), e);
    }
    Instant start = clock.instant();
    Instant end = start.plus(deadline);
    Instant nextProgress = start.plus(PROGRESS_EVERY);
    String state = "pending";
    while (clock.instant().isBefore(end)) {
      CertificateSigningRequest now;
      try {
        now = c.certificates().v1().certificateSigningRequests().withName(created[0]).get();
      } catch (KubernetesClientException e) {
        throw new IOException(explain(e, signer), e);
      }
      if (now == null) throw new IOException("certificate signing request " + created[0] + " was deleted before it was issued");
      if (now.getStatus() != null) {
        for (CertificateSigningRequestCondition cond : now.getStatus().getConditions() == null
            ? List.<CertificateSigningRequestCondition>of() : now.getStatus().getConditions()) {
          if (cond.getType().equals("Denied") || cond.getType().equals("Failed")) {
            throw new IOException("certificate signing request " + created[0] + " " + cond.getType().toLowerCase()
                + ": " + cond.getReason() + (cond.getMessage() == null ? "" : " (" + cond.getMessage() + ")"));
          }
          if (cond.getType().equals("Approved")) state = "approved, waiting for the signer";
        }
        String issued = now.getStatus().getCertificate();
        if (issued != null && !issued.isEmpty()) return new String(Base64.getDecoder().decode(issued), StandardCharsets.US_ASCII);
      }
      if (clock.instant().isAfter(nextProgress)) {
        progress.accept("certificate signing request " + created[0] + " (" + signer + ") " + state + " after "
            + Duration.between(start, clock.instant()).toSeconds() + " s");
        nextProgress = clock.instant().plus(PROGRESS_EVERY);
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IOException("certificate signing request " + created[0] + " (" + signer + ") not issued within "
        + deadline.toSeconds() + " s (" + state + "; kubectl get csr " + created[0] + "; is the csrapproving controller running?)");
  }

  private static String explain(KubernetesClientException e, String signer) {
    String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    return switch (e.getCode()) {
      case 401 -> "the API server rejected the credentials (401 Unauthorized): the bootstrap token is unknown, expired "
          + "or not usable for authentication";
      case 403 -> "not allowed to request a " + signer + " certificate (403 Forbidden): " + why;
      default -> "certificate signing request for " + signer + " failed: " + why;
    };
  }

  /** The base client configuration: the API server verified against the cluster CA. */
  private Config base() {
    return new ConfigBuilder(Config.empty()).withMasterUrl(server)
        .withCaCertData(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)))
        .withRequestTimeout(10_000).withConnectionTimeout(5_000).build();
  }

  private static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A kubeconfig with the CA, the server and the client certificate embedded, 0600. */
  private void writeKubeconfig() throws IOException {
    ObjectNode kc = JSON.createObjectNode();
    kc.put("apiVersion", "v1");
    kc.put("kind", "Config");
    kc.putArray("clusters").addObject().put("name", "planet").putObject("cluster")
        .put("certificate-authority-data", base64(files.caFile())).put("server", server);
    kc.putArray("contexts").addObject().put("name", "default").putObject("context").put("cluster", "planet")
        .put("user", user());
    kc.put("current-context", "default");
    kc.putArray("users").addObject().put("name", user()).putObject("user")
        .put("client-certificate-data", base64(files.clientCertFile())).put("client-key-data", base64(files.clientKeyFile()));
    Pem.write(files.kubeconfig(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(kc), "rw-------");
  }

  private static String base64(java.nio.file.Path file) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }

  private static Instant notAfter(java.nio.file.Path cert) throws IOException {
    return Pem.certificates(Files.readAllBytes(cert)).get(0).getNotAfter().toInstant();
  }

  /** Upstream names the client CSR after a digest of its key and subject, so a retry finds the same request. */
  private static String digest(KeyPair key, String subject) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(key.getPublic().getEncoded());
      d.update(subject.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
