package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The API server compacts etcd periodically, keeping one interval of history. */
class CompactionIT {

  @Test
  void oldRevisionsAreCompactedAfterAnInterval() throws Exception {
    try (TestApiServer server = new TestApiServer(c -> c.withCompaction(Duration.ofSeconds(1), 10_000))) {
      ApiClient api = server.client();
      String rv = api.create("/api/v1/namespaces/default/configmaps",
          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}").at("/metadata/resourceVersion").asText();
      String exact = "/api/v1/namespaces/default/configmaps?resourceVersion=" + rv + "&resourceVersionMatch=Exact";
      assertThat(api.get(exact).code()).isEqualTo(200);
      api.patch("/api/v1/namespaces/default/configmaps/c", "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}");
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        ApiClient.Response r = api.get(exact);
        assertThat(r.code()).isEqualTo(410);
        assertThat(r.reason()).isEqualTo("Expired");
      });
      // the current state is untouched
      assertThat(api.get("/api/v1/namespaces/default/configmaps/c").body().at("/data/a").asText()).isEqualTo("b");
    }
  }
}
