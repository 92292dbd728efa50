package io.planet.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.proxy.Proxier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet proxy}: the service proxy (kube-proxy, iptables mode) of this node. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
    description = "Run the service proxy: keep this node's iptables rules for Services in sync with the cluster (root).")
final class ProxyCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", description = "kubeconfig of the cluster (required unless --cleanup)")
  Path kubeconfig;

  @Option(names = "--hostname-override", description = "name of this Node (default: the host name)")
  String hostname;

  @Option(names = "--cluster-cidr", description = "pod CIDR of the cluster; ClusterIP traffic from outside it is masqueraded")
  String clusterCidr;

  @Option(names = "--cleanup", description = "remove every iptables rule and chain the proxy made, then exit")
  boolean cleanup;

  @Override
  public Integer call() {
    if (!"root".equals(System.getProperty("user.name"))) {
      System.err.println("planet proxy: must run as root (it programs iptables)");
      return 1;
    }
    if (cleanup) {
      try {
        Proxier.cleanup();
        return 0;
      } catch (IOException e) {
        System.err.println("planet proxy: cleanup: " + e.getMessage());
        return 1;
      }
    }
    if (kubeconfig == null) {
      System.err.println("planet proxy: --kubeconfig is required");
      return 2;
    }
    String node = hostname != null ? hostname : hostName();
    KubernetesClient client;
    Proxier proxier;
    try {
      io.fabric8.kubernetes.client.Config config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
      client = KubeClients.client(config);
      proxier = new Proxier(client, Proxier.Options.defaults(node, clusterCidr));
      proxier.start();
    } catch (KubeClients.UsageException e) {
      System.err.println("planet proxy: " + e.getMessage());
      return 1;
    }
    System.err.println("planet proxy: node " + node + ": syncing Service rules (Ctrl-C stops; rules stay until --cleanup)");
    Foreground.awaitShutdown(() -> {
      proxier.close();
      client.close();
    });
    return 0;
  }

  /** The machine's host name, kube-proxy's default node name. */
  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
