package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenCleanerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("tokencleaner");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void token(String id, String type, Map<String, String> data) {
    cluster.client.secrets().inNamespace("kube-system").resource(new SecretBuilder()
        .withNewMetadata().withName("bootstrap-token-" + id).endMetadata()
        .withType(type).withStringData(data).build()).create();
  }

  private static Secret get(String id) {
    return cluster.client.secrets().inNamespace("kube-system").withName("bootstrap-token-" + id).get();
  }

  @Test
  void expiredBootstrapTokensAreDeletedWhenTheyExpire() {
    token("aaaaaa", "bootstrap.kubernetes.io/token",
        Map.of("token-id", "aaaaaa", "token-secret", "0123456789abcdef", "expiration", Instant.now().plusSeconds(3).toString()));
    token("bbbbbb", "bootstrap.kubernetes.io/token", Map.of("token-id", "bbbbbb", "token-secret", "0123456789abcdef"));
    token("cccccc", "Opaque", Map.of("expiration", Instant.now().minusSeconds(60).toString()));
    token("dddddd", "bootstrap.kubernetes.io/token",
        Map.of("token-id", "dddddd", "token-secret", "0123456789abcdef", "expiration", Instant.now().minusSeconds(60).toString()));
    await().atMost(Duration.ofSeconds(10)).until(() -> get("dddddd") == null);
    assertThat(get("aaaaaa")).isNotNull();
    await().atMost(Duration.ofSeconds(15)).until(() -> get("aaaaaa") == null);
    // no expiration, or not a bootstrap token: kept
    assertThat(get("bbbbbb")).isNotNull();
    assertThat(get("cccccc")).isNotNull();
  }
}
