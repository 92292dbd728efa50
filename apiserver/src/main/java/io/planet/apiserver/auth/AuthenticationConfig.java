package io.planet.apiserver.auth;

import java.nio.file.Path;

/**
 * How the API server authenticates requests (upstream's --client-ca-file, --token-auth-file, --anonymous-auth).
 *
 * @param clientCaFile CA certificates (PEM) client certificates must be signed by; null: client certificates are
 *     not read
 * @param tokenAuthFile static bearer tokens (CSV); null: none
 * @param anonymousAuth whether a request without credentials proceeds as system:anonymous (upstream's default,
 *     true); when false it gets 401
 */
public record AuthenticationConfig(Path clientCaFile, Path tokenAuthFile, boolean anonymousAuth) {
  /** No authenticators: every request is anonymous (the plain-HTTP development server). */
  public static AuthenticationConfig anonymousOnly() {
    return new AuthenticationConfig(null, null, true);
  }

  public AuthenticationConfig withTokenAuthFile(Path file) {
    return new AuthenticationConfig(clientCaFile, file, anonymousAuth);
  }

  public AuthenticationConfig withAnonymousAuth(boolean enabled) {
    return new AuthenticationConfig(clientCaFile, tokenAuthFile, enabled);
  }
}
