package io.planet.apiserver.auth;

import java.util.Optional;

/**
 * One way of authenticating a request (upstream's authenticator.Request): empty when the request carries none of
 * the credentials this authenticator reads, an exception when it carries them and they are invalid.
 */
public interface Authenticator {
  Optional<UserInfo> authenticate(Credentials credentials) throws AuthenticationException;
}
