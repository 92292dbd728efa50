package io.planet.cli.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.node.network.HostGatewayRoutes;
import io.planet.node.proxy.Proxier;
import io.planet.node.server.KubeletServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node agent and the service proxy as a machine of the cluster runs them: the same on a single-node cluster and
 * on a joined node, which differ only in the credentials they are given.
 */
final class NodeAgents {
  private NodeAgents() {}

  /** A started kubelet on {@code kubeconfig}, its HTTPS API serving the given certificate, clients checked against {@code ca}. */
  static Handle<Kubelet> kubelet(ClusterConfig config, Path kubeconfig, Path servingCert, Path servingKey, Path ca)
      throws Exception {
    KubernetesClient c = SingleNodeCluster.client(kubeconfig);
    NodeStatusManager.Options d = NodeStatusManager.Options.defaults(config.nodeName(), config.dataDir());
    NodeStatusManager.Options node = new NodeStatusManager.Options(config.nodeName(), config.dataDir(),
        config.advertiseAddress(), Map.of(), List.of(), d.leaseRenewInterval(), d.leaseDurationSeconds(),
        d.statusUpdateInterval(), d.statusReportInterval());
    Kubelet.Paths paths = new Kubelet.Paths(config.dataDir(), config.runDir(), config.podLogsDir(), Path.of("/run/netns"));
    Kubelet k = new Kubelet(c, node, paths, Set.of(), Duration.ofSeconds(10), Duration.ofMinutes(5),
        PodNetworking.cni(c, config.nodeName(), null, config.dataDir().resolve("cni"), config.bridge()),
        config.ports().kubelet(), List.of(config.clusterDns()), config.clusterDomain())
        .withServerConfig(KubeletServerConfig.secured(servingCert, servingKey, ca));
    k.start();
    return Handle.of(k, k, c);
  }

  /** A started proxy and, beside it, the routes to the other nodes' pod CIDRs (pods on other nodes, host-gw style). */
  static Handle<Proxier> proxy(ClusterConfig config, Path kubeconfig) throws Exception {
    KubernetesClient c = SingleNodeCluster.client(kubeconfig);
    Proxier p = new Proxier(c, Proxier.Options.defaults(config.nodeName(), config.clusterCidr()));
    p.start();
    HostGatewayRoutes routes = new HostGatewayRoutes(c, config.nodeName());
    routes.start();
    return Handle.of(p, routes, p, c);
  }
}
