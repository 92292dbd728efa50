package io.planet.apiserver.auth;

import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import java.nio.file.Path;

/**
 * How the API server authenticates requests (upstream's --client-ca-file, --token-auth-file, --anonymous-auth,
 * --service-account-* and --enable-bootstrap-token-auth).
 *
 * @param clientCaFile CA certificates (PEM) client certificates must be signed by; null: client certificates are
 *     not read
 * @param tokenAuthFile static bearer tokens (CSV); null: none
 * @param anonymousAuth whether a request without credentials proceeds as system:anonymous (upstream's default,
 *     true); when false it gets 401
 * @param serviceAccounts how service-account tokens are issued (TokenRequest) and verified; null: neither
 * @param bootstrapTokens whether bootstrap tokens (Secrets in kube-system) authenticate
 */
public record AuthenticationConfig(Path clientCaFile, Path tokenAuthFile, boolean anonymousAuth,
    ServiceAccountTokenOptions serviceAccounts, boolean bootstrapTokens) {
  public AuthenticationConfig(Path clientCaFile, Path tokenAuthFile, boolean anonymousAuth) {
    this(clientCaFile, tokenAuthFile, anonymousAuth, null, false);
  }

  /** No authenticators: every request is anonymous (the plain-HTTP development server). */
  public static AuthenticationConfig anonymousOnly() {
    return new AuthenticationConfig(null, null, true);
  }

  public AuthenticationConfig withTokenAuthFile(Path file) {
    return new AuthenticationConfig(clientCaFile, file, anonymousAuth, serviceAccounts, bootstrapTokens);
  }

  public AuthenticationConfig withAnonymousAuth(boolean enabled) {
    return new AuthenticationConfig(clientCaFile, tokenAuthFile, enabled, serviceAccounts, bootstrapTokens);
  }

  public AuthenticationConfig withServiceAccounts(ServiceAccountTokenOptions options) {
    return new AuthenticationConfig(clientCaFile, tokenAuthFile, anonymousAuth, options, bootstrapTokens);
  }

  public AuthenticationConfig withBootstrapTokens(boolean enabled) {
    return new AuthenticationConfig(clientCaFile, tokenAuthFile, anonymousAuth, serviceAccounts, enabled);
  }
}
