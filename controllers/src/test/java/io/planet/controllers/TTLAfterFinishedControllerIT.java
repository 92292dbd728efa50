package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TTLAfterFinishedControllerIT {
  static TestCluster cluster;
  static KubernetesClient c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("job", "ttlafterfinished", "garbagecollector");
    c = cluster.client;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Job create(String ns, String name, Integer ttl) {
    JobSpec spec = Jobs.spec(name, 1, 1);
    spec.setTtlSecondsAfterFinished(ttl);
    return c.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).endMetadata().withSpec(spec).build()).create();
  }

  @Test
  void deletesAFinishedJobAndItsPodsOnceTheTtlHasPassed() {
    String ns = cluster.namespace("ttl");
    create(ns, "short", 2);
    create(ns, "kept", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "short").size() == 1
        && Jobs.activePods(c, ns, "kept").size() == 1);
    Jobs.finish(c, Jobs.activePods(c, ns, "short").get(0), "Succeeded");
    Jobs.finish(c, Jobs.activePods(c, ns, "kept").get(0), "Succeeded");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Jobs.condition(c.batch().v1().jobs().inNamespace(ns).withName("short").get(), "Complete") != null);
    Instant finished = Instant.parse(Jobs.condition(c.batch().v1().jobs().inNamespace(ns).withName("short").get(),
        "Complete").getLastTransitionTime());

    // gone with its pod soon after the TTL, not before
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(c.batch().v1().jobs().inNamespace(ns).withName("short").get()).isNull();
      assertThat(Fixtures.livePods(c, ns, "short")).isEmpty();
    });
    assertThat(Instant.now()).isAfterOrEqualTo(finished.plusSeconds(2));
    Job kept = c.batch().v1().jobs().inNamespace(ns).withName("kept").get();
    assertThat(kept).isNotNull();
    assertThat(Jobs.conditionStatus(kept, "Complete")).isEqualTo("True");
  }
}
