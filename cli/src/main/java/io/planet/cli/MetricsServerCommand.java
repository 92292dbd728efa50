package io.planet.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.metrics.KubeletScrapeTls;
import io.planet.node.metrics.MetricsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet metrics-server}: resource metrics from the kubelets, served as metrics.k8s.io for kubectl top and the HPA. */
@Command(name = "metrics-server", mixinStandardHelpOptions = true,
    description = "Scrape the kubelets' resource metrics and serve metrics.k8s.io/v1beta1 through the API server.")
final class MetricsServerCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the cluster")
  Path kubeconfig;

  @Option(names = "--bind-address", defaultValue = "127.0.0.1",
      description = "address to serve on; the API server must reach it (default: ${DEFAULT-VALUE})")
  String bindAddress;

  @Option(names = "--secure-port", defaultValue = "10251", description = "HTTPS port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--metric-resolution", defaultValue = "15s", description = "scrape interval (default: ${DEFAULT-VALUE})")
  String resolution;

  @Option(names = "--cert-dir", defaultValue = "/var/lib/planet/metrics-server", description = "serving certificate (default: ${DEFAULT-VALUE})")
  Path certDir;

  @Option(names = "--kubelet-insecure-tls", description = "Do not verify kubelets' serving certificates (self-signed ones)")
  boolean kubeletInsecureTls;

  @Option(names = "--kubelet-certificate-authority", description = "CA kubelets' serving certificates are verified against "
      + "(default: the kubeconfig's)")
  Path kubeletCa;

  @Override
  public Integer call() {
    Duration every;
    try {
      every = Durations.parse(resolution);
    } catch (IllegalArgumentException e) {
      System.err.println("planet metrics-server: --metric-resolution: " + e.getMessage());
      return 2;
    }
    KubernetesClient client;
    MetricsServer server;
    try {
      io.fabric8.kubernetes.client.Config config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
      client = KubeClients.client(config);
      server = new MetricsServer(client, every, new KubeletScrapeTls(kubeletInsecureTls, kubeletCa)).start(new InetSocketAddress(bindAddress, port), certDir);
      server.register(bindAddress);
    } catch (KubeClients.UsageException | IOException e) {
      System.err.println("planet metrics-server: " + e.getMessage());
      return 1;
    }
    System.err.println("planet metrics-server: serving metrics.k8s.io on https://" + bindAddress + ":" + server.port());
    Foreground.awaitShutdown(() -> {
      server.close();
      client.close();
    });
    return 0;
  }
}
