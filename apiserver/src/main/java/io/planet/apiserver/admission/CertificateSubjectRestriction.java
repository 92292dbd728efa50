package io.planet.apiserver.admission;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Upstream's CertificateSubjectRestriction: a CSR for the kube-apiserver-client signer may not ask for group
 * (organization) system:masters, which would make its holder a cluster admin no RBAC can restrict.
 */
final class CertificateSubjectRestriction implements AdmissionPlugin {
  static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";

  @Override
  public String name() {
    return AdmissionPlugins.CERTIFICATE_SUBJECT_RESTRICTION;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.operation().equals(AdmissionAttributes.CREATE) || !SignerAuthorization.isCsr(a, "")) return;
    String signer = SignerAuthorization.signerName(a);
    if (!signer.equals(KUBE_APISERVER_CLIENT)) return;
    List<String> orgs;
    try {
      orgs = organizations(Base64.getDecoder().decode(a.object().path("spec").path("request").asText("")));
    } catch (IOException | IllegalArgumentException e) {
      throw a.forbidden("failed to parse CSR: " + e.getMessage());
    }
    if (orgs.contains("system:masters")) {
      throw a.forbidden("use of " + signer + " signer with system:masters group is not allowed");
    }
  }

  static List<String> organizations(byte[] pem) throws IOException {
    String text = new String(pem, java.nio.charset.StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN CERTIFICATE REQUEST-----");
    int end = text.indexOf("-----END CERTIFICATE REQUEST-----");
    if (begin < 0 || end < begin) throw new IOException("PEM block type must be CERTIFICATE REQUEST");
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 35, end));
    PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
    return java.util.Arrays.stream(csr.getSubject().getRDNs(BCStyle.O)).map(RDN::getFirst)
        .map(t -> IETFUtils.valueToString(t.getValue())).toList();
  }
}
