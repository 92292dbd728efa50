package io.planet.node.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the kubelet API serves and whom it lets in, as upstream's kubelet flags of the same names.
 *
 * @param tlsCertFile --tls-cert-file: the serving certificate (PEM); null keeps the self-signed one made in the data
 *     directory, as upstream generates one when none is given
 * @param tlsPrivateKeyFile --tls-private-key-file: its key (PEM, PKCS#8)
 * @param clientCaFile --client-ca-file: CA bundle client certificates are verified against; null disables X.509
 *     authentication
 * @param anonymousAuth --anonymous-auth: requests without credentials are system:anonymous (else 401)
 * @param tokenWebhook --authentication-token-webhook: bearer tokens are checked with a TokenReview
 * @param tokenCacheTtl --authentication-token-webhook-cache-ttl (upstream: 2m)
 * @param authorizationMode --authorization-mode: AlwaysAllow or Webhook (a SubjectAccessReview per request)
 * @param authorizedTtl --authorization-webhook-cache-authorized-ttl (upstream: 5m)
 * @param unauthorizedTtl --authorization-webhook-cache-unauthorized-ttl (upstream: 30s)
 */
public record KubeletServerConfig(
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    Path clientCaFile,
    boolean anonymousAuth,
    boolean tokenWebhook,
    Duration tokenCacheTtl,
    String authorizationMode,
    Duration authorizedTtl,
    Duration unauthorizedTtl) {
  public static final String ALWAYS_ALLOW = "AlwaysAllow";
  public static final String WEBHOOK = "Webhook";
  public static final Duration TOKEN_CACHE_TTL = Duration.ofMinutes(2);
  public static final Duration AUTHORIZED_TTL = Duration.ofMinutes(5);
  public static final Duration UNAUTHORIZED_TTL = Duration.ofSeconds(30);

  public KubeletServerConfig {
    if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
      throw new IllegalArgumentException("--tls-cert-file and --tls-private-key-file go together");
    }
    if (authorizationMode == null) authorizationMode = ALWAYS_ALLOW;
    if (!authorizationMode.equals(ALWAYS_ALLOW) && !authorizationMode.equals(WEBHOOK)) {
      throw new IllegalArgumentException("unknown authorization mode \"" + authorizationMode + "\": want "
          + ALWAYS_ALLOW + " or " + WEBHOOK);
    }
    if (tokenCacheTtl == null) tokenCacheTtl = TOKEN_CACHE_TTL;
    if (authorizedTtl == null) authorizedTtl = AUTHORIZED_TTL;
    if (unauthorizedTtl == null) unauthorizedTtl = UNAUTHORIZED_TTL;
  }

  /**
   * Upstream's command-line defaults: the self-signed certificate, everyone (anonymous included) allowed everything.
   * Only for development and tests on a trusted host.
   */
  public static KubeletServerConfig open() {
    return new KubeletServerConfig(null, null, null, true, false, null, ALWAYS_ALLOW, null, null);
  }

  /**
   * What kubeadm configures (and upstream's KubeletConfiguration defaults): certificates from {@code clientCaFile},
   * bearer tokens through TokenReview, no anonymous requests, every request authorized by a SubjectAccessReview.
   * {@code tlsCertFile}/{@code tlsPrivateKeyFile} may be null for the self-signed serving certificate.
   */
  public static KubeletServerConfig secured(Path tlsCertFile, Path tlsPrivateKeyFile, Path clientCaFile) {
    return new KubeletServerConfig(tlsCertFile, tlsPrivateKeyFile, clientCaFile, false, true, null, WEBHOOK, null, null);
  }
}
