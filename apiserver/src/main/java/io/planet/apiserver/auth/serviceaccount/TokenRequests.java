package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.registry.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * serviceaccounts/token (upstream's TokenREST): a TokenRequest for a ServiceAccount, optionally bound to a Pod or
 * Secret of its namespace, answered with a signed token and its expiry. Nothing is stored.
 */
public final class TokenRequests {
  public static final String GROUP = "authentication.k8s.io";
  public static final long DEFAULT_EXPIRATION_SECONDS = 3600;
  static final long MIN_EXPIRATION_SECONDS = 600;
  static final long MAX_EXPIRATION_SECONDS = 1L << 32;
  /** What ServiceAccount admission puts in kube-api-access volumes; such pod tokens may be extended. */
  public static final long WARN_ONLY_EXPIRATION_SECONDS = 3607;
  static final long EXTENDED_EXPIRATION_SECONDS = 365L * 24 * 3600;

  private final TokenIssuer issuer;
  private final ServiceAccountTokenOptions options;
  private final Function<String, Store> stores;
  private final Clock clock;

  /** {@code stores} gives the live core/v1 store of a resource (serviceaccounts, pods, secrets, nodes). */
  public TokenRequests(TokenIssuer issuer, ServiceAccountTokenOptions options, Function<String, Store> stores, Clock clock) {
    this.issuer = issuer;
    this.options = options;
    this.stores = stores;
    this.clock = clock;
  }

  /** The TokenRequest answered: spec with its defaults, status.token and status.expirationTimestamp. */
  public ObjectNode create(String namespace, String name, ObjectNode request) {
    String kind = request.path("kind").asText("");
    if (!kind.isEmpty() && !kind.equals("TokenRequest")) {
      throw ApiException.badRequest("the body of the request was in an unknown format - accepted media types include: "
          + "application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }
    ObjectNode spec = request.path("spec") instanceof ObjectNode s ? s.deepCopy() : Json.object();
    JsonNode exp = spec.get("expirationSeconds");
    long expirationSeconds = exp == null || exp.isNull() ? DEFAULT_EXPIRATION_SECONDS : exp.asLong();
    spec.put("expirationSeconds", expirationSeconds);
    validate(name, expirationSeconds);
    ObjectNode serviceAccount = stores.apply("serviceaccounts").get(namespace, name);
    ObjectNode pod = null;
    ObjectNode secret = null;
    JsonNode ref = spec.get("boundObjectRef");
    if (ref != null && ref.isObject()) {
      String refKind = ref.path("kind").asText("");
      String refVersion = ref.path("apiVersion").asText("");
      String refName = ref.path("name").asText("");
      String group = refVersion.contains("/") ? refVersion.substring(0, refVersion.indexOf('/')) : "";
      String uid;
      if (group.isEmpty() && refKind.equals("Pod")) {
        pod = stores.apply("pods").get(namespace, refName);
        String podAccount = pod.path("spec").path("serviceAccountName").asText("");
        if (!name.equals(podAccount)) {
          throw ApiException.badRequest("cannot bind token for serviceaccount \"" + name + "\" to pod running with different serviceaccount name.");
        }
        uid = Meta.uid(pod);
      } else if (group.isEmpty() && refKind.equals("Secret")) {
        secret = stores.apply("secrets").get(namespace, refName);
        uid = Meta.uid(secret);
      } else {
        String version = refVersion.contains("/") ? refVersion.substring(refVersion.indexOf('/') + 1) : refVersion;
        throw ApiException.badRequest("cannot bind token to object of type " + group + "/" + version + ", Kind=" + refKind);
      }
      String wantUid = ref.path("uid").asText("");
      if (!wantUid.isEmpty() && !wantUid.equals(uid)) {
        throw ApiException.conflict(group, refKind, refName, "the UID in the bound object reference (" + wantUid
            + ") does not match the UID in record (" + uid + "). The object might have been deleted and then recreated");
      }
    }
    List<String> audiences = new ArrayList<>();
    spec.path("audiences").forEach(a -> audiences.add(a.asText()));
    if (audiences.isEmpty()) {
      audiences.addAll(options.apiAudiences());
      ArrayNode a = spec.putArray("audiences");
      audiences.forEach(a::add);
    }
    Instant now = clock.instant();
    long tokenSeconds = expirationSeconds;
    Instant warnAfter = null;
    if (options.maxExpiration() != null && tokenSeconds > options.maxExpiration().toSeconds()) {
      tokenSeconds = options.maxExpiration().toSeconds();
      expirationSeconds = tokenSeconds;
    }
    if (options.extendExpiration() && pod != null && expirationSeconds == WARN_ONLY_EXPIRATION_SECONDS
        && audiences.equals(options.apiAudiences())) {
      // the kubelet's default token stays valid a year for clients that never re-read it; use after 3607 s is warned
      warnAfter = now.plusSeconds(expirationSeconds);
      tokenSeconds = EXTENDED_EXPIRATION_SECONDS;
    }
    ObjectNode node = null;
    String nodeName = pod == null ? "" : pod.path("spec").path("nodeName").asText("");
    if (!nodeName.isEmpty()) {
      try {
        node = stores.apply("nodes").get("", nodeName);
      } catch (ApiException e) {
        if (e.code() != 404) throw e;
      }
    }
    ObjectNode claims = TokenClaims.build(issuer.issuer(), serviceAccount, pod, secret, node, audiences, now,
        now.plusSeconds(tokenSeconds), warnAfter);
    ObjectNode out = Json.object();
    out.put("kind", "TokenRequest");
    out.put("apiVersion", GROUP + "/v1");
    ObjectNode meta = out.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", namespace);
    meta.putNull("creationTimestamp");
    out.set("spec", spec);
    ObjectNode status = out.putObject("status");
    status.put("token", issuer.sign(claims));
    status.put("expirationTimestamp", Meta.timestamp(now.plusSeconds(expirationSeconds)));
    return out;
  }

  private static void validate(String name, long expirationSeconds) {
    String message = null;
    if (expirationSeconds < MIN_EXPIRATION_SECONDS) message = "may not specify a duration less than 10 minutes";
    else if (expirationSeconds > MAX_EXPIRATION_SECONDS) message = "may not specify a duration larger than 2^32 seconds";
    if (message != null) {
      // TokenRequest.authentication.k8s.io "x" is invalid: ...
      throw ApiException.invalid(GROUP, "TokenRequest", name,
          List.of(FieldError.invalid("spec.expirationSeconds", expirationSeconds, message)));
    }
  }
}
