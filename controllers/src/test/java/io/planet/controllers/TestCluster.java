package io.planet.controllers;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A real API server (garbage collection on) with a controller manager running the named controllers. */
final class TestCluster implements AutoCloseable {
  final TestApiServer server;
  final KubernetesClient client;
  final ControllerManager manager;

  TestCluster(String... controllers) {
    this(KnownControllers.select(List.of(controllers)));
  }

  /** Controllers built by the given factories (e.g. with test-sized grace periods). */
  TestCluster(Map<String, Function<KubernetesClient, Controller>> controllers) {
    try {
      server = new TestApiServer(c -> c.withGarbageCollector(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client = client(server);
    try {
      manager = new ControllerManager(client(server), controllers,
          LeaderElection.defaults("test").withEnabled(false), "127.0.0.1", 0).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KubernetesClient client(TestApiServer server) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withNamespace("default")
        .withRequestRetryBackoffLimit(3).withWatchReconnectInterval(200).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  String namespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  @Override
  public void close() {
    manager.close();
    client.close();
    server.close();
  }
}
