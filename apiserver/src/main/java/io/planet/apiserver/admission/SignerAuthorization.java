package io.planet.apiserver.admission;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;

/**
 * Upstream's certificates.IsAuthorizedForSignerName: a verb (approve, sign) on resource {@code signers} of
 * certificates.k8s.io named after the signer, or after its domain with {@code /*}.
 */
final class SignerAuthorization {
  private SignerAuthorization() {}

  static boolean allowed(Authorizer authorizer, UserInfo user, String verb, String signerName) {
    if (authorizer.authorize(attributes(user, verb, signerName)).allowed()) return true;
    int slash = signerName.indexOf('/');
    String domain = slash < 0 ? signerName : signerName.substring(0, slash);
    return authorizer.authorize(attributes(user, verb, domain + "/*")).allowed();
  }

  private static AuthorizationAttributes attributes(UserInfo user, String verb, String name) {
    return AuthorizationAttributes.resource(user, verb, "certificates.k8s.io", "*", "signers", "", "", name);
  }

  static boolean isCsr(AdmissionAttributes a, String subresource) {
    return a.type().group().equals("certificates.k8s.io") && a.type().plural().equals("certificatesigningrequests")
        && a.subresource().equals(subresource);
  }

  static String signerName(AdmissionAttributes a) {
    return (a.object() != null ? a.object() : a.oldObject()).path("spec").path("signerName").asText("");
  }
}
