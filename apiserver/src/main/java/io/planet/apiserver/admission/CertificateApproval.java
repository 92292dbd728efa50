package io.planet.apiserver.admission;

import io.planet.apiserver.auth.Authorizer;

/** Upstream's CertificateApproval: writing a CSR's /approval needs {@code approve} on its signer. */
final class CertificateApproval implements AdmissionPlugin {
  private final Authorizer authorizer;

  CertificateApproval(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  public String name() {
    return AdmissionPlugins.CERTIFICATE_APPROVAL;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.operation().equals(AdmissionAttributes.UPDATE) || !SignerAuthorization.isCsr(a, "approval")) return;
    String signer = SignerAuthorization.signerName(a);
    if (!SignerAuthorization.allowed(authorizer, a.user(), "approve", signer)) {
      throw a.forbidden("user not permitted to approve requests with signerName \"" + signer + "\"");
    }
  }
}
