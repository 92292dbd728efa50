package io.planet.apiserver.auth;

import io.planet.apiserver.auth.bootstrap.BootstrapTokenAuthenticator;
import io.planet.apiserver.auth.serviceaccount.ObjectGetter;
import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenAuthenticator;
import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import io.planet.apiserver.pki.PemFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The authenticator chain (upstream's union + authenticated-group adder + anonymous fallback): the first
 * authenticator that recognises the request's credentials decides; a request that presented credentials none
 * accepted is refused (an invalid token or certificate never becomes anonymous); one that presented none is
 * system:anonymous when anonymous auth is on. Authenticated users also get the group system:authenticated.
 */
public final class RequestAuthentication {
  private final List<Authenticator> authenticators;
  private final TokenAuthenticator tokens;
  private final boolean anonymous;

  public RequestAuthentication(List<Authenticator> authenticators, TokenAuthenticator tokens, boolean anonymous) {
    this.authenticators = List.copyOf(authenticators);
    this.tokens = tokens;
    this.anonymous = anonymous;
  }

  /** The chain a configuration describes; reads its files now, so a bad file stops the server at start. */
  public static RequestAuthentication from(AuthenticationConfig config, Clock clock) throws IOException {
    return from(config, clock, null);
  }

  /**
   * As {@link #from(AuthenticationConfig, Clock)}, with the objects service-account and bootstrap tokens are checked
   * against (read at request time only); null leaves those two authenticators out.
   */
  public static RequestAuthentication from(AuthenticationConfig config, Clock clock, ObjectGetter objects) throws IOException {
    List<Authenticator> chain = new ArrayList<>();
    if (config.clientCaFile() != null) chain.add(new X509Authenticator(readCertificates(config), clock));
    List<TokenAuthenticator> tokenAuthenticators = new ArrayList<>();
    if (config.tokenAuthFile() != null) tokenAuthenticators.add(TokenFile.read(config.tokenAuthFile()));
    ServiceAccountTokenOptions sa = config.serviceAccounts();
    if (sa != null && objects != null) {
      List<PublicKey> keys = new ArrayList<>();
      for (Path f : sa.keyFiles()) keys.add(PemFiles.readPublicKey(f));
      tokenAuthenticators.add(new ServiceAccountTokenAuthenticator(List.of(sa.issuer()), keys, sa.apiAudiences(), objects, clock));
    }
    if (config.bootstrapTokens() && objects != null) tokenAuthenticators.add(new BootstrapTokenAuthenticator(objects, clock));
    BearerTokenAuthenticator bearer = new BearerTokenAuthenticator(tokenAuthenticators);
    chain.add(bearer);
    return new RequestAuthentication(chain, bearer, config.anonymousAuth());
  }

  private static List<X509Certificate> readCertificates(AuthenticationConfig config) throws IOException {
    try {
      List<X509Certificate> out = new ArrayList<>();
      byte[] pem = Files.readAllBytes(config.clientCaFile());
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) throw new IOException("--client-ca-file " + config.clientCaFile() + " holds no certificate");
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read --client-ca-file " + config.clientCaFile() + ": " + e.getMessage(), e);
    }
  }

  public UserInfo authenticate(Credentials credentials) throws AuthenticationException {
    AuthenticationException first = null;
    for (Authenticator a : authenticators) {
      try {
        Optional<UserInfo> user = a.authenticate(credentials);
        if (user.isPresent()) return authenticated(user.get());
      } catch (AuthenticationException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
    if (anonymous) return UserInfo.anonymous();
    throw new AuthenticationException("no credentials");
  }

  /** What TokenReview answers for a token: the user it authenticates as, empty when no authenticator knows it. */
  public Optional<UserInfo> authenticateToken(String token) throws AuthenticationException {
    return tokens.authenticateToken(token).map(RequestAuthentication::authenticated);
  }

  /** The token's user and the requested audiences it is valid for (TokenReview with spec.audiences). */
  public Optional<TokenResponse> authenticateToken(String token, List<String> audiences) throws AuthenticationException {
    return tokens.authenticateToken(token, audiences).map(r -> new TokenResponse(authenticated(r.user()), r.audiences()));
  }

  private static UserInfo authenticated(UserInfo u) {
    if (u.inGroup(UserInfo.AUTHENTICATED)) return u;
    List<String> groups = new ArrayList<>(u.groups());
    groups.add(UserInfo.AUTHENTICATED);
    return new UserInfo(u.name(), u.uid(), groups, u.extra());
  }
}
