package io.planet.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.hollow.HollowNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet hollow-node}: fake nodes for controller tests and scale benchmarks (like KWOK). */
@Command(name = "hollow-node", mixinStandardHelpOptions = true,
    description = "Register fake (hollow) nodes that run bound pods as status only. For tests and benchmarks, never for workloads.")
final class HollowNodeCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the cluster")
  Path kubeconfig;

  @Option(names = "--count", defaultValue = "1", description = "How many nodes (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--name-prefix", defaultValue = "hollow", description = "Node names are <prefix>-<i> (default: ${DEFAULT-VALUE})")
  String prefix;

  @Option(names = "--cpu", defaultValue = "4", description = "CPU capacity per node (default: ${DEFAULT-VALUE})")
  String cpu;

  @Option(names = "--memory", defaultValue = "16Gi", description = "Memory capacity per node (default: ${DEFAULT-VALUE})")
  String memory;

  @Option(names = "--max-pods", defaultValue = "110", description = "Pod capacity per node (default: ${DEFAULT-VALUE})")
  int pods;

  @Option(names = "--node-lease-duration-seconds", defaultValue = "40", description = "Lease duration (default: ${DEFAULT-VALUE})")
  int leaseSeconds;

  @Option(names = "--lease-renew-interval", defaultValue = "10s", description = "How often leases are renewed (default: ${DEFAULT-VALUE})")
  String renew;

  @Override
  public Integer call() {
    if (count < 1) {
      System.err.println("planet hollow-node: --count must be at least 1");
      return 2;
    }
    Duration every;
    try {
      every = Durations.parse(renew);
    } catch (IllegalArgumentException e) {
      System.err.println("planet hollow-node: --lease-renew-interval: " + e.getMessage());
      return 2;
    }
    KubernetesClient client;
    HollowNodes nodes;
    try {
      io.fabric8.kubernetes.client.Config config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
      client = KubeClients.client(config);
      nodes = new HollowNodes(client, new HollowNodes.Options(prefix, count, cpu, memory, pods, leaseSeconds, every));
      System.err.println("planet hollow-node: registering " + count + " hollow node(s) " + prefix + "-0.." + prefix + "-" + (count - 1));
      nodes.start();
    } catch (KubeClients.UsageException e) {
      System.err.println("planet hollow-node: " + e.getMessage());
      return 1;
    }
    System.err.println("planet hollow-node: " + count + " node(s) ready; Ctrl-C stops their heartbeats");
    Foreground.awaitShutdown(() -> {
      nodes.close();
      client.close();
    });
    return 0;
  }
}
