package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ControllerManagerIT {
  static TestApiServer server;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    client = TestCluster.client(server);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  private static ControllerManager manager(String identity) throws Exception {
    LeaderElection election = LeaderElection.defaults(identity)
        .withTimings(Duration.ofMillis(2000), Duration.ofMillis(1500), Duration.ofMillis(200));
    return new ControllerManager(TestCluster.client(server), KnownControllers.select(List.of("serviceaccount")),
        election, "127.0.0.1", 0).start();
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void onlyTheLeaseHolderRunsControllersAndAnotherTakesOverWhenItStops() throws Exception {
    try (ControllerManager a = manager("manager-a"); ControllerManager b = manager("manager-b")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() || b.isLeader());
      ControllerManager leader = a.isLeader() ? a : b;
      ControllerManager follower = leader == a ? b : a;
      String leaderId = leader == a ? "manager-a" : "manager-b";
      Lease lease = client.leases().inNamespace("kube-system").withName("kube-controller-manager").get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderId);
      assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);

      // the leader acts; the follower runs no controller at all
      client.namespaces().resource(new NamespaceBuilder()
          .withNewMetadata().withName("le-one").endMetadata().build()).create();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> client.serviceAccounts().inNamespace("le-one").withName("default").get() != null);
      assertThat(get(leader.port(), "/metrics")).contains("workqueue_adds_total{name=\"serviceaccount\"}");
      assertThat(get(follower.port(), "/metrics")).doesNotContain("workqueue_adds_total");
      assertThat(follower.isLeader()).isFalse();
      assertThat(get(follower.port(), "/healthz")).isEqualTo("ok");

      leader.close();
      await().atMost(Duration.ofSeconds(10)).until(follower::isLeader);
      client.namespaces().resource(new NamespaceBuilder()
          .withNewMetadata().withName("le-two").endMetadata().build()).create();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> client.serviceAccounts().inNamespace("le-two").withName("default").get() != null);
      String metrics = get(follower.port(), "/metrics");
      assertThat(metrics).contains("workqueue_depth{name=\"serviceaccount\"}")
          .contains("controller_reconcile_duration_seconds_count{controller=\"serviceaccount\"}")
          .contains("workqueue_retries_total{name=\"serviceaccount\"}");
    }
  }
}
