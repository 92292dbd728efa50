package io.planet.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.dns.ClusterDns;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet dns}: the cluster DNS server (what CoreDNS is upstream). */
@Command(name = "dns", mixinStandardHelpOptions = true,
    description = "Serve cluster DNS: the cluster domain from Services and EndpointSlices, other names via the upstream resolvers.")
final class DnsCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the cluster")
  Path kubeconfig;

  @Option(names = "--listen", defaultValue = "0.0.0.0:53", description = "UDP and TCP address:port (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "the cluster's DNS domain (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(names = "--resolv-conf", defaultValue = "/etc/resolv.conf",
      description = "where the upstream nameservers are read from (default: ${DEFAULT-VALUE})")
  Path resolvConf;

  @Option(names = "--upstream", description = "upstream resolver host[:port] instead of resolv.conf's (repeatable)")
  List<String> upstream = new ArrayList<>();

  @Override
  public Integer call() {
    InetSocketAddress address;
    List<InetSocketAddress> upstreams = new ArrayList<>();
    try {
      address = hostPort(listen, 53);
      for (String u : upstream) upstreams.add(hostPort(u, 53));
    } catch (IllegalArgumentException e) {
      System.err.println("planet dns: " + e.getMessage());
      return 2;
    }
    KubernetesClient client;
    ClusterDns dns;
    try {
      io.fabric8.kubernetes.client.Config config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
      client = KubeClients.client(config);
      ClusterDns.Options defaults = ClusterDns.Options.defaults(address, clusterDomain);
      dns = new ClusterDns(client, new ClusterDns.Options(address, clusterDomain, upstreams, resolvConf, defaults.ttl(),
          defaults.cacheTtl(), defaults.upstreamTimeout()));
      dns.start();
    } catch (KubeClients.UsageException e) {
      System.err.println("planet dns: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println("planet dns: " + e);
      return 1;
    }
    System.err.println("planet dns: serving " + clusterDomain + " on " + address.getHostString() + ":" + dns.port()
        + " (UDP, TCP); forwarding to " + (dns.upstreams().isEmpty() ? "nobody" : dns.upstreams()));
    Foreground.awaitShutdown(() -> {
      dns.close();
      client.close();
    });
    return 0;
  }

  /** host:port, [v6]:port or host alone (default port). */
  static InetSocketAddress hostPort(String spec, int defaultPort) {
    String host = spec;
    int port = defaultPort;
    int colon = spec.lastIndexOf(':');
    if (spec.startsWith("[")) {
      int close = spec.indexOf(']');
      if (close < 0) throw new IllegalArgumentException("bad address " + spec);
      host = spec.substring(1, close);
      if (close + 1 < spec.length() && spec.charAt(close + 1) == ':') port = parsePort(spec.substring(close + 2), spec);
    } else if (colon >= 0 && spec.indexOf(':') == colon) {
      host = spec.substring(0, colon);
      port = parsePort(spec.substring(colon + 1), spec);
    }
    return new InetSocketAddress(host, port);
  }

  private static int parsePort(String s, String spec) {
    try {
      int p = Integer.parseInt(s);
      if (p < 0 || p > 65535) throw new NumberFormatException();
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in " + spec);
    }
  }
}
