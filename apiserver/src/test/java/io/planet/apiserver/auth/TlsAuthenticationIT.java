package io.planet.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Keys;
import io.planet.apiserver.pki.PemFiles;
import io.planet.apiserver.pki.TlsContexts;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API server over HTTPS: client certificates, static tokens, anonymous requests, HTTP/2, the review APIs. */
class TlsAuthenticationIT {
  private static final String WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  private static final String REVIEW = """
      {"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""";
  private static TestApiServer server;
  private static Path tokens;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    tokens = tmp.resolve("tokens.csv");
    Files.writeString(tokens, "opaque-token-1,ci-bot,ci-uid,\"ci,builders\"\n");
    server = TestApiServer.withTls(c -> c.withAuthentication(c.authentication().withTokenAuthFile(tokens)));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static ApiClient client(SSLContext ssl) {
    return new ApiClient(server.url(), ssl);
  }

  private static ApiClient anonymous() {
    return client(TlsContexts.client(server.pki(), null));
  }

  private static JsonNode whoami(ApiClient c, Map<String, String> headers) {
    ApiClient.Response r = c.send("POST", WHOAMI, REVIEW.getBytes(StandardCharsets.UTF_8), "application/json", headers);
    assertThat(r.code()).as(r.text()).isEqualTo(201);
    return r.body().path("status").path("userInfo");
  }

  @Test
  void plainHttpToTheHttpsPortGetsUpstreamsAnswer() throws Exception {
    URI u = URI.create(server.url());
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + u.getHost() + ":" + u.getPort() + "/api")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("Client sent an HTTP request to an HTTPS server.\n");
    // and TLS still works on the same port
    assertThat(server.client().get("/version").code()).isEqualTo(200);
  }

  @Test
  void adminCertificateIsKubernetesAdminInSystemMasters() {
    assertThat(server.client().get("/api/v1/namespaces/default").code()).isEqualTo(200);
    JsonNode user = whoami(server.client(), Map.of());
    assertThat(user.path("username").asText()).isEqualTo("kubernetes-admin");
    assertThat(Json.MAPPER.convertValue(user.path("groups"), List.class)).containsExactly("system:masters", "system:authenticated");
  }

  @Test
  void olderKubectlsFindSelfSubjectReviewInBeta() {
    ApiClient.Response r = server.client().post("/apis/authentication.k8s.io/v1beta1/selfsubjectreviews", """
        {"apiVersion":"authentication.k8s.io/v1beta1","kind":"SelfSubjectReview"}""");
    assertThat(r.code()).isEqualTo(201);
    assertThat(r.body().path("apiVersion").asText()).isEqualTo("authentication.k8s.io/v1beta1");
    assertThat(r.body().at("/status/userInfo/username").asText()).isEqualTo("kubernetes-admin");
    assertThat(server.client().get(WHOAMI).code()).isEqualTo(405);
  }

  @Test
  void everyComponentCertificateAuthenticatesAsItsUser() {
    for (String[] c : new String[][] {{ClusterCertificates.SCHEDULER, "system:kube-scheduler"},
        {ClusterCertificates.CONTROLLER_MANAGER, "system:kube-controller-manager"}, {ClusterCertificates.PROXY, "system:kube-proxy"}}) {
      assertThat(whoami(client(TlsContexts.client(server.pki(), c[0])), Map.of()).path("username").asText()).isEqualTo(c[1]);
    }
  }

  @Test
  void noCredentialsIsAnonymous() {
    JsonNode user = whoami(anonymous(), Map.of());
    assertThat(user.path("username").asText()).isEqualTo("system:anonymous");
    assertThat(Json.MAPPER.convertValue(user.path("groups"), List.class)).containsExactly("system:unauthenticated");
  }

  @Test
  void staticTokenAuthenticates() {
    JsonNode user = whoami(anonymous(), Map.of("Authorization", "Bearer opaque-token-1"));
    assertThat(user.path("username").asText()).isEqualTo("ci-bot");
    assertThat(user.path("uid").asText()).isEqualTo("ci-uid");
    assertThat(Json.MAPPER.convertValue(user.path("groups"), List.class)).containsExactly("ci", "builders", "system:authenticated");
  }

  @Test
  void invalidBearerTokenIsUnauthorizedNotAnonymous() {
    ApiClient.Response r = anonymous().send("GET", "/api/v1/namespaces", null, null, Map.of("Authorization", "Bearer nope"));
    assertThat(r.code()).isEqualTo(401);
    assertThat(r.body().path("kind").asText()).isEqualTo("Status");
    assertThat(r.reason()).isEqualTo("Unauthorized");
    assertThat(r.body().path("message").asText()).isEqualTo("Unauthorized");
  }

  @Test
  void certificateFromAnotherCaIsUnauthorized() throws Exception {
    Path other = tmp.resolve("other");
    ClusterPki foreign = ClusterPki.at(other);
    foreign.ensure(List.of(CertSpec.client("admin", "kubernetes-admin", List.of("system:masters"))));
    // trust the real server, present the foreign admin certificate
    Files.copy(server.pki().caFile(), other.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ApiClient.Response r = client(TlsContexts.client(foreign, "admin")).get("/api/v1/namespaces");
    assertThat(r.code()).isEqualTo(401);
    assertThat(r.reason()).isEqualTo("Unauthorized");
  }

  @Test
  void expiredClientCertificateIsUnauthorized() throws Exception {
    Path dir = tmp.resolve("expired");
    CertificateAuthority ca = server.pki().ca();
    KeyPair pair = Keys.generate();
    Instant issued = Instant.now().minus(Duration.ofDays(400));
    PemFiles.writeCertificate(dir.resolve("old.crt"),
        ca.issue(CertSpec.client("old", "kubernetes-admin", List.of("system:masters")), pair.getPublic(), issued, Duration.ofDays(365)));
    PemFiles.writePrivateKey(dir.resolve("old.key"), pair.getPrivate());
    Files.copy(server.pki().caFile(), dir.resolve("ca.crt"));
    ApiClient.Response r = client(TlsContexts.client(ClusterPki.at(dir), "old")).get("/api/v1/namespaces");
    assertThat(r.code()).isEqualTo(401);
  }

  @Test
  void tokenReviewAnswersForStaticTokens() {
    ApiClient.Response ok = server.client().post("/apis/authentication.k8s.io/v1/tokenreviews", """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"opaque-token-1","audiences":["api"]}}""");
    assertThat(ok.code()).isEqualTo(201);
    assertThat(ok.body().at("/status/authenticated").asBoolean()).isTrue();
    assertThat(ok.body().at("/status/user/username").asText()).isEqualTo("ci-bot");
    assertThat(ok.body().at("/status/audiences/0").asText()).isEqualTo("api");
    ApiClient.Response bad = server.client().post("/apis/authentication.k8s.io/v1/tokenreviews", """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"guess"}}""");
    assertThat(bad.code()).isEqualTo(201);
    assertThat(bad.body().at("/status/authenticated").asBoolean()).isFalse();
    assertThat(bad.body().at("/status/user").isMissingNode()).isTrue();
    assertThat(server.client().post("/apis/authentication.k8s.io/v1/tokenreviews", """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{}}""").code()).isEqualTo(400);
  }

  @Test
  void http2IsNegotiatedAndStreamsWatches() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(TlsContexts.client(server.pki(), ClusterCertificates.ADMIN)).build();
    HttpResponse<String> v = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces/default")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(v.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(v.statusCode()).isEqualTo(200);
    HttpResponse<InputStream> watch = h2.send(HttpRequest.newBuilder(
        URI.create(server.url() + "/api/v1/namespaces?watch=1&fieldSelector=metadata.name%3Dkube-system")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(watch.version()).isEqualTo(HttpClient.Version.HTTP_2);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
      JsonNode event = Json.MAPPER.readTree(r.readLine());
      assertThat(event.path("type").asText()).isEqualTo("ADDED");
      assertThat(event.at("/object/metadata/name").asText()).isEqualTo("kube-system");
    }
  }

  @Test
  void tls12StillWorksAndOlderIsRefused() throws Exception {
    SSLContext ssl = TlsContexts.client(server.pki(), ClusterCertificates.ADMIN);
    SSLParameters tls12 = ssl.getDefaultSSLParameters();
    tls12.setProtocols(new String[] {"TLSv1.2"});
    HttpClient c = HttpClient.newBuilder().sslContext(ssl).sslParameters(tls12).version(HttpClient.Version.HTTP_1_1).build();
    assertThat(c.send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    SSLParameters tls11 = ssl.getDefaultSSLParameters();
    tls11.setProtocols(new String[] {"TLSv1.1"});
    HttpClient old = HttpClient.newBuilder().sslContext(ssl).sslParameters(tls11).build();
    assertThatThrownBy(() -> old.send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void anonymousAuthOffRefusesRequestsWithoutCredentials() throws Exception {
    try (TestApiServer strict = TestApiServer.withTls(c -> c.withAuthentication(c.authentication().withAnonymousAuth(false)))) {
      ApiClient none = new ApiClient(strict.url(), TlsContexts.client(strict.pki(), null));
      assertThat(none.get("/api/v1/namespaces").code()).isEqualTo(401);
      assertThat(strict.client().get("/api/v1/namespaces").code()).isEqualTo(200);
    }
  }
}
