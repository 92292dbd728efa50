package io.planet.node.server.auth;

/** Credentials were presented but are not valid (or could not be checked): the request gets 401, never anonymous. */
public final class AuthenticationException extends Exception {
  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
