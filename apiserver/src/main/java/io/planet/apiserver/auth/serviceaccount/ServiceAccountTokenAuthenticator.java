package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import io.planet.apiserver.auth.AuthenticationException;
import io.planet.apiserver.auth.TokenAuthenticator;
import io.planet.apiserver.auth.TokenResponse;
import io.planet.apiserver.auth.UserInfo;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates service-account JWTs (upstream's JWTTokenAuthenticator with the bound-token validator): a token
 * whose iss is not ours is not ours to judge (empty); one that is must carry a valid RS256 signature by one of the
 * service-account keys, be within exp/nbf/iat with upstream's one-minute leeway, name one of the audiences asked
 * for, and its ServiceAccount (and bound Pod, Secret) must still exist with the uid it was issued for.
 */
public final class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  /** go-jose's DefaultLeeway, which upstream validates with. */
  public static final Duration LEEWAY = Duration.ofMinutes(1);
  public static final String GROUP_ALL = "system:serviceaccounts";
  public static final String EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
  public static final String EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";
  public static final String EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name";
  public static final String EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid";
  public static final String EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

  private final List<String> issuers;
  private final List<PublicKey> keys;
  private final List<String> apiAudiences;
  private final ObjectGetter objects;
  private final Clock clock;

  public ServiceAccountTokenAuthenticator(List<String> issuers, List<PublicKey> keys, List<String> apiAudiences,
      ObjectGetter objects, Clock clock) {
    this.issuers = List.copyOf(issuers);
    this.keys = List.copyOf(keys);
    this.apiAudiences = List.copyOf(apiAudiences);
    this.objects = objects;
    this.clock = clock;
  }

  @Override
  public Optional<UserInfo> authenticateToken(String token) throws AuthenticationException {
    return authenticateToken(token, apiAudiences).map(TokenResponse::user);
  }

  @Override
  public Optional<TokenResponse> authenticateToken(String token, List<String> audiences) throws AuthenticationException {
    Jwt.Parsed jwt = Jwt.parse(token);
    if (jwt == null) return Optional.empty();
    TokenClaims.Read c = TokenClaims.Read.of(jwt.claims());
    if (!issuers.contains(c.issuer())) return Optional.empty();
    if (!jwt.verifiedBy(keys)) throw new AuthenticationException("invalid signature");
    checkTimes(c);
    List<String> requested = audiences == null || audiences.isEmpty() ? apiAudiences : audiences;
    List<String> valid = new ArrayList<>();
    for (String a : c.audiences()) if (requested.contains(a) && !valid.contains(a)) valid.add(a);
    if (valid.isEmpty()) {
      throw new AuthenticationException("token audiences " + quoted(c.audiences()) + " is invalid for the target audiences "
          + quoted(requested));
    }
    if (c.serviceAccount() == null || c.namespace().isEmpty()) {
      throw new AuthenticationException("service account token claims could not be validated due to unexpected private claim");
    }
    return Optional.of(new TokenResponse(user(c), valid));
  }

  private void checkTimes(TokenClaims.Read c) throws AuthenticationException {
    long now = clock.instant().getEpochSecond();
    long leeway = LEEWAY.toSeconds();
    if (c.notBefore() != null && now + leeway < c.notBefore()) {
      throw new AuthenticationException("service account token is not valid yet");
    }
    if (c.expiry() != null && now - leeway > c.expiry()) throw new AuthenticationException("service account token has expired");
    if (c.issuedAt() != null && now + leeway < c.issuedAt()) {
      throw new AuthenticationException("service account token is issued in the future");
    }
  }

  /** Checks the objects the token names still exist as they were, and makes the user it stands for. */
  private UserInfo user(TokenClaims.Read c) throws AuthenticationException {
    // things deleted before now - leeway no longer back a token
    Instant deletedBefore = clock.instant().minus(LEEWAY);
    String ns = c.namespace();
    TokenClaims.Ref sa = c.serviceAccount();
    ObjectNode account = objects.get("serviceaccounts", ns, sa.name());
    if (account == null) throw new AuthenticationException("serviceaccounts \"" + sa.name() + "\" not found");
    if (deletedBefore(account, deletedBefore)) {
      throw new AuthenticationException("service account " + ns + "/" + sa.name() + " has been deleted");
    }
    if (!Meta.uid(account).equals(sa.uid())) {
      throw new AuthenticationException("service account UID (" + Meta.uid(account) + ") does not match claim (" + sa.uid() + ")");
    }
    if (c.secret() != null) {
      ObjectNode secret = objects.get("secrets", ns, c.secret().name());
      if (secret == null || deletedBefore(secret, deletedBefore)) {
        throw new AuthenticationException("service account token has been invalidated");
      }
      if (!Meta.uid(secret).equals(c.secret().uid())) {
        throw new AuthenticationException("secret UID (" + Meta.uid(secret) + ") does not match service account secret ref claim ("
            + c.secret().uid() + ")");
      }
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    if (c.pod() != null) {
      ObjectNode pod = objects.get("pods", ns, c.pod().name());
      if (pod == null || deletedBefore(pod, deletedBefore)) {
        throw new AuthenticationException("service account token has been invalidated");
      }
      if (!Meta.uid(pod).equals(c.pod().uid())) {
        throw new AuthenticationException("pod UID (" + Meta.uid(pod) + ") does not match service account pod ref claim ("
            + c.pod().uid() + ")");
      }
      extra.put(EXTRA_POD_NAME, List.of(c.pod().name()));
      extra.put(EXTRA_POD_UID, List.of(c.pod().uid()));
      if (c.node() != null) {
        // upstream does not require the node to exist (it may be recreated under the pod); it only reports it
        extra.put(EXTRA_NODE_NAME, List.of(c.node().name()));
        if (!c.node().uid().isEmpty()) extra.put(EXTRA_NODE_UID, List.of(c.node().uid()));
      }
    }
    if (!c.id().isEmpty()) extra.put(EXTRA_CREDENTIAL_ID, List.of("JTI=" + c.id()));
    return new UserInfo(TokenClaims.username(ns, sa.name()), sa.uid(),
        List.of(GROUP_ALL, GROUP_ALL + ":" + ns), extra);
  }

  private static boolean deletedBefore(ObjectNode obj, Instant t) {
    String ts = obj.path("metadata").path("deletionTimestamp").asText("");
    return !ts.isEmpty() && Meta.parseTime(ts).isBefore(t);
  }

  /** Go's %q of a []string: ["a" "b"]. */
  private static String quoted(List<String> values) {
    List<String> q = new ArrayList<>();
    for (String v : values) q.add("\"" + v + "\"");
    return "[" + String.join(" ", q) + "]";
  }
}
