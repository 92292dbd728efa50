package io.planet.api.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Requester;
import io.planet.api.ResourceType;
import io.planet.api.tls.Pkcs10;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CertificateSigningRequest rules without a server: request checks, signer names, the three update paths. */
class CertificateSigningRequestStrategyTest {
  private static final ResourceType CSRS = StrategyTestSupport.type("certificates.k8s.io", "v1", "certificatesigningrequests");
  private static final CertificateSigningRequestStrategy STRATEGY = (CertificateSigningRequestStrategy) CSRS.strategy();

  private static String resource(String name) {
    try (InputStream in = CertificateSigningRequestStrategyTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static ObjectNode csr(String pem, String signer) {
    ObjectNode o = Json.object();
    o.put("apiVersion", "certificates.k8s.io/v1").put("kind", "CertificateSigningRequest");
    o.putObject("metadata").put("name", "c");
    ObjectNode spec = o.putObject("spec");
    spec.put("request", b64(pem)).put("signerName", signer);
    spec.putArray("usages").add("digital signature").add("client auth");
    return o;
  }

  private static List<String> messages(List<FieldError> errors) {
    return errors.stream().map(FieldError::message).toList();
  }

  private static List<String> create(ObjectNode obj) {
    return messages(StrategyTestSupport.create(CSRS, obj));
  }

  @Test
  void rsaAndEd25519RequestsVerifyAndTamperedOnesDoNot() {
    String rsa = resource("rsa-node-csr.pem");
    Pkcs10.verify(rsa.getBytes(StandardCharsets.US_ASCII));
    Pkcs10.verify(resource("ed25519-csr.pem").getBytes(StandardCharsets.US_ASCII));
    assertThat(create(csr(rsa, "example.com/signer"))).isEmpty();
    // one character of the subject changed after signing ("n1" → "n2")
    byte[] der = Base64.getMimeDecoder().decode(rsa.replaceAll("-----[A-Z ]+-----", ""));
    String latin = new String(der, StandardCharsets.ISO_8859_1);
    der[latin.indexOf("system:node:n1") + 13] = '2';
    String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    List<String> errors = create(csr(tampered, "example.com/signer"));
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).startsWith("spec.request: Invalid value: []byte{0x2d, 0x2d, 0x2d")
        .endsWith(": crypto/rsa: verification error");
    assertThat(create(csr(resource("self-signed.crt"), "example.com/signer")).get(0))
        .endsWith(": PEM block type must be CERTIFICATE REQUEST");
  }

  @Test
  void goByteSliceRendering() {
    assertThat(CertificateSigningRequestStrategy.goBytes(new byte[] {0x0a, (byte) 0xff})).isEqualTo("[]byte{0xa, 0xff}");
    assertThat(CertificateSigningRequestStrategy.goBytes(new byte[0])).isEqualTo("[]byte{}");
  }

  @Test
  void signerNamesAsUpstream() {
    assertThat(messages(CertificateSigningRequestStrategy.signerName("f", "example.com/a.b-c"))).isEmpty();
    assertThat(messages(CertificateSigningRequestStrategy.signerName("f", ""))).containsExactly("f: Required value");
    assertThat(messages(CertificateSigningRequestStrategy.signerName("f", "a/b/c"))).containsExactly(
        "f: Invalid value: \"a/b/c\": must be a fully qualified domain and path of the form 'example.com/signer-name'");
    assertThat(messages(CertificateSigningRequestStrategy.signerName("f", "Example.com/x"))).containsExactly(
        "f: Invalid value: \"Example.com\": validating label \"Example\": a lowercase RFC 1123 label must consist of lower "
            + "case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
            + "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    assertThat(messages(CertificateSigningRequestStrategy.signerName("f", "example.com/"))).hasSize(1)
        .allMatch(m -> m.startsWith("f: Invalid value: \"\": validating label \"\": a lowercase RFC 1123 subdomain"));
  }

  @Test
  void createRecordsTheRequesterAndClearsStatus() {
    ObjectNode o = csr(resource("rsa-node-csr.pem"), "example.com/signer");
    ((ObjectNode) o.get("spec")).put("username", "mallory");
    o.putObject("status").put("certificate", "eA==");
    STRATEGY.prepareForCreate(CSRS, o, new Requester("system:bootstrap:abcdef", "", List.of("system:bootstrappers"), Map.of()));
    assertThat(o.at("/spec/username").asText()).isEqualTo("system:bootstrap:abcdef");
    assertThat(o.at("/spec/groups/0").asText()).isEqualTo("system:bootstrappers");
    assertThat(o.has("/spec/uid")).isFalse();
    assertThat(o.get("status").toString()).isEqualTo("{}");
  }

  private static ObjectNode withConditions(ObjectNode o, String... types) {
    ObjectNode c = o.deepCopy();
    ArrayNode conds = Json.with(c, "status").putArray("conditions");
    for (String t : types) conds.addObject().put("type", t).put("status", "True").put("reason", "R" + t);
    return c;
  }

  private static List<String> update(String sub, ObjectNode next, ObjectNode old) {
    ObjectNode obj = next.deepCopy();
    if (sub.isEmpty()) STRATEGY.prepareForUpdate(CSRS, obj, old);
    else STRATEGY.prepareForSubresourceUpdate(CSRS, sub, obj, old);
    List<FieldError> errors = new ArrayList<>();
    STRATEGY.validateUpdate(CSRS, sub, obj, old, errors);
    return messages(errors);
  }

  @Test
  void approvalConditionsOnlyThroughApprovalAndNeverRemoved() {
    ObjectNode stored = csr(resource("rsa-node-csr.pem"), "example.com/signer");
    stored.putObject("status");
    assertThat(update("approval", withConditions(stored, "Approved"), stored)).isEmpty();
    assertThat(update("status", withConditions(stored, "Approved"), stored))
        .containsExactly("status.conditions: Forbidden: updates may not add a condition of type \"Approved\"");
    ObjectNode approved = withConditions(stored, "Approved");
    ObjectNode prepared = withConditions(stored, "Approved");
    STRATEGY.prepareForSubresourceUpdate(CSRS, "approval", prepared, stored);
    assertThat(prepared.at("/status/conditions/0/lastUpdateTime").asText()).isNotEmpty();
    assertThat(prepared.at("/status/conditions/0/lastTransitionTime").asText()).isNotEmpty();
    assertThat(prepared.at("/status/conditions/0/reason").asText()).isEqualTo("RApproved");
    assertThat(update("approval", withConditions(stored, "Approved", "Denied"), approved))
        .containsExactly("status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive");
    assertThat(update("approval", stored, approved))
        .containsExactly("status.conditions: Forbidden: updates may not remove a condition of type \"Approved\"");
    // the main resource keeps spec and status as stored
    ObjectNode changed = withConditions(stored, "Denied");
    ((ObjectNode) changed.get("spec")).put("signerName", "example.com/other");
    ObjectNode obj = changed.deepCopy();
    STRATEGY.prepareForUpdate(CSRS, obj, approved);
    assertThat(obj.get("spec")).isEqualTo(approved.get("spec"));
    assertThat(obj.get("status")).isEqualTo(approved.get("status"));
  }

  @Test
  void certificateOnlyThroughStatusOnceApproved() {
    ObjectNode stored = csr(resource("rsa-node-csr.pem"), "example.com/signer");
    // as stored after /approval: with its timestamps
    ObjectNode approved = withConditions(stored, "Approved");
    STRATEGY.prepareForSubresourceUpdate(CSRS, "approval", approved, stored);
    ObjectNode issued = approved.deepCopy();
    Json.with(issued, "status").put("certificate", b64(resource("self-signed.crt")));
    assertThat(update("status", issued, approved)).isEmpty();
    ObjectNode early = stored.deepCopy();
    Json.with(early, "status").put("certificate", b64(resource("self-signed.crt")));
    assertThat(update("status", early, stored)).containsExactly(
        "status.certificate: Forbidden: a certificate may only be set on a request with an Approved and no Failed condition");
    ObjectNode garbage = approved.deepCopy();
    Json.with(garbage, "status").put("certificate", b64("hello"));
    assertThat(update("status", garbage, approved)).containsExactly(
        "status.certificate: Invalid value: \"<certificate data>\": must contain at least one CERTIFICATE PEM block");
  }
}
