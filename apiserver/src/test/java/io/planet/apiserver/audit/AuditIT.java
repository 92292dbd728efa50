package io.planet.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.apiserver.pki.TlsContexts;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.ApiClient.WatchStream;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log of a real API server over HTTPS with RBAC: events per stage, levels, policy rules, rotation. */
class AuditIT {
  private static final String POLICY = """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: []
      rules:
      - level: None
        resources: [{group: "", resources: ["secrets"]}]
      - level: None
        users: ["quiet"]
      - level: RequestResponse
        omitManagedFields: true
        resources: [{group: "", resources: ["configmaps"]}]
      - level: Metadata
      """;
  private static TestApiServer server;
  private static Path log;
  private static ApiClient api;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    log = tmp.resolve("audit/audit.log");
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    Path tokens = tmp.resolve("tokens.csv");
    Files.writeString(tokens, "bob-token,bob,bob-uid\nquiet-token,quiet,quiet-uid\n");
    server = TestApiServer.withTls(c -> c.withAuthorizationMode("RBAC")
        .withAuthentication(c.authentication().withTokenAuthFile(tokens))
        .withAudit(AuditConfig.logTo(log.toString()).withPolicyFile(policy)));
    api = server.client();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  /** Every event written so far. */
  private static List<JsonNode> events() {
    try {
      List<JsonNode> out = new ArrayList<>();
      if (!Files.exists(log)) return out;
      for (String line : Files.readAllLines(log)) {
        if (!line.isBlank()) out.add(Json.MAPPER.readTree(line));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> eventsOf(String auditId) {
    return events().stream().filter(e -> e.path("auditID").asText().equals(auditId)).toList();
  }

  private static List<String> stages(List<JsonNode> events) {
    return events.stream().map(e -> e.path("stage").asText()).toList();
  }

  /** Waits for the events of a request until it has {@code stages} (in that order). */
  private static List<JsonNode> awaitEvents(String auditId, String... stages) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> eventsOf(auditId), e -> stages(e).equals(List.of(stages)));
  }

  private static ApiClient bob() {
    return new ApiClient(server.url(), TlsContexts.client(server.pki(), null));
  }

  @Test
  void createGetAndWatchAtMetadata() throws Exception {
    Response created = api.post("/api/v1/namespaces/default/serviceaccounts", """
        {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"audited"}}""");
    assertThat(created.code()).isEqualTo(201);
    String id = created.header("Audit-Id");
    assertThat(id).isNotEmpty();
    List<JsonNode> ev = awaitEvents(id, "RequestReceived", "ResponseComplete");
    JsonNode received = ev.get(0);
    assertThat(received.path("kind").asText()).isEqualTo("Event");
    assertThat(received.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
    assertThat(received.path("level").asText()).isEqualTo("Metadata");
    assertThat(received.path("verb").asText()).isEqualTo("create");
    assertThat(received.path("requestURI").asText()).isEqualTo("/api/v1/namespaces/default/serviceaccounts");
    assertThat(received.at("/user/username").asText()).isEqualTo("kubernetes-admin");
    assertThat(received.at("/user/groups").toString()).contains("system:masters");
    assertThat(received.at("/sourceIPs/0").asText()).isEqualTo("127.0.0.1");
    assertThat(received.path("userAgent").asText()).isNotEmpty();
    assertThat(received.path("objectRef").toString())
        .isEqualTo("{\"resource\":\"serviceaccounts\",\"namespace\":\"default\",\"apiVersion\":\"v1\"}");
    assertThat(received.has("responseStatus")).isFalse();
    assertThat(received.has("requestObject")).isFalse();
    assertThat(received.has("annotations")).isFalse();
    JsonNode complete = ev.get(1);
    assertThat(complete.at("/responseStatus/code").asInt()).isEqualTo(201);
    assertThat(complete.has("responseObject")).isFalse();
    assertThat(complete.at("/annotations/authorization.k8s.io~1decision").asText()).isEqualTo("allow");
    // system:masters is allowed by the privileged-group authorizer, which gives no reason (as upstream)
    assertThat(complete.at("/annotations").has("authorization.k8s.io/reason")).isTrue();
    assertThat(complete.path("requestReceivedTimestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    assertThat(complete.path("stageTimestamp").asText()).isGreaterThanOrEqualTo(complete.path("requestReceivedTimestamp").asText());

    Response got = api.get("/api/v1/namespaces/default/serviceaccounts/audited");
    List<JsonNode> get = awaitEvents(got.header("Audit-Id"), "RequestReceived", "ResponseComplete");
    assertThat(get.get(1).path("verb").asText()).isEqualTo("get");
    assertThat(get.get(1).at("/objectRef/name").asText()).isEqualTo("audited");
    assertThat(get.get(1).at("/responseStatus/code").asInt()).isEqualTo(200);

    // a client's own audit ID is kept
    Response mine = api.send("GET", "/api/v1/namespaces/default", null, null, Map.of("Audit-ID", "my-request-1"));
    assertThat(mine.header("Audit-Id")).isEqualTo("my-request-1");
    awaitEvents("my-request-1", "RequestReceived", "ResponseComplete");

    // a watch: ResponseStarted when the stream opens, ResponseComplete when it ends
    String watchId;
    try (WatchStream w = api.watch("/api/v1/namespaces/default/serviceaccounts?watch=1&timeoutSeconds=30")) {
      assertThat(w.nextNonBookmark(10)).isNotNull();
      // the audit log is written in the background: the watch's first event may arrive before its audit line
      watchId = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> events().stream()
          .filter(e -> e.path("verb").asText().equals("watch") && e.path("requestURI").asText().contains("serviceaccounts?watch=1"))
          .findFirst().map(e -> e.path("auditID").asText()).orElse(null), java.util.Objects::nonNull);
      List<JsonNode> started = awaitEvents(watchId, "RequestReceived", "ResponseStarted");
      assertThat(started.get(1).at("/responseStatus/code").asInt()).isEqualTo(200);
    }
    awaitEvents(watchId, "RequestReceived", "ResponseStarted", "ResponseComplete");
  }

  @Test
  void forbiddenAndUnauthenticatedRequestsAreAudited() {
    Response denied = bob().send("GET", "/api/v1/namespaces/default/pods", null, null,
        Map.of("Authorization", "Bearer bob-token"));
    assertThat(denied.code()).isEqualTo(403);
    List<JsonNode> ev = awaitEvents(denied.header("Audit-Id"), "RequestReceived", "ResponseComplete");
    JsonNode complete = ev.get(1);
    assertThat(complete.at("/user/username").asText()).isEqualTo("bob");
    assertThat(complete.path("verb").asText()).isEqualTo("list");
    assertThat(complete.at("/responseStatus/code").asInt()).isEqualTo(403);
    assertThat(complete.at("/responseStatus/reason").asText()).isEqualTo("Forbidden");
    assertThat(complete.at("/responseStatus/status").asText()).isEqualTo("Failure");
    assertThat(complete.at("/responseStatus/message").asText()).contains("User \"bob\" cannot list resource \"pods\"");
    assertThat(complete.at("/annotations/authorization.k8s.io~1decision").asText()).isEqualTo("forbid");

    Response unauthorized = bob().send("GET", "/api/v1/namespaces", null, null, Map.of("Authorization", "Bearer wrong"));
    assertThat(unauthorized.code()).isEqualTo(401);
    List<JsonNode> failed = awaitEvents(unauthorized.header("Audit-Id"), "ResponseStarted");
    assertThat(failed.get(0).at("/responseStatus/code").asInt()).isEqualTo(401);
    assertThat(failed.get(0).at("/responseStatus/message").asText()).startsWith("Authentication failed");
    assertThat(failed.get(0).path("user").size()).isZero();
  }

  @Test
  void requestResponseLevelRecordsBodiesWithoutManagedFields() {
    Response created = api.post("/api/v1/namespaces/default/configmaps", """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"full"},"data":{"k":"v"}}""");
    assertThat(created.code()).isEqualTo(201);
    List<JsonNode> ev = awaitEvents(created.header("Audit-Id"), "RequestReceived", "ResponseComplete");
    assertThat(ev.get(0).path("level").asText()).isEqualTo("RequestResponse");
    assertThat(ev.get(0).at("/requestObject/data/k").asText()).isEqualTo("v");
    JsonNode complete = ev.get(1);
    assertThat(complete.at("/responseObject/metadata/uid").asText()).isNotEmpty();
    assertThat(complete.at("/responseObject/metadata").has("managedFields")).isFalse();
    assertThat(created.body().at("/metadata").has("managedFields")).isTrue();

    Response missing = api.get("/api/v1/namespaces/default/configmaps/none");
    JsonNode notFound = awaitEvents(missing.header("Audit-Id"), "RequestReceived", "ResponseComplete").get(1);
    assertThat(notFound.at("/responseStatus/reason").asText()).isEqualTo("NotFound");
    assertThat(notFound.at("/responseObject/kind").asText()).isEqualTo("Status");
  }

  @Test
  void policyRulesSilenceResourcesAndUsers() {
    Response secret = api.post("/api/v1/namespaces/default/secrets", """
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"hidden"},"stringData":{"password":"hunter2"}}""");
    assertThat(secret.code()).isEqualTo(201);
    Response quiet = bob().send("GET", "/version", null, null, Map.of("Authorization", "Bearer quiet-token"));
    assertThat(quiet.code()).isEqualTo(200);
    // an audited request made afterwards is written after them: once it is there, they would be too
    Response marker = api.get("/api/v1/namespaces/kube-system");
    awaitEvents(marker.header("Audit-Id"), "RequestReceived", "ResponseComplete");
    assertThat(eventsOf(secret.header("Audit-Id"))).isEmpty();
    assertThat(eventsOf(quiet.header("Audit-Id"))).isEmpty();
    assertThat(events().toString()).doesNotContain("hunter2");
    // the same user reaching a non-resource URL through Metadata's catch-all
    Response version = bob().send("GET", "/version", null, null, Map.of("Authorization", "Bearer bob-token"));
    JsonNode v = awaitEvents(version.header("Audit-Id"), "RequestReceived", "ResponseComplete").get(1);
    assertThat(v.path("level").asText()).isEqualTo("Metadata");
    assertThat(v.path("verb").asText()).isEqualTo("get");
    assertThat(v.has("objectRef")).isFalse();
  }

  @Test
  void rotationAtATinySizeKeepsMaxBackupFiles(@TempDir Path dir) throws Exception {
    Path small = dir.resolve("audit.log");
    try (TestApiServer plain = new TestApiServer(c -> c.withAudit(AuditConfig.logTo(small.toString())
        .withRotation(4096, 2, 0)))) {
      for (int i = 0; i < 60; i++) assertThat(plain.client().get("/api/v1/namespaces/default").code()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        try (Stream<Path> files = Files.list(dir)) {
          List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
          assertThat(names).hasSize(3).contains("audit.log");
          assertThat(names).allMatch(n -> n.equals("audit.log")
              || n.matches("audit-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}\\.log"));
        }
      });
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          assertThat(Files.size(f)).isLessThanOrEqualTo(4096);
          assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
          for (String line : Files.readAllLines(f)) assertThat(Json.MAPPER.readTree(line).path("kind").asText()).isEqualTo("Event");
        }
      }
    }
  }
}
