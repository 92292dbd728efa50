package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.e2e.Fabric8.WatchTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fabric8 kubernetes-client's everyday calls against Planet's API server. */
class Fabric8ClientE2E {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TestApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    client = Fabric8.client(server);
  }

  @AfterAll
  static void stop() {
    if (client != null) client.close();
    if (server == null) return;
    try {
      server.close();
    } finally {
      server.etcd().close(); // never leak the etcd process, even if stopping the API server fails
    }
  }

  /** Opens a watch, failing clearly if it does not become ready (fabric8 itself waits forever). */
  private static Watch openWatch(Supplier<Watch> open, WatchTransport transport) throws Exception {
    CompletableFuture<Watch> f = CompletableFuture.supplyAsync(open);
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("fabric8 watch (" + transport + ") did not become ready within 10 s", e);
    }
  }

  private static ConfigMap cm(String name, String tier, String v) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("tier", tier).endMetadata()
        .addToData("v", v).build();
  }

  @Test
  void configMapCrud() {
    String ns = Fabric8.namespace(server, "f8-crud");
    var cms = client.configMaps().inNamespace(ns);

    ConfigMap created = cms.resource(cm("a", "front", "1")).create();
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
    assertThat(created.getMetadata().getCreationTimestamp()).isNotEmpty();
    cms.resource(cm("b", "back", "1")).create();
    cms.resource(cm("c", "back", "1")).create();
    assertThatThrownBy(() -> cms.resource(cm("a", "front", "1")).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));

    assertThat(cms.withName("a").get().getData()).containsEntry("v", "1");
    assertThat(cms.withName("missing").get()).isNull();

    ConfigMapList back = cms.withLabel("tier", "back").list();
    assertThat(back.getItems()).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("b", "c");
    assertThat(back.getMetadata().getResourceVersion()).isNotEmpty();
    assertThat(cms.withLabelIn("tier", "front", "back").list().getItems()).hasSize(3);
    assertThat(cms.withoutLabel("tier", "back").list().getItems()).extracting(c -> c.getMetadata().getName())
        .containsExactly("a");

    ConfigMap edited = cms.withName("a").edit(c -> new ConfigMapBuilder(c).addToData("w", "2").build());
    assertThat(edited.getData()).containsEntry("v", "1").containsEntry("w", "2");
    assertThat(edited.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());

    ConfigMap merged = cms.withName("a").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"data\":{\"v\":\"10\",\"w\":null}}");
    assertThat(merged.getData()).containsEntry("v", "10").doesNotContainKey("w");
    ConfigMap jsonPatched = cms.withName("a").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":\"y\"}]");
    assertThat(jsonPatched.getData()).containsEntry("x", "y");
    ConfigMap strategic = cms.withName("a").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"metadata\":{\"labels\":{\"patched\":\"true\"}}}");
    assertThat(strategic.getMetadata().getLabels()).containsEntry("patched", "true").containsEntry("tier", "front");

    // stale update: optimistic concurrency
    ConfigMap stale = new ConfigMapBuilder(created).addToData("v", "stale").build();
    assertThatThrownBy(() -> cms.resource(stale).update())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));

    assertThat(cms.withName("a").delete()).hasSize(1);
    assertThat(cms.withName("a").get()).isNull();
    assertThat(cms.withLabel("tier", "back").delete()).hasSize(2);
    await("collection deleted").atMost(WAIT).until(() -> cms.list().getItems().isEmpty());
  }

  @Test
  void serverSideApplyAndPagedList() {
    String ns = Fabric8.namespace(server, "f8-ssa");
    var cms = client.configMaps().inNamespace(ns);

    ConfigMap applied = cms.resource(cm("ssa", "front", "1")).fieldManager("e2e").forceConflicts().serverSideApply();
    assertThat(applied.getData()).containsEntry("v", "1");
    assertThat(applied.getMetadata().getManagedFields()).extracting(f -> f.getManager() + "/" + f.getOperation())
        .contains("e2e/Apply");
    ConfigMap reapplied = cms.resource(cm("ssa", "front", "2")).fieldManager("e2e").forceConflicts()
        .serverSideApply();
    assertThat(reapplied.getData()).containsEntry("v", "2");

    for (int i = 0; i < 4; i++) cms.resource(cm("page-" + i, "paged", "1")).create();
    ConfigMapList first = cms.withLabel("tier", "paged").list(new ListOptionsBuilder().withLimit(3L).build());
    assertThat(first.getItems()).hasSize(3);
    assertThat(first.getMetadata().getContinue()).isNotEmpty();
    ConfigMapList rest = cms.withLabel("tier", "paged").list(new ListOptionsBuilder().withLimit(3L)
        .withContinue(first.getMetadata().getContinue()).build());
    assertThat(rest.getItems()).hasSize(1);
    assertThat(rest.getMetadata().getContinue()).isNullOrEmpty();
  }

  @Test
  void podCreateGetDelete() {
    String ns = Fabric8.namespace(server, "f8-pods");
    Pod pod = new PodBuilder().withNewMetadata().withName("p1").addToLabels("app", "demo").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36")
        .withCommand("sleep", "3600").endContainer().endSpec().build();

    Pod created = client.pods().inNamespace(ns).resource(pod).create();
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    assertThat(client.pods().inNamespace(ns).withLabel("app", "demo").list().getItems()).hasSize(1);
    assertThat(client.pods().inNamespace(ns).withName("p1").get().getSpec().getContainers().get(0).getImage())
        .isEqualTo("busybox:1.36");

    // an unscheduled pod has no kubelet to wait for: it goes away at once
    assertThat(client.pods().inNamespace(ns).withName("p1").delete()).hasSize(1);
    await("pod deleted").atMost(WAIT).until(() -> client.pods().inNamespace(ns).withName("p1").get() == null);
  }

  @Test
  void deploymentScale() {
    String ns = Fabric8.namespace(server, "f8-deploy");
    Deployment d = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25").endContainer().endSpec()
        .endTemplate().endSpec().build();
    client.apps().deployments().inNamespace(ns).resource(d).create();

    client.apps().deployments().inNamespace(ns).withName("web").scale(3);
    assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
        .isEqualTo(3);
    assertThat(client.apps().deployments().inNamespace(ns).withName("web").scale().getSpec().getReplicas())
        .isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void watchSeesAddModifyDeleteInOrder(WatchTransport transport) throws Exception {
    String ns = Fabric8.namespace(server, "f8-watch-" + transport.name().toLowerCase().replace('_', '-'));
    KubernetesClient client = Fabric8.client(server, transport);
    try {
      watchInOrder(client, ns, transport);
    } finally {
      client.close();
    }
  }

  private static void watchInOrder(KubernetesClient client, String ns, WatchTransport transport) throws Exception {
    var cms = client.configMaps().inNamespace(ns);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<WatcherException> closed = new CopyOnWriteArrayList<>();
    Watcher<ConfigMap> watcher = new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap cm) {
        seen.add(action + " " + cm.getMetadata().getName() + " " + cm.getData().get("v"));
      }

      @Override
      public void onClose(WatcherException cause) {
        closed.add(cause);
      }
    };
    try (Watch w = openWatch(() -> cms.watch(watcher), transport)) {
      cms.resource(cm("w1", "x", "1")).create();
      cms.withName("w1").edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
      cms.resource(cm("w2", "x", "1")).create();
      cms.withName("w1").delete();
      await("watch events").atMost(WAIT).until(() -> seen.size() >= 4);
      assertThat(seen).containsExactly("ADDED w1 1", "MODIFIED w1 2", "ADDED w2 1", "DELETED w1 2");
    }

    // a watch from a list's resourceVersion replays only later changes
    String rv = cms.list().getMetadata().getResourceVersion();
    cms.withName("w2").edit(c -> new ConfigMapBuilder(c).addToData("v", "3").build());
    seen.clear();
    try (Watch w = openWatch(() -> cms.withResourceVersion(rv).watch(watcher), transport)) {
      await("watch from resourceVersion").atMost(WAIT).until(() -> !seen.isEmpty());
      assertThat(seen).containsExactly("MODIFIED w2 3");
    }
    assertThat(closed).allMatch(c -> c == null);
  }
}
