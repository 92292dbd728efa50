package io.planet.controllers.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.apiserver.testing.TestCsrs;
import io.planet.controllers.BootstrapSigner;
import io.planet.controllers.DetachedJws;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kubelet TLS bootstrap against a secure RBAC API server: a client holding only a bootstrap token asks for a kubelet
 * client certificate, csrapproving approves it after a SubjectAccessReview, csrsigning issues it with the cluster CA,
 * and the certificate authenticates as system:node:&lt;name&gt;. Also the bootstrap signer's cluster-info signatures.
 */
class KubeletTlsBootstrapIT {
  private static final String TOKEN_ID = "abcdef";
  private static final String TOKEN_SECRET = "0123456789abcdef";
  private static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";

  private static TestApiServer server;
  private static KubernetesClient admin;
  private static KubernetesClient bootstrap;
  private static ControllerManager manager;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.withTls(c -> c.withAuthorizationMode("Node,RBAC"));
    admin = adminClient();
    admin.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
        .withName("bootstrap-token-" + TOKEN_ID).endMetadata().withType("bootstrap.kubernetes.io/token")
        .withStringData(Map.of("token-id", TOKEN_ID, "token-secret", TOKEN_SECRET,
            "usage-bootstrap-authentication", "true", "usage-bootstrap-signing", "true",
            "expiration", Instant.now().plus(Duration.ofHours(1)).toString()))
        .build()).create();
    ClusterPki pki = server.pki();
    Map<String, Function<KubernetesClient, Controller>> controllers = new LinkedHashMap<>();
    controllers.put("csrapproving", c -> new CsrApprovingController(c, true));
    controllers.put("csrsigning", c -> new CsrSigningController(c, pki.caFile(), pki.keyFile(ClusterPki.CA)));
    controllers.put("csrcleaner", CsrCleaner::new);
    controllers.put("bootstrapsigner", BootstrapSigner::new);
    manager = new ControllerManager(adminClient(), controllers, LeaderElection.defaults("test").withEnabled(false),
        "127.0.0.1", 0).start();
    bootstrap = client(new ConfigBuilder(base()).withOauthToken(TOKEN_ID + "." + TOKEN_SECRET).build());
  }

  @AfterAll
  static void stop() {
    if (manager != null) manager.close();
    for (KubernetesClient c : new KubernetesClient[] {bootstrap, admin}) if (c != null) c.close();
    if (server != null) server.close();
  }

  private static KubernetesClient adminClient() throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(server.adminKubeconfig()));
    return client(config);
  }

  private static Config base() {
    return new ConfigBuilder(Config.empty()).withMasterUrl(server.url())
        .withCaCertFile(server.pki().caFile().toString()).withRequestRetryBackoffLimit(2).build();
  }

  private static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A client authenticating with an issued certificate and its key. */
  private static KubernetesClient certificateClient(String certPem, KeyPair key) throws Exception {
    // PKCS#8, which fabric8 reads for EC keys
    String keyPem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Base64.Encoder b64 = Base64.getEncoder();
    return client(new ConfigBuilder(base())
        .withClientCertData(b64.encodeToString(certPem.getBytes(StandardCharsets.US_ASCII)))
        .withClientKeyData(b64.encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII)))
        .withClientKeyAlgo("EC").build());
  }

  private static CertificateSigningRequest csr(KubernetesClient as, String name, String pem, String signer,
      List<String> usages) {
    return as.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withRequest(TestCsrs.base64(pem)).withSignerName(signer).withUsages(usages).endSpec()
        .build()).create();
  }

  private static CertificateSigningRequest get(String name) {
    return admin.certificates().v1().certificateSigningRequests().withName(name).get();
  }

  private static String issued(String name) {
    await().atMost(Duration.ofSeconds(30)).until(() -> CertificateRequests.issued(get(name)));
    return new String(Base64.getDecoder().decode(get(name).getStatus().getCertificate()), StandardCharsets.US_ASCII);
  }

  private static X509Certificate x509(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static List<String> names(Collection<List<?>> sans) {
    List<String> out = new ArrayList<>();
    if (sans != null) for (List<?> s : sans) out.add(s.get(1).toString());
    return out;
  }

  @Test
  void bootstrapTokenGetsANodeClientCertificate() throws Exception {
    KeyPair key = TestCsrs.ecKey();
    List<String> usages = List.of("digital signature", "client auth");
    // requests the approver must leave alone: another signer, a subject that is no node
    csr(bootstrap, "other-signer", TestCsrs.request(key, "system:node:n1", List.of("system:nodes")),
        "kubernetes.io/kube-apiserver-client", usages);
    csr(bootstrap, "not-a-node", TestCsrs.request(key, "alice", List.of("system:nodes")), KUBELET_CLIENT, usages);
    csr(bootstrap, "extra-usage", TestCsrs.request(key, "system:node:n1", List.of("system:nodes")), KUBELET_CLIENT,
        List.of("digital signature", "client auth", "server auth"));
    CertificateSigningRequest created = csr(bootstrap, "node-csr-n1",
        TestCsrs.request(key, "system:node:n1", List.of("system:nodes")), KUBELET_CLIENT, usages);
    assertThat(created.getSpec().getUsername()).isEqualTo("system:bootstrap:" + TOKEN_ID);
    assertThat(created.getSpec().getGroups()).contains("system:bootstrappers");

    String pem = issued("node-csr-n1");
    CertificateSigningRequestCondition approved = CertificateRequests.condition(get("node-csr-n1"), "Approved");
    assertThat(approved.getReason()).isEqualTo("AutoApproved");
    assertThat(approved.getMessage()).isEqualTo("Auto approving kubelet client certificate after SubjectAccessReview.");
    X509Certificate cert = x509(pem);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:n1,O=system:nodes");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(x509(Files.readString(server.pki().caFile())).getSubjectX500Principal());
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getKeyUsage()[0]).isTrue();
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    Duration valid = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    assertThat(valid).isBetween(Duration.ofDays(365), Duration.ofDays(365).plusMinutes(6));

    try (KubernetesClient node = certificateClient(pem, key)) {
      SelfSubjectReview me = node.authentication().v1().selfSubjectReviews().create(new SelfSubjectReview());
      assertThat(me.getStatus().getUserInfo().getUsername()).isEqualTo("system:node:n1");
      assertThat(me.getStatus().getUserInfo().getGroups()).contains("system:nodes", "system:authenticated");

      // renewal: the node asks for itself and is approved through selfnodeclient, with a requested duration
      KeyPair next = TestCsrs.ecKey();
      node.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
          .withNewMetadata().withName("node-csr-n1-renew").endMetadata()
          .withNewSpec().withRequest(TestCsrs.base64(TestCsrs.request(next, "system:node:n1", List.of("system:nodes"))))
          .withSignerName(KUBELET_CLIENT).withUsages(usages).withExpirationSeconds(3600).endSpec().build()).create();
      X509Certificate renewed = x509(issued("node-csr-n1-renew"));
      assertThat(CertificateRequests.condition(get("node-csr-n1-renew"), "Approved").getMessage())
          .isEqualTo("Auto approving self kubelet client certificate after SubjectAccessReview.");
      assertThat(Duration.between(Instant.now(), renewed.getNotAfter().toInstant())).isBetween(
          Duration.ofMinutes(58), Duration.ofMinutes(61));

      // Planet's addition: the node's own serving certificate is approved and signed with its SANs
      KeyPair serving = TestCsrs.ecKey();
      node.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
          .withNewMetadata().withName("serving-n1").endMetadata()
          .withNewSpec().withRequest(TestCsrs.base64(TestCsrs.request(serving, "system:node:n1", List.of("system:nodes"),
              List.of("n1"), List.of("10.0.0.5"))))
          .withSignerName("kubernetes.io/kubelet-serving").withUsages("digital signature", "server auth").endSpec()
          .build()).create();
      X509Certificate servingCert = x509(issued("serving-n1"));
      assertThat(names(servingCert.getSubjectAlternativeNames())).containsExactly("n1", "10.0.0.5");
      assertThat(servingCert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
      // ... but not a serving certificate for another node
      node.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
          .withNewMetadata().withName("serving-n2").endMetadata()
          .withNewSpec().withRequest(TestCsrs.base64(TestCsrs.request(serving, "system:node:n2", List.of("system:nodes"),
              List.of("n2"), List.of())))
          .withSignerName("kubernetes.io/kubelet-serving").withUsages("digital signature", "server auth").endSpec()
          .build()).create();
    }
    // the others are still pending (the approver has long looked at them)
    for (String name : List.of("other-signer", "not-a-node", "extra-usage", "serving-n2")) {
      CertificateSigningRequest c = get(name);
      assertThat(c.getStatus().getConditions()).as(name).isNullOrEmpty();
      assertThat(c.getStatus().getCertificate()).as(name).isNull();
    }
  }

  @Test
  void signerFailsRequestsItsRulesRefuse() {
    KeyPair key = TestCsrs.ecKey();
    CertificateSigningRequest c = csr(admin, "approved-but-wrong", TestCsrs.request(key, "system:node:n3", List.of("devs")),
        KUBELET_CLIENT, List.of("digital signature", "client auth"));
    // an administrator approves it by hand (kubectl certificate approve does the same PUT)
    c.getStatus().setConditions(List.of(new CertificateSigningRequestConditionBuilder().withType("Approved")
        .withStatus("True").withReason("KubectlApprove").withMessage("This CSR was approved by kubectl certificate approve.")
        .build()));
    admin.certificates().v1().certificateSigningRequests().resource(c).subresource("approval").update();
    await().atMost(Duration.ofSeconds(30)).until(() -> CertificateRequests.has(get("approved-but-wrong"), "Failed"));
    CertificateSigningRequestCondition failed = CertificateRequests.condition(get("approved-but-wrong"), "Failed");
    assertThat(failed.getReason()).isEqualTo("SignerValidationFailure");
    assertThat(failed.getMessage()).isEqualTo("subject organization is not system:nodes");
    assertThat(get("approved-but-wrong").getStatus().getCertificate()).isNull();
  }

  @Test
  void bootstrapSignerSignsClusterInfoForTheToken() {
    String kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n    server: " + server.url() + "\n";
    admin.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder().withNewMetadata()
        .withName("cluster-info").endMetadata().withData(Map.of("kubeconfig", kubeconfig, "jws-kubeconfig-zzzzzz", "stale"))
        .build()).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.configMaps().inNamespace("kube-public")
        .withName("cluster-info").get().getData().containsKey("jws-kubeconfig-" + TOKEN_ID));
    Map<String, String> data = admin.configMaps().inNamespace("kube-public").withName("cluster-info").get().getData();
    assertThat(data).doesNotContainKey("jws-kubeconfig-zzzzzz");
    String jws = data.get("jws-kubeconfig-" + TOKEN_ID);
    // verify as a joining node does: the detached JWS over the kubeconfig with the token's secret
    String[] parts = jws.split("\\.", -1);
    assertThat(parts).hasSize(3);
    assertThat(parts[1]).isEmpty();
    assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8))
        .isEqualTo("{\"alg\":\"HS256\",\"kid\":\"" + TOKEN_ID + "\"}");
    assertThat(hmac(parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)), TOKEN_SECRET)).isEqualTo(parts[2]);
    assertThat(jws).isEqualTo(DetachedJws.sign(kubeconfig, TOKEN_ID, TOKEN_SECRET));
    // anyone may read it
    try (KubernetesClient anonymous = client(base())) {
      assertThat(anonymous.configMaps().inNamespace("kube-public").withName("cluster-info").get().getData())
          .containsKey("jws-kubeconfig-" + TOKEN_ID);
    }
  }

  private static String hmac(String input, String secret) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
