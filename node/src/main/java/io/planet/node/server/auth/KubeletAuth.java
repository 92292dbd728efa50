package io.planet.node.server.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.server.KubeletServerConfig;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the kubelet API, as upstream's kubelet auth filter decides: authenticate (client certificate, then
 * bearer token; anonymous only when allowed and no credentials were presented at all), then authorize the request's
 * {@link RequestAttributes}. The answer is an HTTP status and upstream's words for it.
 */
public final class KubeletAuth {
  private static final Logger log = LoggerFactory.getLogger(KubeletAuth.class);

  /** The decision: 200 with the user to go ahead, else the status and body to answer with. */
  public record Decision(int status, String message, KubeletUser user) {
    public boolean allowed() {
      return status == 200;
    }
  }

  private final String nodeName;
  private final ClientCertificateAuthenticator certificates;
  private final TokenReviewAuthenticator tokens;
  private final boolean anonymous;
  private final SubjectAccessReviewAuthorizer webhook;

  public KubeletAuth(String nodeName, ClientCertificateAuthenticator certificates, TokenReviewAuthenticator tokens,
      boolean anonymous, SubjectAccessReviewAuthorizer webhook) {
    this.nodeName = nodeName;
    this.certificates = certificates;
    this.tokens = tokens;
    this.anonymous = anonymous;
    this.webhook = webhook;
  }

  /** The checks {@code config} asks for; TokenReviews and SubjectAccessReviews go through {@code client}. */
  public static KubeletAuth from(KubeletServerConfig config, String nodeName, KubernetesClient client) throws IOException {
    Clock clock = Clock.systemUTC();
    ClientCertificateAuthenticator certs = config.clientCaFile() == null ? null
        : new ClientCertificateAuthenticator(ClientCertificateAuthenticator.readBundle(config.clientCaFile()), clock);
    TokenReviewAuthenticator tokens = config.tokenWebhook() ? new TokenReviewAuthenticator(client, config.tokenCacheTtl(), clock) : null;
    SubjectAccessReviewAuthorizer webhook = config.authorizationMode().equals(KubeletServerConfig.WEBHOOK)
        ? new SubjectAccessReviewAuthorizer(client, config.authorizedTtl(), config.unauthorizedTtl(), clock) : null;
    return new KubeletAuth(nodeName, certs, tokens, config.anonymousAuth(), webhook);
  }

  /** The client CAs to name in the TLS handshake; empty when client certificates are not checked. */
  public List<X509Certificate> clientAuthorities() {
    return certificates == null ? List.of() : certificates.authorities();
  }

  /**
   * Decides one request. Blocks while the API server is asked (TokenReview, SubjectAccessReview): call it off the
   * event loop.
   */
  public Decision decide(List<X509Certificate> clientChain, String bearerToken, String method, String path) {
    KubeletUser user;
    try {
      user = authenticate(clientChain, bearerToken);
    } catch (AuthenticationException e) {
      log.info("kubelet API: unable to authenticate {} {}: {}", method, path, e.getMessage());
      return new Decision(401, "Unauthorized", null);
    }
    if (user == null) return new Decision(401, "Unauthorized", null);
    RequestAttributes attrs = RequestAttributes.of(user, method, path, nodeName);
    if (webhook == null) return new Decision(200, "", user);
    try {
      if (webhook.allowed(attrs)) return new Decision(200, "", user);
      log.debug("kubelet API: {}", attrs.forbidden());
      return new Decision(403, attrs.forbidden(), user);
    } catch (SubjectAccessReviewAuthorizer.AuthorizationException e) {
      log.warn("kubelet API: {}: {}", attrs.authorizationError(), e.getMessage());
      return new Decision(500, attrs.authorizationError(), user);
    }
  }

  /**
   * The user, or null when nothing was presented and anonymous requests are off. A client certificate that fails,
   * with no valid token beside it, is an error (401), as upstream's union of authenticators fails on error before
   * falling back to anonymous.
   */
  private KubeletUser authenticate(List<X509Certificate> chain, String token) throws AuthenticationException {
    AuthenticationException failure = null;
    if (certificates != null && !chain.isEmpty()) {
      try {
        Optional<KubeletUser> u = certificates.authenticate(chain);
        if (u.isPresent()) return u.get().authenticated();
      } catch (AuthenticationException e) {
        failure = e;
      }
    }
    if (tokens != null && token != null) {
      try {
        Optional<KubeletUser> u = tokens.authenticate(token);
        if (u.isPresent()) return u.get().authenticated();
      } catch (AuthenticationException e) {
        if (failure == null) failure = e;
      }
    }
    if (failure != null) throw failure;
    return anonymous ? KubeletUser.anonymous() : null;
  }
}
