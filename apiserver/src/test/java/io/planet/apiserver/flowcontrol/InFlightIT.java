package io.planet.apiserver.flowcontrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.api.Json;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.TlsContexts;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.WatchStream;
import io.planet.apiserver.testing.FakeExtensionApiServer;
import io.planet.apiserver.testing.TestApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Max in-flight limits with --max-requests-inflight 4: slow requests (an extension API server that answers only
 * when released) fill the seats, the next request gets 429 with Retry-After, watches take no seat and one client
 * cannot hold more than half of them.
 */
class InFlightIT {
  private static final String SLOW = "/apis/metrics.k8s.io/v1beta1/nodes/slow";
  private static TestApiServer server;
  private static FakeExtensionApiServer backend;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    Path tokens = tmp.resolve("tokens.csv");
    Files.writeString(tokens, "b-token,bea,b-uid,\"system:masters\"\nc-token,cai,c-uid,\"system:masters\"\n");
    server = TestApiServer.withTls(c -> c.withInFlight(new InFlightLimits(4, 2))
        .withApiServiceAvailabilityPeriod(Duration.ofMillis(500))
        .withAuthentication(c.authentication().withTokenAuthFile(tokens)));
    backend = new FakeExtensionApiServer("metrics.k8s.io", "v1beta1", "metrics-server", "kube-system", List.of("""
        {"name":"nodes","singularName":"","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]}"""));
    backend.respond(SLOW, "{\"kind\":\"NodeMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{\"name\":\"slow\"}}");
    backend.register(server.client());
    await().atMost(Duration.ofSeconds(30)).until(() -> server.client().get(SLOW).code() == 200);
  }

  @AfterAll
  static void stop() {
    if (backend != null) backend.close();
    if (server != null) server.close();
  }

  private record Client(HttpClient http, String token) {
    CompletableFuture<HttpResponse<String>> get(String path) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(60));
      if (token != null) b.header("Authorization", "Bearer " + token);
      return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static Client admin() {
    return new Client(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(TlsContexts.client(server.pki(), ClusterCertificates.ADMIN)).build(), null);
  }

  private static Client token(String t) {
    SSLContext anonymous = TlsContexts.client(server.pki(), null);
    return new Client(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(anonymous).build(), t);
  }

  private static long held() {
    return backend.requests().stream().filter(r -> r.uri().equals(SLOW)).count();
  }

  private static void assertTooManyRequests(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).contains("1");
    var status = Json.MAPPER.readTree(r.body());
    assertThat(status.path("kind").asText()).isEqualTo("Status");
    assertThat(status.path("reason").asText()).isEqualTo("TooManyRequests");
    assertThat(status.path("message").asText()).isEqualTo("Too many requests, please try again later.");
    assertThat(status.at("/details/retryAfterSeconds").asInt()).isEqualTo(1);
  }

  @Test
  void slowRequestsFillTheSeatsWatchesDoNotAndNoClientTakesMoreThanHalf() throws Exception {
    backend.hold(SLOW);
    long before = held();
    List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
    try {
      // a greedy client: its third concurrent request is refused although seats are free
      Client greedy = admin();
      slow.add(greedy.get(SLOW));
      slow.add(greedy.get(SLOW));
      await().atMost(Duration.ofSeconds(10)).until(() -> held() - before == 2);
      assertTooManyRequests(greedy.get(SLOW).get(10, TimeUnit.SECONDS));

      // other clients still get the remaining seats
      Client bea = token("b-token");
      slow.add(bea.get(SLOW));
      slow.add(bea.get(SLOW));
      await().atMost(Duration.ofSeconds(10)).until(() -> held() - before == 4);

      // all four seats taken: anyone's next read-only request is refused
      Client cai = token("c-token");
      assertTooManyRequests(cai.get("/api/v1/namespaces/default").get(10, TimeUnit.SECONDS));

      // watches hold no seat
      ApiClient api = server.client();
      List<WatchStream> watches = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          WatchStream w = api.watch("/api/v1/namespaces?watch=1&fieldSelector=metadata.name%3Ddefault");
          assertThat(w.code).isEqualTo(200);
          assertThat(w.nextNonBookmark(10).path("type").asText()).isEqualTo("ADDED");
          watches.add(w);
        }
      } finally {
        watches.forEach(WatchStream::close);
      }
      // mutating requests draw on their own pool
      assertThat(api.post("/api/v1/namespaces/default/configmaps", """
          {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"while-busy"}}""").code()).isEqualTo(201);
    } finally {
      backend.release();
    }
    for (CompletableFuture<HttpResponse<String>> f : slow) assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // seats are given back
    assertThat(token("c-token").get("/api/v1/namespaces/default").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
