package io.planet.apiserver.auth;

import java.util.List;
import java.util.Optional;

/** Authenticates a bearer token (upstream's authenticator.Token): empty when the token is not one it knows. */
public interface TokenAuthenticator {
  Optional<UserInfo> authenticateToken(String token) throws AuthenticationException;

  /**
   * The token's user when it is valid for one of {@code audiences} (a TokenReview's spec.audiences, or the API
   * server's own). Tokens that carry no audience (static tokens, bootstrap tokens) are valid for all of them, as
   * upstream's audience-agnostic wrapper makes them.
   */
  default Optional<TokenResponse> authenticateToken(String token, List<String> audiences) throws AuthenticationException {
    return authenticateToken(token).map(u -> new TokenResponse(u, audiences));
  }
}
