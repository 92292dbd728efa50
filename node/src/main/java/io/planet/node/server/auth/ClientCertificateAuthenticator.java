package io.planet.node.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Client certificates verified against the --client-ca-file bundle (chain, validity, client-auth usage): the common
 * name is the user, each organization a group, as upstream's x509 authenticator with CommonNameUserConversion.
 */
public final class ClientCertificateAuthenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final List<X509Certificate> authorities;
  private final Set<TrustAnchor> anchors = new HashSet<>();
  private final Clock clock;

  public ClientCertificateAuthenticator(List<X509Certificate> authorities, Clock clock) {
    if (authorities.isEmpty()) throw new IllegalArgumentException("the client CA bundle holds no certificate");
    this.authorities = List.copyOf(authorities);
    for (X509Certificate ca : authorities) anchors.add(new TrustAnchor(ca, null));
    this.clock = clock;
  }

  /** Reads a PEM bundle (one or more certificates), as --client-ca-file. */
  public static List<X509Certificate> readBundle(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
      if (out.isEmpty()) throw new IOException(file + " holds no certificate");
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the CA bundle " + file + ": " + e.getMessage(), e);
    }
  }

  /** The CAs, for the server to name as acceptable issuers during the handshake (as Go's tls.Config.ClientCAs). */
  public List<X509Certificate> authorities() {
    return authorities;
  }

  /** Empty without a certificate; the user when {@code chain} (leaf first) is valid; an exception otherwise. */
  public Optional<KubeletUser> authenticate(List<X509Certificate> chain) throws AuthenticationException {
    if (chain.isEmpty()) return Optional.empty();
    X509Certificate leaf = chain.get(0);
    Date now = Date.from(clock.instant());
    try {
      leaf.checkValidity(now);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new AuthenticationException("x509: certificate has expired or is not yet valid: current time " + clock.instant()
          + " is outside " + leaf.getNotBefore().toInstant() + " – " + leaf.getNotAfter().toInstant());
    }
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
        throw new AuthenticationException("x509: certificate specifies an incompatible key usage");
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(now);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    } catch (CertPathValidatorException e) {
      throw new AuthenticationException("x509: certificate signed by unknown authority (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new AuthenticationException("x509: " + e.getMessage(), e);
    }
    String user = attribute(leaf.getSubjectX500Principal(), "CN").stream().findFirst().orElse("");
    if (user.isEmpty()) throw new AuthenticationException("x509: certificate has no common name");
    return Optional.of(new KubeletUser(user, "", attribute(leaf.getSubjectX500Principal(), "O"), Map.of()));
  }

  /** Every value of one attribute of a distinguished name, in encoding order (LdapName lists RDNs that way). */
  static List<String> attribute(X500Principal principal, String type) {
    List<String> out = new ArrayList<>();
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
        if (rdn.getType().equalsIgnoreCase(type)) out.add(String.valueOf(rdn.getValue()));
      }
    } catch (javax.naming.InvalidNameException e) {
      return List.of();
    }
    return out;
  }
}
