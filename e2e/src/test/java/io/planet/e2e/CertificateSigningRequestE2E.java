package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.apiserver.testing.TestCsrs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CertificateSigningRequests as fabric8 and kubectl users see them: create, get, approve, deny, describe. */
class CertificateSigningRequestE2E {
  private static TestApiServer server;
  private static KubernetesClient client;
  private static Kubectl kubectl;
  private static final KeyPair KEY = TestCsrs.ecKey();

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    server = new TestApiServer();
    client = Fabric8.client(server);
    Path work = Files.createTempDirectory("planet-csr-e2e-");
    kubectl = new Kubectl(installed.get(0), server.writeKubeconfig(work), work);
  }

  @AfterAll
  static void stop() {
    if (client != null) client.close();
    if (server != null) server.close();
  }

  private static CertificateSigningRequest create(String name, String cn, Integer expirationSeconds) {
    return client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withRequest(TestCsrs.base64(TestCsrs.request(KEY, cn, List.of("devs"))))
        .withSignerName("example.com/e2e").withUsages("digital signature", "client auth")
        .withExpirationSeconds(expirationSeconds).endSpec().build()).create();
  }

  @Test
  void approveDenyAndListWithKubectl() {
    create("e2e-approve", "alice", 3600);
    create("e2e-deny", "bob", null);
    String table = kubectl.run("get", "csr").assertSuccess().stdout();
    assertThat(table.lines().findFirst().orElseThrow())
        .matches("NAME +AGE +SIGNERNAME +REQUESTOR +REQUESTEDDURATION +CONDITION");
    assertThat(table).containsPattern("e2e-approve +\\S+ +example.com/e2e +\\S+ +60m +Pending")
        .containsPattern("e2e-deny +\\S+ +example.com/e2e +\\S+ +<none> +Pending");

    assertThat(kubectl.run("certificate", "approve", "e2e-approve").assertSuccess().stdout())
        .isEqualTo("certificatesigningrequest.certificates.k8s.io/e2e-approve approved\n");
    assertThat(kubectl.run("certificate", "deny", "e2e-deny").assertSuccess().stdout())
        .isEqualTo("certificatesigningrequest.certificates.k8s.io/e2e-deny denied\n");
    assertThat(kubectl.run("get", "csr", "e2e-approve", "e2e-deny").assertSuccess().stdout())
        .containsPattern("e2e-approve .* Approved\n").containsPattern("e2e-deny .* Denied\n");
    CertificateSigningRequest approved = client.certificates().v1().certificateSigningRequests().withName("e2e-approve").get();
    assertThat(approved.getStatus().getConditions().get(0).getReason()).isEqualTo("KubectlApprove");
    assertThat(approved.getStatus().getConditions().get(0).getLastUpdateTime()).isNotEmpty();

    // a denied request cannot be approved as well (kubectl checks the stored conditions; the API server's own
    // refusal is CertificateSigningRequestIT's)
    assertThat(kubectl.run("certificate", "approve", "e2e-deny").assertFailure().stderr())
        .isEqualTo("error: certificate signing request \"e2e-deny\" is already Denied\n");

    String described = kubectl.run("describe", "csr", "e2e-approve").assertSuccess().stdout();
    assertThat(described).contains("Name:", "e2e-approve", "Signer:", "example.com/e2e", "Requested Duration:  60m",
        "Status:", "Approved", "Subject:", "Common Name:", "alice", "Organization:", "devs");
  }

  @Test
  void fabric8SeesUpstreamValidation() {
    KubernetesClientException e = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
        () -> create("e2e-short", "carol", 60));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage()).isEqualTo("CertificateSigningRequest.certificates.k8s.io \"e2e-short\" is invalid: "
        + "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)");
  }
}
