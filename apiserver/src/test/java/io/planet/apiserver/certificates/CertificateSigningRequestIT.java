package io.planet.apiserver.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.apiserver.testing.TestCsrs;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * certificates.k8s.io/v1 CertificateSigningRequests on an RBAC API server: the requester recorded on create,
 * upstream's validation texts, /approval and /status rules, and the CertificateApproval, CertificateSigning and
 * CertificateSubjectRestriction admission plugins. Users are named through the test authenticator seam.
 */
class CertificateSigningRequestIT {
  private static final String USER = "X-Test-User";
  private static final String GROUPS = "X-Test-Groups";
  private static final String CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

  private static TestApiServer server;
  private static ApiClient api;
  private static final KeyPair KEY = TestCsrs.ecKey();

  private static UserInfo testUser(ApiRequest req) {
    String name = req.header(USER);
    if (name.isEmpty()) return UserInfo.of("kubernetes-admin", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    if (name.equals(UserInfo.ANONYMOUS)) return UserInfo.anonymous();
    List<String> groups = new ArrayList<>();
    if (!req.header(GROUPS).isEmpty()) groups.addAll(Arrays.asList(req.header(GROUPS).split(",")));
    groups.add(UserInfo.AUTHENTICATED);
    return new UserInfo(name, name + "-uid", groups, Map.of("scopes", List.of("a", "b")));
  }

  @BeforeAll
  static void start() throws IOException {
    server = new TestApiServer(c -> c.withAuthorizationMode("RBAC").withTestAuthenticator(CertificateSigningRequestIT::testUser));
    api = server.client();
    // alice may create and read CSRs, and write their approval and status (the admission plugins decide the rest)
    api.create(RBAC + "/clusterroles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"csr-writer"},
         "rules":[{"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests",
           "certificatesigningrequests/approval","certificatesigningrequests/status"],
           "verbs":["create","get","list","update","patch"]}]}""");
    bind("csr-writer", "alice");
    await().atMost(Duration.ofSeconds(10)).until(() -> as("alice", "GET", CSRS, null).code() == 200);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static void bind(String role, String user) {
    api.create(RBAC + "/clusterrolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"%s-%s"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"%s"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}""".formatted(role, user, role, user));
  }

  private static Response as(String user, String method, String path, String body) {
    return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        body == null ? null : "application/json", Map.of(USER, user, GROUPS, "devs"));
  }

  private static String csr(String name, String signer) {
    return TestCsrs.manifest(name, TestCsrs.request(KEY, "alice", List.of("devs")), signer,
        List.of("digital signature", "client auth"), null);
  }

  private static ObjectNode withCondition(JsonNode csr, String type) {
    ObjectNode o = csr.deepCopy();
    ArrayNode conds = Json.with(o, "status").withArray("conditions");
    conds.addObject().put("type", type).put("status", "True").put("reason", "Test" + type).put("message", "by the test");
    return o;
  }

  @Test
  void createRecordsTheRequesterAndClearsStatus() {
    ObjectNode body = (ObjectNode) Json.parse(csr("requester", "example.com/foo"));
    ObjectNode spec = (ObjectNode) body.get("spec");
    spec.put("username", "mallory");
    spec.putArray("groups").add("system:masters");
    body.putObject("status").putArray("conditions").addObject().put("type", "Approved").put("status", "True");
    Response r = as("alice", "POST", CSRS, body.toString());
    assertThat(r.code()).as(r.text()).isEqualTo(201);
    assertThat(r.body().at("/spec/username").asText()).isEqualTo("alice");
    assertThat(r.body().at("/spec/uid").asText()).isEqualTo("alice-uid");
    assertThat(r.body().at("/spec/groups").toString()).isEqualTo("[\"devs\",\"system:authenticated\"]");
    assertThat(r.body().at("/spec/extra/scopes").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(r.body().get("status").toString()).isEqualTo("{}");
    // spec never changes after create: an update keeps the stored spec
    ObjectNode changed = r.body().deepCopy();
    ((ObjectNode) changed.get("spec")).put("signerName", "example.com/other");
    Response u = api.put(CSRS + "/requester", changed.toString());
    assertThat(u.code()).as(u.text()).isEqualTo(200);
    assertThat(u.body().at("/spec/signerName").asText()).isEqualTo("example.com/foo");
    // discovery and the field selector upstream offers
    assertThat(api.get(CSRS + "?fieldSelector=spec.signerName%3Dexample.com%2Ffoo").body().path("items").size()).isEqualTo(1);
    assertThat(api.get(CSRS + "?fieldSelector=spec.signerName%3Dexample.com%2Fbar").body().path("items").size()).isZero();
    JsonNode resources = api.get("/apis/certificates.k8s.io/v1").body().path("resources");
    List<String> names = new ArrayList<>();
    resources.forEach(n -> names.add(n.path("name").asText()));
    assertThat(names).containsExactly("certificatesigningrequests", "certificatesigningrequests/approval",
        "certificatesigningrequests/status");
    assertThat(resources.get(0).path("shortNames").toString()).isEqualTo("[\"csr\"]");
    assertThat(resources.get(0).path("namespaced").asBoolean()).isFalse();
  }

  @Test
  void validationAsUpstream() {
    String good = csr("v", "example.com/foo");
    Response garbage = api.post(CSRS, good.replaceFirst("\"request\":\"[^\"]*\"", "\"request\":\"" + TestCsrs.base64("nope") + "\""));
    assertThat(garbage.code()).isEqualTo(422);
    assertThat(garbage.body().path("message").asText()).isEqualTo("CertificateSigningRequest.certificates.k8s.io \"v\" is invalid: "
        + "spec.request: Invalid value: []byte{0x6e, 0x6f, 0x70, 0x65}: PEM block type must be CERTIFICATE REQUEST");
    // a request whose signature does not match its content
    String pem = TestCsrs.request(KEY, "alice", List.of("devs"));
    String mixed = tamper(pem);
    Response bad = api.post(CSRS, TestCsrs.manifest("v", mixed, "example.com/foo", List.of("client auth"), null));
    assertThat(bad.code()).isEqualTo(422);
    assertThat(bad.body().path("message").asText()).startsWith(
        "CertificateSigningRequest.certificates.k8s.io \"v\" is invalid: spec.request: Invalid value: []byte{0x2d, 0x2d");
    assertThat(bad.body().path("message").asText()).endsWith(": x509: ECDSA verification failure");
    Response fields = api.post(CSRS, TestCsrs.manifest("v", pem, "example", List.of("client auth", "bogus", "client auth"), 599L));
    assertThat(fields.code()).isEqualTo(422);
    assertThat(fields.body().path("message").asText()).isEqualTo("CertificateSigningRequest.certificates.k8s.io \"v\" is invalid: ["
        + "spec.usages[1]: Unsupported value: \"bogus\": supported values: \"any\", \"cert sign\", \"client auth\", "
        + "\"code signing\", \"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", "
        + "\"digital signature\", \"email protection\", \"encipher only\", \"ipsec end system\", \"ipsec tunnel\", "
        + "\"ipsec user\", \"key agreement\", \"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", "
        + "\"s/mime\", \"server auth\", \"signing\", \"timestamping\", "
        + "spec.usages[2]: Duplicate value: \"client auth\", "
        + "spec.signerName: Invalid value: \"example\": must be a fully qualified domain and path of the form 'example.com/signer-name', "
        + "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)]");
    Response empty = api.post(CSRS, TestCsrs.manifest("v", pem, "", List.of(), null));
    assertThat(empty.body().path("message").asText()).isEqualTo("CertificateSigningRequest.certificates.k8s.io \"v\" is invalid: ["
        + "spec.usages: Required value, spec.signerName: Required value]");
    Response oneSegment = api.post(CSRS, TestCsrs.manifest("v", pem, "example/foo", List.of("client auth"), null));
    assertThat(oneSegment.body().path("message").asText()).endsWith(
        "spec.signerName: Invalid value: \"example\": should be a domain with at least two segments separated by dots");
    assertThat(api.post(CSRS, TestCsrs.manifest("v", pem, "example.com/foo", List.of("client auth"), 600L)).code()).isEqualTo(201);
  }

  @Test
  void approvalNeedsApproveOnTheSigner() {
    Response created = as("alice", "POST", CSRS, csr("approve-me", "example.com/foo"));
    assertThat(created.code()).as(created.text()).isEqualTo(201);
    ObjectNode approved = withCondition(created.body(), "Approved");
    Response refused = as("alice", "PUT", CSRS + "/approve-me/approval", approved.toString());
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.body().path("message").asText()).isEqualTo("certificatesigningrequests.certificates.k8s.io \"approve-me\" "
        + "is forbidden: user not permitted to approve requests with signerName \"example.com/foo\"");
    // approve on the signer's domain wildcard is enough, as upstream
    api.create(RBAC + "/clusterroles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"example-approver"},
         "rules":[{"apiGroups":["certificates.k8s.io"],"resources":["signers"],"resourceNames":["example.com/*"],
           "verbs":["approve"]}]}""");
    bind("example-approver", "alice");
    await().atMost(Duration.ofSeconds(10)).until(() -> as("alice", "PUT", CSRS + "/approve-me/approval", approved.toString()).code() == 200);
    JsonNode stored = api.get(CSRS + "/approve-me").body();
    JsonNode cond = stored.at("/status/conditions/0");
    assertThat(cond.path("type").asText()).isEqualTo("Approved");
    assertThat(cond.path("reason").asText()).isEqualTo("TestApproved");
    assertThat(cond.path("message").asText()).isEqualTo("by the test");
    assertThat(cond.path("lastUpdateTime").asText()).isNotEmpty();
    assertThat(cond.path("lastTransitionTime").asText()).isNotEmpty();
    // Approved and Denied exclude each other; a set condition cannot be taken back
    Response both = api.put(CSRS + "/approve-me/approval", withCondition(stored, "Denied").toString());
    assertThat(both.code()).isEqualTo(422);
    assertThat(both.body().path("message").asText()).contains(
        "status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive");
    ObjectNode removed = stored.deepCopy();
    ((ObjectNode) removed.get("status")).remove("conditions");
    Response removal = api.put(CSRS + "/approve-me/approval", removed.toString());
    assertThat(removal.code()).isEqualTo(422);
    assertThat(removal.body().path("message").asText()).contains(
        "status.conditions: Forbidden: updates may not remove a condition of type \"Approved\"");
    // approval conditions cannot come in through /status
    Response viaStatus = api.put(CSRS + "/approve-me/status", withCondition(stored, "Denied").toString());
    assertThat(viaStatus.code()).isEqualTo(422);
    assertThat(viaStatus.body().path("message").asText()).contains(
        "status.conditions: Forbidden: updates may not add a condition of type \"Denied\"");
  }

  @Test
  void certificateOnlyThroughStatusByASignerOfAnApprovedRequest() throws Exception {
    Response created = as("alice", "POST", CSRS, csr("sign-me", "example.org/foo"));
    assertThat(created.code()).isEqualTo(201);
    String cert = TestCsrs.base64(selfSigned());
    ObjectNode withCert = created.body().deepCopy();
    Json.with(withCert, "status").put("certificate", cert);
    // not approved yet
    Response early = api.put(CSRS + "/sign-me/status", withCert.toString());
    assertThat(early.code()).isEqualTo(422);
    assertThat(early.body().path("message").asText()).contains("status.certificate: Forbidden");
    assertThat(api.put(CSRS + "/sign-me/approval", withCondition(created.body(), "Approved").toString()).code()).isEqualTo(200);
    JsonNode approved = api.get(CSRS + "/sign-me").body();
    ObjectNode issue = approved.deepCopy();
    Json.with(issue, "status").put("certificate", cert);
    // the main resource and /approval ignore status.certificate
    assertThat(api.put(CSRS + "/sign-me", issue.toString()).body().at("/status/certificate").isMissingNode()).isTrue();
    assertThat(api.put(CSRS + "/sign-me/approval", issue.toString()).body().at("/status/certificate").isMissingNode()).isTrue();
    ObjectNode notPem = approved.deepCopy();
    Json.with(notPem, "status").put("certificate", TestCsrs.base64("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    Response wrongBlock = api.put(CSRS + "/sign-me/status", notPem.toString());
    assertThat(wrongBlock.body().path("message").asText()).endsWith(
        "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"PRIVATE KEY\"");
    // alice may write /status but is no signer
    issue.remove("metadata");
    Response refused = as("alice", "PUT", CSRS + "/sign-me/status", issue.toString());
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.body().path("message").asText()).isEqualTo("certificatesigningrequests.certificates.k8s.io \"sign-me\" "
        + "is forbidden: user not permitted to sign requests with signerName \"example.org/foo\"");
    api.create(RBAC + "/clusterroles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"example-signer"},
         "rules":[{"apiGroups":["certificates.k8s.io"],"resources":["signers"],"resourceNames":["example.org/foo"],
           "verbs":["sign"]}]}""");
    bind("example-signer", "alice");
    await().atMost(Duration.ofSeconds(10)).until(() -> as("alice", "PUT", CSRS + "/sign-me/status", issue.toString()).code() == 200);
    assertThat(api.get(CSRS + "/sign-me").body().at("/status/certificate").asText()).isEqualTo(cert);
    // once issued, the certificate stays
    ObjectNode again = api.get(CSRS + "/sign-me").body().deepCopy();
    Json.with(again, "status").put("certificate", TestCsrs.base64(selfSigned()));
    Response modify = api.put(CSRS + "/sign-me/status", again.toString());
    assertThat(modify.body().path("message").asText()).endsWith(
        "status.certificate: Forbidden: updates may not modify existing certificate content");
  }

  @Test
  void kubeApiserverClientSignerMayNotIssueSystemMasters() {
    String masters = TestCsrs.manifest("masters", TestCsrs.request(KEY, "eve", List.of("system:masters")),
        "kubernetes.io/kube-apiserver-client", List.of("client auth"), null);
    Response r = as("alice", "POST", CSRS, masters);
    assertThat(r.code()).isEqualTo(403);
    assertThat(r.body().path("message").asText()).isEqualTo("certificatesigningrequests.certificates.k8s.io \"masters\" is "
        + "forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
    // other signers, and other groups, are fine
    assertThat(as("alice", "POST", CSRS, masters.replace("kube-apiserver-client", "kube-apiserver-client-kubelet")).code())
        .isEqualTo(201);
    String devs = TestCsrs.manifest("devs", TestCsrs.request(KEY, "eve", List.of("devs")),
        "kubernetes.io/kube-apiserver-client", List.of("client auth"), null);
    assertThat(as("alice", "POST", CSRS, devs).code()).isEqualTo(201);
  }

  @Test
  void bootstrapPolicyHasTheCertificateRolesAndKubeadmsBindings() {
    for (String r : List.of("system:node-bootstrapper", "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
        "system:certificates.k8s.io:kube-apiserver-client-approver",
        "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
        "system:certificates.k8s.io:kubelet-serving-approver", "system:certificates.k8s.io:legacy-unknown-approver")) {
      assertThat(api.get(RBAC + "/clusterroles/" + r).code()).as(r).isEqualTo(200);
    }
    assertThat(api.get(RBAC + "/clusterrolebindings/kubeadm:node-autoapprove-bootstrap").body().at("/subjects/0/name").asText())
        .isEqualTo("system:bootstrappers");
    // anonymous may read kube-public/cluster-info, and nothing else there
    api.create("/api/v1/namespaces/kube-public/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cluster-info\"},\"data\":{\"kubeconfig\":\"x\"}}");
    Response info = anonymous("/api/v1/namespaces/kube-public/configmaps/cluster-info");
    assertThat(info.code()).as(info.text()).isEqualTo(200);
    assertThat(anonymous("/api/v1/namespaces/kube-public/configmaps").code()).isEqualTo(403);
  }

  private static Response anonymous(String path) {
    return api.send("GET", path, null, null, Map.of(USER, UserInfo.ANONYMOUS, GROUPS, UserInfo.UNAUTHENTICATED));
  }

  private static String selfSigned() throws Exception {
    Instant now = Instant.now();
    X509CertificateHolder h = new JcaX509v3CertificateBuilder(new X500Name("CN=test"), BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now), Date.from(now.plusSeconds(3600)), new X500Name("CN=test"), KEY.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEY.getPrivate()));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(h);
    }
    return out.toString();
  }

  /** The request with its subject changed after signing ("alice" becomes "alicf"). */
  private static String tamper(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    String latin = new String(der, StandardCharsets.ISO_8859_1);
    der[latin.indexOf("alice") + 4] = 'f';
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
