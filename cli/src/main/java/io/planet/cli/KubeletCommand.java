package io.planet.cli;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.node.server.KubeletServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet kubelet}: the node agent, running the pods bound to this node as runc containers. */
@Command(name = "kubelet", mixinStandardHelpOptions = true,
    description = "Run the node agent: register this machine as a Node and run the pods bound to it (root).")
final class KubeletCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the cluster")
  Path kubeconfig;

  @Option(names = "--node-name", required = true, description = "name of this Node")
  String nodeName;

  @Option(names = "--data-dir", defaultValue = "/var/lib/planet", description = "images, containers and pod data (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--pod-logs-dir", defaultValue = "/var/log/pods", description = "container logs (default: ${DEFAULT-VALUE})")
  Path logsDir;

  @Option(names = "--node-ip", description = "the address to report (default: the first address of an up interface)")
  String nodeIp;

  @Option(names = "--node-labels", split = ",", description = "labels to add when registering, k=v[,k=v]")
  List<String> labels = new ArrayList<>();

  @Option(names = "--register-with-taints", split = ",", description = "taints to register with, key[=value]:Effect[,...]")
  List<String> taints = new ArrayList<>();

  @Option(names = "--pod-cidr", description = "pod CIDR to use when the Node gets none from node IPAM (e.g. 10.244.0.0/24)")
  String podCidr;

  @Option(names = "--port", defaultValue = "10250", description = "kubelet API port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--cluster-dns", split = ",", description = "cluster DNS server IP(s) for ClusterFirst pods' resolv.conf")
  List<String> clusterDns = new ArrayList<>();

  @Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "the cluster's DNS domain (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(names = "--insecure-registry", description = "registry host[:port] pulled from over plain HTTP (repeatable)")
  List<String> insecure = new ArrayList<>();

  @Option(names = "--tls-cert-file", description = "kubelet API serving certificate (PEM); default: a self-signed one in the data dir")
  Path tlsCertFile;

  @Option(names = "--tls-private-key-file", description = "key of --tls-cert-file (PEM, PKCS#8)")
  Path tlsKeyFile;

  @Option(names = "--client-ca-file", description = "CA bundle that client certificates of kubelet API requests are verified "
      + "against; turns on authentication and authorization (defaults below change with it)")
  Path clientCaFile;

  @Option(names = "--anonymous-auth", arity = "1", description = "serve kubelet API requests without credentials as "
      + "system:anonymous (default: true without --client-ca-file, false with it)")
  Boolean anonymousAuth;

  @Option(names = "--authentication-token-webhook", arity = "0..1", fallbackValue = "true", description = "check bearer "
      + "tokens with a TokenReview (default: false without --client-ca-file, true with it)")
  Boolean tokenWebhook;

  @Option(names = "--authorization-mode", description = "AlwaysAllow or Webhook (SubjectAccessReview per request) "
      + "(default: AlwaysAllow without --client-ca-file, Webhook with it)")
  String authorizationMode;

  @Option(names = "--allowed-unsafe-sysctls", split = ",", description = "unsafe sysctls (names, or prefixes ending "
      + "in *) pods may set beyond the safe set, e.g. 'kernel.msg*,net.core.somaxconn'")
  List<String> allowedUnsafeSysctls = new ArrayList<>();

  @Override
  public Integer call() {
    if (!"root".equals(System.getProperty("user.name"))) {
      System.err.println("planet kubelet: must run as root (it creates namespaces, mounts and runc containers)");
      return 1;
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    List<Taint> taintList = new ArrayList<>();
    try {
      for (String l : labels) {
        String[] kv = l.split("=", 2);
        labelMap.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
      for (String t : taints) taintList.add(taint(t));
    } catch (IllegalArgumentException e) {
      System.err.println("planet kubelet: " + e.getMessage());
      return 2;
    }
    KubeletServerConfig serverConfig;
    try {
      serverConfig = serverConfig();
    } catch (IllegalArgumentException e) {
      System.err.println("planet kubelet: " + e.getMessage());
      return 2;
    }
    KubernetesClient client;
    Kubelet kubelet;
    try {
      io.fabric8.kubernetes.client.Config config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
      client = KubeClients.client(config);
      NodeStatusManager.Options defaults = NodeStatusManager.Options.defaults(nodeName, dataDir);
      NodeStatusManager.Options node = new NodeStatusManager.Options(nodeName, dataDir, nodeIp, labelMap, taintList,
          defaults.leaseRenewInterval(), defaults.leaseDurationSeconds(), defaults.statusUpdateInterval(),
          defaults.statusReportInterval());
      Kubelet.Paths paths = new Kubelet.Paths(dataDir, Path.of("/run/planet"), logsDir, Path.of("/run/netns"));
      kubelet = new Kubelet(client, node, paths, Set.copyOf(insecure), Duration.ofSeconds(10), Duration.ofMinutes(5),
          PodNetworking.cni(client, nodeName, podCidr, dataDir.resolve("cni"), null), port, clusterDns, clusterDomain)
          .withServerConfig(serverConfig).withAllowedUnsafeSysctls(allowedUnsafeSysctls);
      kubelet.start();
    } catch (KubeClients.UsageException | IOException | IllegalArgumentException e) {
      System.err.println("planet kubelet: " + e.getMessage());
      return 1;
    }
    System.err.println("planet kubelet: node " + nodeName + " registered; running its pods (Ctrl-C stops the agent)");
    Foreground.awaitShutdown(() -> {
      kubelet.close();
      client.close();
    });
    return 0;
  }

  /**
   * The kubelet API's security from the flags: with --client-ca-file the defaults are upstream's KubeletConfiguration
   * ones (what kubeadm runs: no anonymous, token webhook, Webhook authorization); without it, upstream's command-line
   * defaults (anonymous, AlwaysAllow). Explicit flags win either way.
   */
  KubeletServerConfig serverConfig() {
    KubeletServerConfig base = clientCaFile == null ? KubeletServerConfig.open()
        : KubeletServerConfig.secured(tlsCertFile, tlsKeyFile, clientCaFile);
    return new KubeletServerConfig(tlsCertFile, tlsKeyFile, clientCaFile,
        anonymousAuth == null ? base.anonymousAuth() : anonymousAuth,
        tokenWebhook == null ? base.tokenWebhook() : tokenWebhook, null,
        authorizationMode == null ? base.authorizationMode() : authorizationMode, null, null);
  }

  /** key[=value]:Effect, as kubelet's --register-with-taints. */
  static Taint taint(String spec) {
    int colon = spec.lastIndexOf(':');
    if (colon < 0) throw new IllegalArgumentException("invalid taint \"" + spec + "\": want key[=value]:Effect");
    String effect = spec.substring(colon + 1);
    if (!Set.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
      throw new IllegalArgumentException("invalid taint effect \"" + effect + "\": want NoSchedule, PreferNoSchedule or NoExecute");
    }
    String[] kv = spec.substring(0, colon).split("=", 2);
    return new TaintBuilder().withKey(kv[0]).withValue(kv.length > 1 ? kv[1] : null).withEffect(effect).build();
  }
}
