package io.planet.apiserver.auth;

import io.planet.apiserver.pki.Subjects;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Client certificates signed by the cluster CA: CN is the user name, each O a group (upstream's x509 authenticator
 * with CommonNameUserConversion). A certificate that is expired, not yet valid, not for client authentication or not
 * signed by the CA is an error, so the request gets 401 rather than falling back to anonymous.
 */
public final class X509Authenticator implements Authenticator {
  private final List<X509Certificate> authorities;
  private final Clock clock;

  public X509Authenticator(List<X509Certificate> authorities, Clock clock) {
    this.authorities = List.copyOf(authorities);
    this.clock = clock;
  }

  @Override
  public Optional<UserInfo> authenticate(Credentials credentials) throws AuthenticationException {
    if (credentials.clientCertificates().isEmpty()) return Optional.empty();
    X509Certificate leaf = credentials.clientCertificates().get(0);
    verify(leaf);
    String user = Subjects.commonName(leaf);
    if (user.isEmpty()) throw new AuthenticationException("x509: certificate has no common name");
    return Optional.of(UserInfo.of(user, Subjects.organizations(leaf)));
  }

  private void verify(X509Certificate leaf) throws AuthenticationException {
    Date now = Date.from(clock.instant());
    if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
      throw new AuthenticationException("x509: certificate has expired or is not yet valid: current time "
          + clock.instant() + " is outside " + leaf.getNotBefore().toInstant() + " – " + leaf.getNotAfter().toInstant());
    }
    if (!Subjects.clientAuth(leaf)) {
      throw new AuthenticationException("x509: certificate specifies an incompatible key usage");
    }
    for (X509Certificate ca : authorities) {
      if (!ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) continue;
      if (now.after(ca.getNotAfter()) || now.before(ca.getNotBefore())) continue;
      try {
        leaf.verify(ca.getPublicKey());
        return;
      } catch (GeneralSecurityException e) {
        // another CA with the same name: keep looking
      }
    }
    throw new AuthenticationException("x509: certificate signed by unknown authority");
  }
}
