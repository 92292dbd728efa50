package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.pki.PemFiles;
import io.planet.controllers.runtime.Controller;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RootCaCertPublisherIT {
  static final String CA = PemFiles.encode(CertificateAuthority.create(Instant.now(), Duration.ofDays(1)).certificate());
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    Map<String, Function<KubernetesClient, Controller>> controllers =
        Map.of("root-ca-certificate-publisher-controller", c -> new RootCaCertPublisher(c, CA));
    cluster = new TestCluster(controllers);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ConfigMap rootCa(String ns) {
    return cluster.client.configMaps().inNamespace(ns).withName("kube-root-ca.crt").get();
  }

  @Test
  void everyNamespaceGetsTheCaBundleBackAfterChangesAndDeletion() {
    String ns = cluster.namespace("root-ca");
    await().atMost(Duration.ofSeconds(10)).until(() -> rootCa(ns) != null);
    ConfigMap cm = rootCa(ns);
    assertThat(cm.getData()).containsExactly(Map.entry("ca.crt", CA));
    assertThat(cm.getMetadata().getAnnotations()).containsEntry("kubernetes.io/description", RootCaCertPublisher.DESCRIPTION);
    await().atMost(Duration.ofSeconds(10)).until(() -> rootCa("kube-system") != null && rootCa("default") != null);

    cluster.client.configMaps().inNamespace(ns).withName("kube-root-ca.crt")
        .edit(c -> {
          c.setData(Map.of("ca.crt", "tampered"));
          return c;
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> CA.equals(rootCa(ns).getData().get("ca.crt")));
    cluster.client.configMaps().inNamespace(ns).withName("kube-root-ca.crt").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ConfigMap c = rootCa(ns);
      return c != null && c.getMetadata().getDeletionTimestamp() == null;
    });
  }
}
