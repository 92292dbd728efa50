package io.planet.apiserver.admission;

import io.planet.apiserver.auth.Authorizer;

/** Upstream's CertificateSigning: changing a CSR's status.certificate through /status needs {@code sign} on its signer. */
final class CertificateSigning implements AdmissionPlugin {
  private final Authorizer authorizer;

  CertificateSigning(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  public String name() {
    return AdmissionPlugins.CERTIFICATE_SIGNING;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.operation().equals(AdmissionAttributes.UPDATE) || !SignerAuthorization.isCsr(a, "status")) return;
    String cert = a.object().path("status").path("certificate").asText("");
    String oldCert = a.oldObject().path("status").path("certificate").asText("");
    if (cert.equals(oldCert)) return;
    String signer = a.oldObject().path("spec").path("signerName").asText("");
    if (!SignerAuthorization.allowed(authorizer, a.user(), "sign", signer)) {
      throw a.forbidden("user not permitted to sign requests with signerName \"" + signer + "\"");
    }
  }
}
