package io.planet.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;

/** fabric8 clients for a test server: plain HTTP, no kubeconfig or environment from the machine. */
final class Fabric8 {
  /** How the client watches: fabric8's default tries a WebSocket first; the other mode uses plain HTTP streams. */
  enum WatchTransport {
    WEBSOCKET_DEFAULT(false), HTTP_ONLY(true);

    final boolean onlyHttp;

    WatchTransport(boolean onlyHttp) {
      this.onlyHttp = onlyHttp;
    }
  }

  private Fabric8() {}

  static KubernetesClient client(TestApiServer server) {
    return client(server, WatchTransport.WEBSOCKET_DEFAULT);
  }

  static KubernetesClient client(TestApiServer server, WatchTransport transport) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(server.url())
        .withNamespace("default")
        .withOnlyHttpWatches(transport.onlyHttp)
        .withRequestRetryBackoffLimit(3)
        .withWatchReconnectInterval(200)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Creates a namespace through the API and returns its name. */
  static String namespace(TestApiServer server, String name) {
    server.client().create("/api/v1/namespaces", """
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}""".formatted(name));
    return name;
  }
}
