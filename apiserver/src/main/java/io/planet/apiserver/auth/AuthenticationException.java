package io.planet.apiserver.auth;

/** Credentials were presented and are not valid (as opposed to no credentials at all). */
public final class AuthenticationException extends Exception {
  public AuthenticationException(String message) {
    super(message);
  }
}
