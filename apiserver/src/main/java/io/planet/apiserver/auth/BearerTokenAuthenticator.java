package io.planet.apiserver.auth;

import java.util.List;
import java.util.Optional;

/**
 * Reads {@code Authorization: Bearer <token>} and asks each token authenticator in turn (upstream's bearertoken
 * authenticator over a union). A header that is not a bearer token, or an empty one, is no credential; a token no
 * authenticator accepts is an error ("invalid bearer token"), so it is refused rather than treated as anonymous.
 */
public final class BearerTokenAuthenticator implements Authenticator, TokenAuthenticator {
  private final List<TokenAuthenticator> tokens;

  public BearerTokenAuthenticator(List<TokenAuthenticator> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  @Override
  public Optional<UserInfo> authenticate(Credentials credentials) throws AuthenticationException {
    String token = token(credentials.authorization());
    if (token == null) return Optional.empty();
    Optional<UserInfo> user = authenticateToken(token);
    if (user.isEmpty()) throw new AuthenticationException("invalid bearer token");
    return user;
  }

  /** The union of the token authenticators: the first that knows the token; errors only if none does. */
  @Override
  public Optional<UserInfo> authenticateToken(String token) throws AuthenticationException {
    AuthenticationException last = null;
    for (TokenAuthenticator t : tokens) {
      try {
        Optional<UserInfo> u = t.authenticateToken(token);
        if (u.isPresent()) return u;
      } catch (AuthenticationException e) {
        last = e;
      }
    }
    if (last != null) throw last;
    return Optional.empty();
  }

  @Override
  public Optional<TokenResponse> authenticateToken(String token, List<String> audiences) throws AuthenticationException {
    AuthenticationException last = null;
    for (TokenAuthenticator t : tokens) {
      try {
        Optional<TokenResponse> r = t.authenticateToken(token, audiences);
        if (r.isPresent()) return r;
      } catch (AuthenticationException e) {
        last = e;
      }
    }
    if (last != null) throw last;
    return Optional.empty();
  }

  /** The token of a "Bearer" header (scheme case-insensitive), or null when there is none; split as upstream does. */
  static String token(String header) {
    String[] parts = header.trim().split(" ", 3);
    if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer")) return null;
    // "Bearer  x" (two spaces) carries an empty token: no credential, as upstream
    return parts[1].isEmpty() ? null : parts[1];
  }
}
