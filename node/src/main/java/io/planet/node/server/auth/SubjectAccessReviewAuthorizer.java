package io.planet.node.server.auth;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Upstream's --authorization-mode=Webhook: each request's attributes sent to the API server as a
 * SubjectAccessReview; "allowed" answers cached for the authorized TTL (5 min), the others for the unauthorized
 * TTL (30 s). Errors reaching the API server are not cached.
 */
public final class SubjectAccessReviewAuthorizer {
  /** Everything the answer depends on. */
  private record Key(String user, String uid, List<String> groups, Map<String, List<String>> extra, String verb,
      String subresource, String name) {}

  private final KubernetesClient client;
  private final Duration authorizedTtl;
  private final Duration unauthorizedTtl;
  private final ExpiringCache<Key, Boolean> cache;

  public SubjectAccessReviewAuthorizer(KubernetesClient client, Duration authorizedTtl, Duration unauthorizedTtl,
      Clock clock) {
    this.client = client;
    this.authorizedTtl = authorizedTtl;
    this.unauthorizedTtl = unauthorizedTtl;
    this.cache = new ExpiringCache<>(clock, 10_000);
  }

  /** Whether the API server allows it; throws when it cannot be asked. */
  public boolean allowed(RequestAttributes a) throws AuthorizationException {
    KubeletUser u = a.user();
    Key key = new Key(u.name(), u.uid(), u.groups(), u.extra(), a.verb(), a.subresource(), a.name());
    Boolean cached = cache.get(key);
    if (cached != null) return cached;
    SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
        .withUser(u.name()).withUid(u.uid().isEmpty() ? null : u.uid()).withGroups(u.groups())
        .withExtra(u.extra().isEmpty() ? null : u.extra())
        .withNewResourceAttributes().withNamespace("").withVerb(a.verb()).withGroup("").withVersion("v1")
          .withResource(a.resource()).withSubresource(a.subresource()).withName(a.name()).endResourceAttributes()
        .endSpec().build();
    SubjectAccessReview answer;
    try {
      answer = client.authorization().v1().subjectAccessReview().create(review);
    } catch (KubernetesClientException e) {
      throw new AuthorizationException("SubjectAccessReview failed: " + e.getMessage(), e);
    }
    boolean allowed = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    cache.put(key, allowed, allowed ? authorizedTtl : unauthorizedTtl);
    return allowed;
  }

  /** The API server could not be asked. */
  public static final class AuthorizationException extends Exception {
    AuthorizationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
