package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Upstream's tokencleaner: deletes bootstrap-token Secrets (type bootstrap.kubernetes.io/token in kube-system) once
 * their {@code expiration} has passed. A token not yet expired is looked at again when it expires, not by polling.
 */
public final class TokenCleaner extends Controller {
  static final String NAMESPACE = "kube-system";
  static final String TYPE = "bootstrap.kubernetes.io/token";

  private final KubernetesClient client;
  private final Clock clock;
  private SharedIndexInformer<Secret> secrets;

  public TokenCleaner(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  TokenCleaner(KubernetesClient client, Clock clock) {
    super("tokencleaner", 1);
    this.client = client;
    this.clock = clock;
  }

  @Override
  protected void register(Informers informers) {
    secrets = informers.informer(Secret.class);
    secrets.addEventHandler(handler(s -> {
      if (isBootstrapToken(s) && s.getMetadata().getDeletionTimestamp() == null) enqueue(key(s));
    }));
  }

  static boolean isBootstrapToken(Secret s) {
    return NAMESPACE.equals(s.getMetadata().getNamespace()) && TYPE.equals(s.getType());
  }

  /** When the token expires; null when it never does. An unreadable expiration counts as expired, as upstream. */
  static Instant expiration(Secret s) {
    String b64 = s.getData() == null ? null : s.getData().get("expiration");
    if (b64 == null || b64.isEmpty()) return null;
    try {
      return OffsetDateTime.parse(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8)).toInstant();
    } catch (DateTimeParseException | IllegalArgumentException e) {
      return Instant.EPOCH;
    }
  }

  @Override
  protected void reconcile(String key) throws Exception {
    Secret s = secrets.getStore().getByKey(key);
    if (s == null || !isBootstrapToken(s) || s.getMetadata().getDeletionTimestamp() != null) return;
    Instant expires = expiration(s);
    if (expires == null) return;
    Duration left = Duration.between(clock.instant(), expires);
    if (!left.isNegative() && !left.isZero()) throw new Requeue(left);
    // the uid precondition spares a token recreated under the same name meanwhile
    String options = """
        {"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"%s"}}""".formatted(s.getMetadata().getUid());
    try {
      client.raw("/api/v1/namespaces/" + NAMESPACE + "/secrets/" + s.getMetadata().getName(), "DELETE", options);
      log.info("deleted expired bootstrap token {}", key);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) throw e;
    }
  }
}
