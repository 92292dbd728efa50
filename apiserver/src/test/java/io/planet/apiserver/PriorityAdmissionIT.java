package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstream's Priority admission: priorityClassName → spec.priority, the global default class, and 403s. */
class PriorityAdmissionIT {
  static TestApiServer server;
  static ApiClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    client = server.client();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static String pod(String name, String extraSpec) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
         "spec":{%s"containers":[{"name":"c","image":"busybox"}]}}""".formatted(name, extraSpec);
  }

  @Test
  void podsGetTheirClassPriority() {
    // upstream's built-in classes exist
    assertThat(client.get("/apis/scheduling.k8s.io/v1/priorityclasses/system-node-critical").body().path("value").asInt())
        .isEqualTo(2000001000);

    ApiClient.Response critical = client.post("/api/v1/namespaces/default/pods",
        pod("critical", "\"priorityClassName\":\"system-cluster-critical\","));
    assertThat(critical.code()).isEqualTo(201);
    assertThat(critical.body().at("/spec/priority").asInt()).isEqualTo(2000000000);
    assertThat(critical.body().at("/spec/preemptionPolicy").asText()).isEqualTo("PreemptLowerPriority");

    ApiClient.Response missing = client.post("/api/v1/namespaces/default/pods", pod("lost", "\"priorityClassName\":\"nope\","));
    assertThat(missing.code()).isEqualTo(403);
    assertThat(missing.body().path("message").asText()).isEqualTo("pods \"lost\" is forbidden: no PriorityClass with name nope was found");

    ApiClient.Response mismatch = client.post("/api/v1/namespaces/default/pods",
        pod("liar", "\"priorityClassName\":\"system-cluster-critical\",\"priority\":5,"));
    assertThat(mismatch.code()).isEqualTo(403);
    assertThat(mismatch.body().path("message").asText()).contains("must not be provided in pod spec");

    assertThat(client.post("/api/v1/namespaces/default/pods", pod("plain", "")).body().at("/spec/priority").asInt()).isZero();

    // a global default class applies to pods naming none
    assertThat(client.post("/apis/scheduling.k8s.io/v1/priorityclasses", """
        {"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"standard"},
         "value":1000,"globalDefault":true,"preemptionPolicy":"Never"}""").code()).isEqualTo(201);
    int[] n = {0};
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      ApiClient.Response p = client.post("/api/v1/namespaces/default/pods", pod("default-" + n[0]++, ""));
      assertThat(p.body().at("/spec/priorityClassName").asText()).isEqualTo("standard");
      assertThat(p.body().at("/spec/priority").asInt()).isEqualTo(1000);
      assertThat(p.body().at("/spec/preemptionPolicy").asText()).isEqualTo("Never");
    });
  }
}
