package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's token manager: service-account tokens for projected {@code serviceAccountToken} sources, requested
 * through TokenRequest bound to the pod and kept until 80 % of their lifetime (or 24 h) has passed, as upstream's
 * kubelet refreshes them, so the 30-second volume refresh does not ask the API server each time.
 */
final class ServiceAccountTokens {
  static final Duration MAX_AGE = Duration.ofHours(24);
  private static final long DEFAULT_EXPIRATION_SECONDS = 3600;

  private record Key(String podUid, String serviceAccount, String audience, long expirationSeconds) {}

  private record Issued(String token, Instant issued, Instant expires) {
    /** Upstream's requiresRefresh: past 80 % of the lifetime, or older than 24 h. */
    boolean stale(Instant now) {
      Duration ttl = Duration.between(issued, expires);
      Instant refreshAt = issued.plus(ttl.multipliedBy(8).dividedBy(10));
      return now.isAfter(refreshAt) || now.isAfter(issued.plus(MAX_AGE));
    }
  }

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<Key, Issued> tokens = new ConcurrentHashMap<>();

  ServiceAccountTokens(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A token of the pod's service account for this audience (empty: the API server's) and lifetime. */
  String token(Pod pod, String audience, Long expirationSeconds) throws Volumes.VolumeError {
    String account = pod.getSpec().getServiceAccountName();
    if (account == null || account.isEmpty()) account = "default";
    long seconds = expirationSeconds == null ? DEFAULT_EXPIRATION_SECONDS : expirationSeconds;
    Key key = new Key(pod.getMetadata().getUid(), account, audience == null ? "" : audience, seconds);
    Instant now = clock.instant();
    Issued have = tokens.get(key);
    if (have != null && !have.stale(now)) return have.token;
    TokenRequest request = new TokenRequestBuilder().withNewSpec()
        .withAudiences(key.audience().isEmpty() ? List.of() : List.of(key.audience()))
        .withExpirationSeconds(seconds)
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid()).endBoundObjectRef()
        .endSpec().build();
    TokenRequest answer;
    try {
      answer = client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(account).tokenRequest(request);
    } catch (KubernetesClientException e) {
      // a token still valid is better than none while the API server is away
      if (have != null && now.isBefore(have.expires)) return have.token;
      String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
      throw new Volumes.VolumeError("failed to fetch token: " + why);
    }
    Instant expires = Instant.parse(answer.getStatus().getExpirationTimestamp());
    tokens.put(key, new Issued(answer.getStatus().getToken(), now, expires));
    return answer.getStatus().getToken();
  }

  /** Drops the tokens of a pod whose volumes are torn down. */
  void forget(String podUid) {
    tokens.keySet().removeIf(k -> k.podUid().equals(podUid));
  }
}
