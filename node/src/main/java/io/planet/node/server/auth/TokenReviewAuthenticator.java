package io.planet.node.server.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Bearer tokens checked by the API server with a TokenReview (upstream's --authentication-token-webhook), answers
 * cached for --authentication-token-webhook-cache-ttl, keyed by the token's hash. Errors reaching the API server are
 * not cached: the next request asks again.
 */
public final class TokenReviewAuthenticator {
  /** An answer of the API server: the user, or null for "not authenticated" (with its reason). */
  private record Answer(KubeletUser user, String error) {}

  private final KubernetesClient client;
  private final Duration ttl;
  private final ExpiringCache<String, Answer> cache;

  public TokenReviewAuthenticator(KubernetesClient client, Duration ttl, Clock clock) {
    this.client = client;
    this.ttl = ttl;
    this.cache = new ExpiringCache<>(clock, 10_000);
  }

  public Optional<KubeletUser> authenticate(String token) throws AuthenticationException {
    String key = sha256(token);
    Answer a = cache.get(key);
    if (a == null) {
      a = review(token);
      cache.put(key, a, ttl);
    }
    if (a.user() == null) throw new AuthenticationException("token not authenticated" + (a.error().isEmpty() ? "" : ": " + a.error()));
    return Optional.of(a.user());
  }

  private Answer review(String token) throws AuthenticationException {
    TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
    TokenReview answer;
    try {
      answer = client.authentication().v1().tokenReviews().create(review);
    } catch (KubernetesClientException e) {
      throw new AuthenticationException("TokenReview failed: " + e.getMessage(), e);
    }
    var status = answer.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
      return new Answer(null, status == null || status.getError() == null ? "" : status.getError());
    }
    UserInfo u = status.getUser();
    return new Answer(new KubeletUser(u.getUsername(), u.getUid(), u.getGroups() == null ? List.of() : u.getGroups(),
        u.getExtra()), "");
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
