package io.planet.apiserver.auth.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.apiserver.testing.KubectlRun;
import io.planet.api.Json;
import io.planet.apiserver.pki.Keys;
import io.planet.apiserver.pki.TlsContexts;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service-account tokens end to end over HTTPS with RBAC: kubectl create token, the token used by kubectl with
 * exactly its Role's rights, bound tokens dying with their pod, deleted accounts, expired and foreign tokens,
 * TokenReview, issuer discovery and bootstrap tokens.
 */
class ServiceAccountTokenIT {
  private static final String ISS = ServiceAccountTokenOptions.DEFAULT_ISSUER;
  private static TestApiServer server;
  private static ApiClient admin;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.withTls(c -> c.withAuthorizationMode("RBAC"));
    admin = server.client();
    for (String ns : List.of("a", "b")) {
      admin.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
    }
    admin.create("/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pod-reader"},
         "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]}""");
    admin.create("/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"pod-readers"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
         "subjects":[{"kind":"Group","name":"system:serviceaccounts:a"}]}""");
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static void serviceAccount(String ns, String name) {
    admin.create("/api/v1/namespaces/" + ns + "/serviceaccounts",
        "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"" + name + "\"}}");
  }

  private static ObjectNode pod(String ns, String name, String account) {
    return admin.create("/api/v1/namespaces/" + ns + "/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
         "spec":{"serviceAccountName":"%s","containers":[{"name":"c","image":"busybox"}]}}""".formatted(name, account));
  }

  private static KubectlRun kubectl(Path kubeconfig, String... args) throws Exception {
    KubectlRun r = KubectlRun.run(kubeconfig, args);
    return new KubectlRun(r.code(), r.out().trim());
  }

  /** A kubeconfig that trusts the cluster CA and presents only this bearer token. */
  private static Path tokenKubeconfig(String name, String token) throws Exception {
    Path f = tmp.resolve(name + ".kubeconfig");
    Files.writeString(f, """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster: {server: "%s", certificate-authority: "%s"}
          name: planet
        contexts:
        - context: {cluster: planet, user: u}
          name: planet
        current-context: planet
        users:
        - name: u
          user: {token: "%s"}
        """.formatted(server.url(), server.pki().caFile(), token));
    return f;
  }

  /** Requests that present only a bearer token (no client certificate). */
  private record Bearer(String token) {
    ApiClient.Response get(String path) {
      return new ApiClient(server.url(), TlsContexts.client(server.pki(), null))
          .send("GET", path, null, null, Map.of("Authorization", "Bearer " + token));
    }
  }

  private static Bearer bearer(String token) {
    return new Bearer(token);
  }

  private static String createToken(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("create", "token"));
    all.addAll(List.of(args));
    KubectlRun r = kubectl(server.adminKubeconfig(), all.toArray(String[]::new));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    return r.out();
  }

  private static JsonNode claims(String token) {
    return Json.parse(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  void tokenCanDoExactlyWhatItsRoleAllows() throws Exception {
    serviceAccount("a", "reader");
    pod("a", "web", "reader");
    pod("b", "web", "default");
    String token = createToken("reader", "-n", "a");
    JsonNode c = claims(token);
    assertThat(c.path("sub").asText()).isEqualTo("system:serviceaccount:a:reader");
    assertThat(c.path("iss").asText()).isEqualTo(ISS);
    assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(3600);
    Path kc = tokenKubeconfig("reader", token);

    KubectlRun whoami = kubectl(kc, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
    assertThat(whoami.out()).isEqualTo(
        "system:serviceaccount:a:reader [\"system:serviceaccounts\",\"system:serviceaccounts:a\",\"system:authenticated\"]");
    // the binding reaches the authorizer through the watch cache
    await().atMost(Duration.ofSeconds(10)).until(() -> kubectl(kc, "get", "pods", "-n", "a").code() == 0);
    assertThat(kubectl(kc, "get", "pod", "web", "-n", "a", "-o", "name").out()).isEqualTo("pod/web");
    KubectlRun secrets = kubectl(kc, "get", "secrets", "-n", "a");
    assertThat(secrets.code()).isNotZero();
    assertThat(secrets.out()).isEqualTo("Error from server (Forbidden): secrets is forbidden: User "
        + "\"system:serviceaccount:a:reader\" cannot list resource \"secrets\" in API group \"\" in the namespace \"a\"");
    KubectlRun otherNs = kubectl(kc, "get", "pod", "web", "-n", "b");
    assertThat(otherNs.out()).isEqualTo("Error from server (Forbidden): pods \"web\" is forbidden: User "
        + "\"system:serviceaccount:a:reader\" cannot get resource \"pods\" in API group \"\" in the namespace \"b\"");
    KubectlRun delete = kubectl(kc, "delete", "pod", "web", "-n", "a");
    assertThat(delete.out()).contains("cannot delete resource \"pods\"");

    // the account is deleted: its tokens stop working
    admin.delete("/api/v1/namespaces/a/serviceaccounts/reader");
    await().atMost(Duration.ofSeconds(10)).until(() -> bearer(token).get("/api/v1/namespaces/a/pods").code() == 401);
    KubectlRun gone = kubectl(kc, "get", "pods", "-n", "a");
    assertThat(gone.out()).isEqualTo("error: You must be logged in to the server (Unauthorized)");
  }

  @Test
  void boundTokenDiesWithItsPod() throws Exception {
    serviceAccount("a", "bound");
    ObjectNode p = pod("a", "holder", "bound");
    String token = createToken("bound", "-n", "a", "--bound-object-kind", "Pod", "--bound-object-name", "holder",
        "--duration", "20m", "--audience", ISS);
    JsonNode c = claims(token);
    assertThat(c.at("/kubernetes.io/pod/uid").asText()).isEqualTo(p.at("/metadata/uid").asText());
    assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(1200);
    Bearer client = bearer(token);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/api/v1/namespaces/a/pods/holder").code() == 200);

    // TokenReview by the admin shows whose it is and the pod it is bound to
    ApiClient.Response review = admin.post("/apis/authentication.k8s.io/v1/tokenreviews",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}");
    assertThat(review.code()).as(review.text()).isEqualTo(201);
    JsonNode status = review.body().path("status");
    assertThat(status.path("authenticated").asBoolean()).isTrue();
    assertThat(status.at("/user/username").asText()).isEqualTo("system:serviceaccount:a:bound");
    assertThat(status.at("/user/extra/authentication.kubernetes.io~1pod-name/0").asText()).isEqualTo("holder");
    ApiClient.Response wrongAudience = admin.post("/apis/authentication.k8s.io/v1/tokenreviews",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token
            + "\",\"audiences\":[\"vault\"]}}");
    assertThat(wrongAudience.body().at("/status/authenticated").asBoolean()).isFalse();
    assertThat(wrongAudience.body().at("/status/error").asText()).contains("is invalid for the target audiences [\"vault\"]");

    admin.delete("/api/v1/namespaces/a/pods/holder");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/api/v1/namespaces/a/pods").code() == 401);
    ApiClient.Response after = admin.post("/apis/authentication.k8s.io/v1/tokenreviews",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}");
    assertThat(after.body().at("/status/authenticated").asBoolean()).isFalse();
    assertThat(after.body().at("/status/error").asText()).isEqualTo("service account token has been invalidated");
  }

  @Test
  void tokenRequestErrorsAreUpstreams() throws Exception {
    serviceAccount("a", "errs");
    KubectlRun shortLived = kubectl(server.adminKubeconfig(), "create", "token", "errs", "-n", "a", "--duration", "5m");
    assertThat(shortLived.out()).isEqualTo("error: failed to create token: TokenRequest.authentication.k8s.io \"errs\" is invalid: "
        + "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes");
    KubectlRun missing = kubectl(server.adminKubeconfig(), "create", "token", "nobody", "-n", "a");
    assertThat(missing.out()).isEqualTo("error: failed to create token: serviceaccounts \"nobody\" not found");
    KubectlRun noPod = kubectl(server.adminKubeconfig(), "create", "token", "errs", "-n", "a", "--bound-object-kind", "Pod",
        "--bound-object-name", "ghost");
    assertThat(noPod.out()).isEqualTo("error: failed to create token: pods \"ghost\" not found");
    pod("a", "runs-as-default", "default");
    KubectlRun otherAccount = kubectl(server.adminKubeconfig(), "create", "token", "errs", "-n", "a", "--bound-object-kind", "Pod",
        "--bound-object-name", "runs-as-default");
    assertThat(otherAccount.out()).isEqualTo("error: failed to create token: cannot bind token for serviceaccount \"errs\" "
        + "to pod running with different serviceaccount name.");
    ApiClient.Response wrongUid = admin.post("/api/v1/namespaces/a/serviceaccounts/errs/token", """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
         "spec":{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"runs-as-default","uid":"x"}}}""");
    assertThat(wrongUid.code()).isIn(400, 409);
    ApiClient.Response json = admin.post("/api/v1/namespaces/a/serviceaccounts/errs/token",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}");
    assertThat(json.code()).isEqualTo(201);
    assertThat(json.body().at("/spec/audiences/0").asText()).isEqualTo(ISS);
    assertThat(json.body().at("/spec/expirationSeconds").asLong()).isEqualTo(3600);
    Instant exp = Instant.parse(json.body().at("/status/expirationTimestamp").asText());
    assertThat(Duration.between(Instant.now(), exp).toMinutes()).isBetween(58L, 60L);
  }

  @Test
  void expiredAndForeignTokensAre401() throws Exception {
    serviceAccount("a", "timed");
    ObjectNode sa = (ObjectNode) admin.get("/api/v1/namespaces/a/serviceaccounts/timed").body();
    KeyPair ours = server.pki().serviceAccountKeys();
    TokenIssuer issuer = new TokenIssuer(ISS, ours.getPrivate(), ours.getPublic());
    Instant past = Instant.now().minus(Duration.ofHours(2));
    String expired = issuer.sign(TokenClaims.build(ISS, sa, null, null, null, List.of(ISS), past, past.plus(Duration.ofHours(1)), null));
    String fresh = issuer.sign(TokenClaims.build(ISS, sa, null, null, null, List.of(ISS), Instant.now(),
        Instant.now().plus(Duration.ofHours(1)), null));
    KeyPair other = Keys.generate();
    String foreign = new TokenIssuer(ISS, other.getPrivate(), other.getPublic()).sign(
        TokenClaims.build(ISS, sa, null, null, null, List.of(ISS), Instant.now(), Instant.now().plus(Duration.ofHours(1)), null));
    await().atMost(Duration.ofSeconds(10)).until(() -> bearer(fresh).get("/api/v1/namespaces/a/pods").code() == 200);
    for (String bad : List.of(expired, foreign, fresh + "x", "Zm9v.YmFy.YmF6")) {
      ApiClient.Response r = bearer(bad).get("/api/v1/namespaces/a/pods");
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.body().path("message").asText()).isEqualTo("Unauthorized");
    }
    KubectlRun kubectlExpired = kubectl(tokenKubeconfig("expired", expired), "get", "pods", "-n", "a");
    assertThat(kubectlExpired.out()).isEqualTo("error: You must be logged in to the server (Unauthorized)");
  }

  @Test
  void issuerDiscoveryServesTheVerificationKeys() throws Exception {
    serviceAccount("b", "discoverer");
    String token = createToken("discoverer", "-n", "b");
    Bearer client = bearer(token);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/.well-known/openid-configuration").code() == 200);
    JsonNode config = client.get("/.well-known/openid-configuration").body();
    assertThat(config.path("issuer").asText()).isEqualTo(ISS);
    assertThat(config.path("jwks_uri").asText()).isEqualTo(ISS + "/openid/v1/jwks");
    ApiClient.Response jwks = client.get("/openid/v1/jwks");
    assertThat(jwks.header("Content-Type")).isEqualTo("application/jwk-set+json");
    String kid = Json.parse(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8)).path("kid").asText();
    assertThat(jwks.body().at("/keys/0/kid").asText()).isEqualTo(kid);
    assertThat(jwks.body().at("/keys/0/alg").asText()).isEqualTo("RS256");
    assertThat(new ApiClient(server.url(), TlsContexts.client(server.pki(), null)).get("/openid/v1/jwks").code()).isEqualTo(403);
  }

  @Test
  void bootstrapTokenAuthenticatesUntilItExpires() throws Exception {
    String expiration = Instant.now().plusSeconds(8).toString();
    admin.create("/api/v1/namespaces/kube-system/secrets", """
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"bootstrap-token-abcdef"},
         "type":"bootstrap.kubernetes.io/token",
         "stringData":{"token-id":"abcdef","token-secret":"0123456789abcdef","expiration":"%s",
           "usage-bootstrap-authentication":"true","auth-extra-groups":"system:bootstrappers:worker"}}""".formatted(expiration));
    Path kc = tokenKubeconfig("bootstrap", "abcdef.0123456789abcdef");
    await().atMost(Duration.ofSeconds(5)).until(() -> kubectl(kc, "auth", "whoami").code() == 0);
    assertThat(kubectl(kc, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}").out())
        .isEqualTo("system:bootstrap:abcdef [\"system:bootstrappers\",\"system:bootstrappers:worker\",\"system:authenticated\"]");
    assertThat(bearer("abcdef.0123456789abcdeX").get("/version").code()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(20)).until(() -> bearer("abcdef.0123456789abcdef").get("/version").code() == 401);
  }
}
