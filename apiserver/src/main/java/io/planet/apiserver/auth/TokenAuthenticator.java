package io.planet.apiserver.auth;

import java.util.Optional;

/** Authenticates a bearer token (upstream's authenticator.Token): empty when the token is not one it knows. */
public interface TokenAuthenticator {
  Optional<UserInfo> authenticateToken(String token) throws AuthenticationException;
}
