package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.e2e.Fabric8.WatchTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fabric8 SharedIndexInformer sees every add, update and delete of ConfigMaps in order, also across an API server
 * restart (same port, same etcd): the informer's watch breaks, it reconnects (resuming or relisting) and carries on.
 */
class Fabric8InformerE2E {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestApiServer server;
  private static final Map<WatchTransport, KubernetesClient> clients = new EnumMap<>(WatchTransport.class);

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    for (WatchTransport t : WatchTransport.values()) clients.put(t, Fabric8.client(server, t));
  }

  @AfterAll
  static void stop() {
    clients.values().forEach(KubernetesClient::close);
    if (server == null) return;
    try {
      server.close();
    } finally {
      server.etcd().close(); // never leak the etcd process, even if stopping the API server fails
    }
  }

  /** What the handler saw: the event, the object's name and the value of its "v" data key. */
  private record Seen(String event, String name, String v) {
    @Override
    public String toString() {
      return event + " " + name + " v=" + v;
    }
  }

  private static final class Recorder implements ResourceEventHandler<ConfigMap> {
    final List<Seen> events = new CopyOnWriteArrayList<>();

    @Override
    public void onAdd(ConfigMap cm) {
      events.add(seen("ADD", cm));
    }

    @Override
    public void onUpdate(ConfigMap old, ConfigMap cm) {
      // a relist or resync re-delivers unchanged objects as updates; those are not changes
      if (Objects.equals(old.getMetadata().getResourceVersion(), cm.getMetadata().getResourceVersion())) return;
      events.add(seen("UPDATE", cm));
    }

    @Override
    public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
      events.add(seen(finalStateUnknown ? "DELETE(final state unknown)" : "DELETE", cm));
    }

    private static Seen seen(String event, ConfigMap cm) {
      Map<String, String> data = cm.getData();
      return new Seen(event, cm.getMetadata().getName(), data == null ? null : data.get("v"));
    }

    List<Seen> of(String name) {
      return events.stream().filter(e -> e.name().equals(name)).collect(Collectors.toList());
    }
  }

  private static ConfigMap cm(String ns, String name, String v) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToData("v", v).build();
  }

  private static void startAndSync(SharedIndexInformer<ConfigMap> informer, WatchTransport transport)
      throws Exception {
    try {
      informer.start().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("informer (" + transport + " watches) did not start within 15 s: its watch never"
          + " became ready", e);
    }
    assertThat(informer.hasSynced()).isTrue();
  }

  private static void awaitSeen(Recorder r, Seen expected) {
    await("informer sees " + expected).atMost(WAIT).untilAsserted(() -> assertThat(r.events).contains(expected));
  }

  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void informerSeesEveryChangeInOrderAcrossRestart(WatchTransport transport) throws Exception {
    KubernetesClient client = clients.get(transport);
    String ns = Fabric8.namespace(server, "restart-" + transport.name().toLowerCase().replace('_', '-'));
    Recorder recorder = new Recorder();
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(ns).runnableInformer(0);
    informer.addEventHandler(recorder);
    List<Seen> expected = new ArrayList<>();
    try {
      startAndSync(informer, transport);

      // before the restart
      Resource<ConfigMap> c1 = client.configMaps().inNamespace(ns).withName("c1");
      client.resource(cm(ns, "c1", "1")).create();
      expected.add(new Seen("ADD", "c1", "1"));
      c1.edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
      expected.add(new Seen("UPDATE", "c1", "2"));
      c1.edit(c -> new ConfigMapBuilder(c).addToData("v", "3").build());
      expected.add(new Seen("UPDATE", "c1", "3"));
      assertThat(c1.delete()).hasSize(1);
      expected.add(new Seen("DELETE", "c1", "3"));
      Resource<ConfigMap> c2 = client.configMaps().inNamespace(ns).withName("c2");
      client.resource(cm(ns, "c2", "1")).create();
      expected.add(new Seen("ADD", "c2", "1"));
      c2.edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
      expected.add(new Seen("UPDATE", "c2", "2"));
      awaitSeen(recorder, new Seen("UPDATE", "c2", "2"));
      assertThat(recorder.events).containsExactlyElementsOf(expected);

      server.restart();

      // right after the restart, maybe before the informer has reconnected: one change, which a resumed watch
      // and a relist both report as the same single update
      c2.edit(c -> new ConfigMapBuilder(c).addToData("v", "3").build());
      expected.add(new Seen("UPDATE", "c2", "3"));
      awaitSeen(recorder, new Seen("UPDATE", "c2", "3"));

      // after the informer is back: the rest must arrive in order
      assertThat(c2.delete()).hasSize(1);
      expected.add(new Seen("DELETE", "c2", "3"));
      Resource<ConfigMap> c3 = client.configMaps().inNamespace(ns).withName("c3");
      client.resource(cm(ns, "c3", "1")).create();
      expected.add(new Seen("ADD", "c3", "1"));
      c3.edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
      expected.add(new Seen("UPDATE", "c3", "2"));
      awaitSeen(recorder, new Seen("UPDATE", "c3", "2"));

      // nothing more arrives (no replayed or duplicated events)
      await("no further events").during(Duration.ofSeconds(1)).atMost(WAIT)
          .until(() -> recorder.events.size() == expected.size());
      for (String name : List.of("c1", "c2", "c3")) {
        assertThat(recorder.of(name)).as("events for %s (all: %s)", name, recorder.events)
            .containsExactlyElementsOf(expected.stream().filter(e -> e.name().equals(name)).toList());
      }
      assertThat(recorder.events).as("global order").containsExactlyElementsOf(expected);

      assertThat(informer.getStore().list()).extracting(c -> c.getMetadata().getName()).containsExactly("c3");
      assertThat(informer.getStore().getByKey(ns + "/c3").getData()).containsEntry("v", "2");
      assertThat(informer.isWatching()).isTrue();
    } finally {
      informer.close();
    }
  }

  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void informerStoreSurvivesRestart(WatchTransport transport) throws Exception {
    KubernetesClient client = clients.get(transport);
    String ns = Fabric8.namespace(server, "store-" + transport.name().toLowerCase().replace('_', '-'));
    for (int i = 0; i < 5; i++) client.resource(cm(ns, "pre-" + i, "1")).create();
    Recorder recorder = new Recorder();
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(ns).runnableInformer(0);
    informer.addEventHandler(recorder);
    try {
      startAndSync(informer, transport);
      // handlers are notified asynchronously after the initial list
      await("initial adds").atMost(WAIT).untilAsserted(() ->
          assertThat(recorder.events).extracting(Seen::event).containsOnly("ADD").hasSize(5));

      server.restart();
      client.resource(cm(ns, "post", "1")).create();
      awaitSeen(recorder, new Seen("ADD", "post", "1"));

      await("no further events").during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> recorder.events.size() == 6);
      assertThat(informer.getStore().listKeys()).hasSize(6).contains(ns + "/post", ns + "/pre-0");
    } finally {
      informer.close();
    }
  }
}
