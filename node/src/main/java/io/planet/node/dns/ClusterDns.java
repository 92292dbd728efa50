package io.planet.node.dns;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The cluster DNS server (CoreDNS with the kubernetes, forward and cache plugins, in one): answers the cluster domain
 * from Service and EndpointSlice informers and forwards everything else to the upstream resolvers.
 */
public final class ClusterDns implements AutoCloseable {
  /**
   * {@code upstreams} empty: the nameservers of {@code resolvConf}. {@code ttl}: of cluster records;
   * {@code cacheTtl}: the longest a forwarded answer is reused.
   */
  public record Options(InetSocketAddress listen, String clusterDomain, List<InetSocketAddress> upstreams, Path resolvConf,
      Duration ttl, Duration cacheTtl, Duration upstreamTimeout) {
    public Options {
      upstreams = List.copyOf(upstreams);
    }

    public static Options defaults(InetSocketAddress listen, String clusterDomain) {
      return new Options(listen, clusterDomain, List.of(), Path.of("/etc/resolv.conf"), Duration.ofSeconds(5),
          Duration.ofSeconds(30), Duration.ofSeconds(2));
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private InformerServiceDirectory directory;
  private DnsServer server;
  private List<InetSocketAddress> upstreams = List.of();

  public ClusterDns(KubernetesClient client, Options options) {
    this.client = client;
    this.options = options;
  }

  /** Syncs the informers, then serves. Without any upstream resolver, names outside the zone are REFUSED. */
  public void start() throws Exception {
    directory = new InformerServiceDirectory(client);
    directory.start(Duration.ofSeconds(30));
    upstreams = options.upstreams().isEmpty()
        ? Forwarder.upstreams(ResolvConf.read(options.resolvConf()), options.listen()) : options.upstreams();
    Forwarder forwarder = upstreams.isEmpty() ? null : new Forwarder(upstreams, options.upstreamTimeout(), options.cacheTtl());
    ClusterZone zone = new ClusterZone(options.clusterDomain(), directory, options.ttl().toSeconds());
    try {
      server = new DnsServer(options.listen(), new ClusterDnsHandler(zone, forwarder));
    } catch (IOException e) {
      directory.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  /** The resolvers names outside the cluster domain go to. */
  public List<InetSocketAddress> upstreams() {
    return upstreams;
  }

  @Override
  public void close() {
    if (server != null) server.close();
    if (directory != null) directory.close();
  }
}
