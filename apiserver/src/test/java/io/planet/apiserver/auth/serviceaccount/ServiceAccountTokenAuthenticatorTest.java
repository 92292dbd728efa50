package io.planet.apiserver.auth.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.AuthenticationException;
import io.planet.apiserver.auth.TokenResponse;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.pki.Keys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceAccountTokenAuthenticatorTest {
  private static final KeyPair KEYS = Keys.generate();
  private static final KeyPair OTHER = Keys.generate();
  private static final String ISS = ServiceAccountTokenOptions.DEFAULT_ISSUER;
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  private final Map<String, ObjectNode> objects = new HashMap<>();
  private final TokenIssuer issuer = new TokenIssuer(ISS, KEYS.getPrivate(), KEYS.getPublic());

  private ServiceAccountTokenAuthenticator authenticatorAt(Instant t) {
    return new ServiceAccountTokenAuthenticator(List.of(ISS), List.of(KEYS.getPublic()), List.of(ISS),
        (resource, ns, name) -> objects.get(resource + "/" + ns + "/" + name), Clock.fixed(t, ZoneOffset.UTC));
  }

  private ObjectNode put(String resource, String ns, String name, String uid) {
    ObjectNode o = Json.object();
    ObjectNode m = o.putObject("metadata");
    m.put("name", name);
    m.put("namespace", ns);
    m.put("uid", uid);
    objects.put(resource + "/" + ns + "/" + name, o);
    return o;
  }

  private String token(ObjectNode sa, ObjectNode pod, List<String> aud, Duration ttl) {
    return issuer.sign(TokenClaims.build(ISS, sa, pod, null, null, aud, NOW, NOW.plus(ttl), null));
  }

  @Test
  void headerAndClaimsAreUpstreams() {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    ObjectNode pod = put("pods", "a", "p", "pod-uid");
    String[] parts = token(sa, pod, List.of(ISS), Duration.ofHours(1)).split("\\.");
    ObjectNode header = (ObjectNode) Json.parse(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(header.path("kid").asText()).isEqualTo(Jwt.keyId(KEYS.getPublic())).hasSize(43);
    ObjectNode c = (ObjectNode) Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(c.path("iss").asText()).isEqualTo(ISS);
    assertThat(c.path("sub").asText()).isEqualTo("system:serviceaccount:a:robot");
    assertThat(c.path("aud").get(0).asText()).isEqualTo(ISS);
    assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(3600);
    assertThat(c.path("nbf").asLong()).isEqualTo(NOW.getEpochSecond());
    assertThat(c.path("jti").asText()).isNotEmpty();
    assertThat(c.at("/kubernetes.io/namespace").asText()).isEqualTo("a");
    assertThat(c.at("/kubernetes.io/serviceaccount/uid").asText()).isEqualTo("sa-uid");
    assertThat(c.at("/kubernetes.io/pod/name").asText()).isEqualTo("p");
    assertThat(Json.text(c)).startsWith("{\"aud\":");
  }

  @Test
  void validTokenIsTheServiceAccount() throws Exception {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    ObjectNode pod = put("pods", "a", "p", "pod-uid");
    UserInfo u = authenticatorAt(NOW.plusSeconds(10)).authenticateToken(token(sa, pod, List.of(ISS), Duration.ofHours(1))).orElseThrow();
    assertThat(u.name()).isEqualTo("system:serviceaccount:a:robot");
    assertThat(u.uid()).isEqualTo("sa-uid");
    assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:a");
    assertThat(u.extra()).containsEntry("authentication.kubernetes.io/pod-name", List.of("p"))
        .containsEntry("authentication.kubernetes.io/pod-uid", List.of("pod-uid"))
        .containsKey("authentication.kubernetes.io/credential-id");
    assertThat(u.extra().get("authentication.kubernetes.io/credential-id").get(0)).startsWith("JTI=");
  }

  @Test
  void expiryAndNotBeforeHonourOneMinuteOfLeeway() throws Exception {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    String t = token(sa, null, List.of(ISS), Duration.ofMinutes(10));
    Instant exp = NOW.plus(Duration.ofMinutes(10));
    assertThat(authenticatorAt(exp.plusSeconds(59)).authenticateToken(t)).isPresent();
    assertThatThrownBy(() -> authenticatorAt(exp.plusSeconds(61)).authenticateToken(t))
        .isInstanceOf(AuthenticationException.class).hasMessage("service account token has expired");
    assertThat(authenticatorAt(NOW.minusSeconds(59)).authenticateToken(t)).isPresent();
    assertThatThrownBy(() -> authenticatorAt(NOW.minusSeconds(61)).authenticateToken(t))
        .hasMessage("service account token is not valid yet");
  }

  @Test
  void anotherKeyOrATamperedTokenIsRefused() {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    TokenIssuer foreign = new TokenIssuer(ISS, OTHER.getPrivate(), OTHER.getPublic());
    String forged = foreign.sign(TokenClaims.build(ISS, sa, null, null, null, List.of(ISS), NOW, NOW.plusSeconds(3600), null));
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(forged)).hasMessage("invalid signature");

    String[] parts = token(sa, null, List.of(ISS), Duration.ofHours(1)).split("\\.");
    ObjectNode claims = (ObjectNode) Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    claims.put("sub", "system:serviceaccount:kube-system:admin");
    String tampered = parts[0] + "." + Jwt.encode(Json.bytes(claims)) + "." + parts[2];
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(tampered)).hasMessage("invalid signature");

    ObjectNode none = Json.object();
    none.put("alg", "none");
    String unsigned = Jwt.encode(Json.bytes(none)) + "." + parts[1] + ".";
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(unsigned)).hasMessage("invalid signature");
  }

  @Test
  void tokensOfOtherIssuersAndNonJwtsAreNotOurs() throws Exception {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    String other = issuer.sign(TokenClaims.build("https://elsewhere", sa, null, null, null, List.of(ISS), NOW,
        NOW.plusSeconds(3600), null));
    assertThat(authenticatorAt(NOW).authenticateToken(other)).isEmpty();
    assertThat(authenticatorAt(NOW).authenticateToken("abcdef.0123456789abcdef")).isEmpty();
    assertThat(authenticatorAt(NOW).authenticateToken("a.b.c")).isEmpty();
  }

  @Test
  void audienceMustIntersect() throws Exception {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    String vault = token(sa, null, List.of("vault", "other"), Duration.ofHours(1));
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(vault))
        .hasMessage("token audiences [\"vault\" \"other\"] is invalid for the target audiences [\"" + ISS + "\"]");
    Optional<TokenResponse> r = authenticatorAt(NOW).authenticateToken(vault, List.of("vault"));
    assertThat(r.orElseThrow().audiences()).containsExactly("vault");
  }

  @Test
  void deletedOrRecreatedObjectsInvalidateTheToken() {
    ObjectNode sa = put("serviceaccounts", "a", "robot", "sa-uid");
    ObjectNode pod = put("pods", "a", "p", "pod-uid");
    String t = token(sa, pod, List.of(ISS), Duration.ofHours(1));
    objects.remove("pods/a/p");
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(t)).hasMessage("service account token has been invalidated");
    put("pods", "a", "p", "new-pod-uid");
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(t))
        .hasMessage("pod UID (new-pod-uid) does not match service account pod ref claim (pod-uid)");
    put("pods", "a", "p", "pod-uid");
    put("serviceaccounts", "a", "robot", "other-uid");
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(t))
        .hasMessage("service account UID (other-uid) does not match claim (sa-uid)");
    objects.remove("serviceaccounts/a/robot");
    assertThatThrownBy(() -> authenticatorAt(NOW).authenticateToken(t)).hasMessage("serviceaccounts \"robot\" not found");
  }

  @Test
  void keyIdIsSha256OfTheDerPublicKey() throws Exception {
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(KEYS.getPublic().getEncoded());
    assertThat(Jwt.keyId(KEYS.getPublic())).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
  }
}
