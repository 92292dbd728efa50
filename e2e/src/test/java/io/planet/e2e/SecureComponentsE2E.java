package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control plane as a secure cluster runs it: HTTPS, `Node,RBAC` authorization, and the scheduler and
 * controller-manager on the kubeconfigs the API server writes (their own certificates, their bootstrap roles). A
 * Deployment must still become bound pods, with leader election, events and the garbage collector working under RBAC.
 */
@Timeout(180)
class SecureComponentsE2E {
  static TestApiServer server;
  static KubernetesClient admin;
  static KubernetesClient controllerManagerClient;
  static SchedulerServer scheduler;
  static ControllerManager controllers;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.withTls(c -> c.withAuthorizationMode("Node,RBAC").withGarbageCollector(true)
        .withAdmission(c.admission().enabling("NodeRestriction")));
    admin = client("admin.kubeconfig");
    scheduler = SchedulerServer.start(server.dataDir().resolve("scheduler.kubeconfig"), SchedulerOptions.defaults()
        .withLeaderElection(true, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2))
        .withServing("127.0.0.1", 0));
    controllerManagerClient = client("controller-manager.kubeconfig");
    controllers = new ControllerManager(controllerManagerClient, KnownControllers.select(List.of("*", "-nodeipam")),
        LeaderElection.defaults("secure-e2e"), "127.0.0.1", 0).start();
  }

  static KubernetesClient client(String kubeconfig) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(server.dataDir().resolve(kubeconfig)));
    config.setNamespace("default");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (controllers != null) controllers.close();
    if (controllerManagerClient != null) controllerManagerClient.close();
    if (scheduler != null) scheduler.close();
    if (admin != null) admin.close();
    if (server != null) server.close();
  }

  @Test
  void aDeploymentIsScheduledAndCollectedByComponentsUsingTheirOwnIdentities() {
    admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1")
        .withLabels(Map.of("kubernetes.io/hostname", "n1")).endMetadata().build()).create();
    admin.nodes().withName("n1").editStatus(n -> new NodeBuilder(n).withNewStatus()
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
        .withAllocatable(Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "pods", new Quantity("110")))
        .withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "pods", new Quantity("110")))
        .endStatus().build());

    admin.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().withNodeSelector(Map.of("kubernetes.io/hostname", "n1"))
        .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();

    // the controller-manager (system:kube-controller-manager) creates the ReplicaSet and pods; the scheduler
    // (system:kube-scheduler) binds them
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      var pods = admin.pods().withLabel("app", "web").list().getItems();
      assertThat(pods).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("n1"));
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.v1().events().list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Scheduled"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ScalingReplicaSet")));
    assertThat(admin.leases().inNamespace("kube-system").withName("kube-scheduler").get()).isNotNull();

    // the garbage collector (under the controller-manager's identity) deletes the dependents; with no kubelet on
    // n1 the pods stay Terminating, as upstream
    admin.apps().deployments().withName("web").delete();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(admin.apps().replicaSets().withLabel("app", "web").list().getItems()).isEmpty();
      assertThat(admin.pods().withLabel("app", "web").list().getItems())
          .allSatisfy(p -> assertThat(p.getMetadata().getDeletionTimestamp()).isNotNull());
    });
  }

  @Test
  void aNodeCertificateMayChangeOnlyItsOwnNode() throws Exception {
    // kubelet client certificates for two nodes, from the cluster CA, as `planet apiserver --node-name` issues them
    var pki = server.pki();
    pki.ensure(new io.planet.apiserver.pki.ClusterCertificates(List.of(
        new io.planet.apiserver.pki.ClusterCertificates.Node("k1", List.of("127.0.0.1")),
        new io.planet.apiserver.pki.ClusterCertificates.Node("k2", List.of("127.0.0.1"))), "10.96.0.0/12", "cluster.local").specs());
    for (String n : List.of("k1", "k2")) {
      io.planet.apiserver.pki.Kubeconfigs.write(server.dataDir().resolve(n + ".kubeconfig"), server.url(), pki,
          io.planet.apiserver.pki.ClusterCertificates.kubeletClient(n));
    }
    try (KubernetesClient k1 = client("k1.kubeconfig"); KubernetesClient k2 = client("k2.kubeconfig")) {
      // each registers its own Node, as a kubelet does (reading another Node is refused by the Node authorizer; a
      // blind patch reaches NodeRestriction)
      k1.nodes().resource(new NodeBuilder().withNewMetadata().withName("k1").endMetadata().build()).create();
      k2.nodes().resource(new NodeBuilder().withNewMetadata().withName("k2").endMetadata().build()).create();
      // a merge patch carries no resourceVersion: the node controller may taint the new Node meanwhile
      k1.nodes().withName("k1").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
          io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
      assertThat(admin.nodes().withName("k1").get().getMetadata().getLabels()).containsEntry("team", "a");

      var e = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
          () -> k1.nodes().withName("k2").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
              io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"team\":\"b\"}}}"));
      assertThat(e.getCode()).isEqualTo(403);
      // fabric8 reads the Node before patching it: the Node authorizer refuses that read (NodeRestriction refuses the
      // write itself: AdmissionIT and NodeAuthorizationIT check its message)
      assertThat(e.getStatus().getMessage()).startsWith("nodes \"k2\" is forbidden: User \"system:node:k1\"");
      assertThat(admin.nodes().withName("k2").get().getMetadata().getLabels()).doesNotContainKey("team");
    }
  }

  @Test
  void componentIdentitiesCannotDoWhatTheirRolesDoNotGrant() throws Exception {
    try (KubernetesClient schedulerClient = client("scheduler.kubeconfig")) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
          () -> schedulerClient.secrets().inNamespace("kube-system").list());
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getMessage()).isEqualTo("secrets is forbidden: User \"system:kube-scheduler\" cannot list "
          + "resource \"secrets\" in API group \"\" in the namespace \"kube-system\"");
    }
  }
}
