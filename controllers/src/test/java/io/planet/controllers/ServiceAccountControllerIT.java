package io.planet.controllers;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceAccountControllerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("serviceaccount");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void everyNamespaceGetsADefaultServiceAccountBackAfterDeletion() {
    String ns = cluster.namespace("sa-test");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> cluster.client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
    // existing namespaces got one at start too
    await().atMost(Duration.ofSeconds(10))
        .until(() -> cluster.client.serviceAccounts().inNamespace("kube-system").withName("default").get() != null);

    cluster.client.serviceAccounts().inNamespace(ns).withName("default").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      var sa = cluster.client.serviceAccounts().inNamespace(ns).withName("default").get();
      return sa != null && sa.getMetadata().getDeletionTimestamp() == null;
    });
  }
}
