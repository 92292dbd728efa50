package io.planet.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.NodeLifecycleController;
import io.planet.controllers.RootCaCertPublisher;
import io.planet.controllers.certificates.CsrSigningController;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet controller-manager}: runs the controllers against an API server until interrupted. */
@Command(name = "controller-manager", mixinStandardHelpOptions = true,
    description = "Run the controllers (replicasets, namespaces, garbage collection, ...) as a client of the API server.")
final class ControllerManagerCommand implements Callable<Integer> {
  private static final String NAME = "planet controller-manager: ";

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig file with the API server to manage")
  Path kubeconfig;

  @Option(names = "--controllers", split = ",", defaultValue = "*",
      description = "Controllers to run: '*' for all on by default, 'foo' to enable, '-foo' to disable (default: ${DEFAULT-VALUE})")
  List<String> controllers;

  @Option(names = "--leader-elect", arity = "0..1", defaultValue = "true", fallbackValue = "true",
      description = "Elect a leader through a Lease before running controllers (default: ${DEFAULT-VALUE})")
  boolean leaderElect;

  @Option(names = "--leader-elect-lease-duration", defaultValue = "15s", description = "(default: ${DEFAULT-VALUE})")
  String leaseDuration;

  @Option(names = "--leader-elect-renew-deadline", defaultValue = "10s", description = "(default: ${DEFAULT-VALUE})")
  String renewDeadline;

  @Option(names = "--leader-elect-retry-period", defaultValue = "2s", description = "(default: ${DEFAULT-VALUE})")
  String retryPeriod;

  @Option(names = "--leader-elect-resource-namespace", defaultValue = "kube-system", description = "(default: ${DEFAULT-VALUE})")
  String leaseNamespace;

  @Option(names = "--leader-elect-resource-name", defaultValue = "kube-controller-manager", description = "(default: ${DEFAULT-VALUE})")
  String leaseName;

  @Option(names = {"--port", "--secure-port"}, defaultValue = "10257", description = "Port for /healthz and /metrics (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--bind-address", defaultValue = "127.0.0.1", description = "Address for /healthz and /metrics (default: ${DEFAULT-VALUE})")
  String bindAddress;

  @Option(names = "--node-monitor-grace-period", defaultValue = "50s",
      description = "How long a node may go without renewing its Lease before it is marked unreachable (default: ${DEFAULT-VALUE})")
  String nodeMonitorGracePeriod;

  @Option(names = "--node-startup-grace-period", defaultValue = "60s",
      description = "How long a new node may take to post its first status before it is marked unreachable (default: ${DEFAULT-VALUE})")
  String nodeStartupGracePeriod;

  @Option(names = "--node-monitor-period", defaultValue = "5s",
      description = "How often the node lifecycle controller looks at each node (default: ${DEFAULT-VALUE})")
  String nodeMonitorPeriod;

  @Option(names = "--root-ca-file",
      description = "CA bundle (PEM) published as ConfigMap kube-root-ca.crt in every namespace (default: none, nothing published)")
  Path rootCaFile;

  @Option(names = "--cluster-signing-cert-file",
      description = "PEM CA certificate csrsigning issues kubelet and kube-apiserver-client certificates with (default: none, nothing signed)")
  Path clusterSigningCertFile;

  @Option(names = "--cluster-signing-key-file", description = "PEM private key of --cluster-signing-cert-file")
  Path clusterSigningKeyFile;

  @Option(names = "--cluster-signing-duration", defaultValue = "8760h",
      description = "Longest validity of the certificates csrsigning issues (default: ${DEFAULT-VALUE})")
  String clusterSigningDuration;

  @Override
  public Integer call() {
    Map<String, Function<KubernetesClient, Controller>> selected;
    LeaderElection election;
    try {
      selected = KnownControllers.select(controllers);
      Duration grace = Durations.parse(nodeMonitorGracePeriod);
      Duration startupGrace = Durations.parse(nodeStartupGracePeriod);
      Duration monitor = Durations.parse(nodeMonitorPeriod);
      selected.computeIfPresent("node-lifecycle-controller",
          (name, defaults) -> c -> new NodeLifecycleController(c, grace, startupGrace, monitor));
      String caBundle = readRootCa();
      selected.computeIfPresent("root-ca-certificate-publisher-controller",
          (name, defaults) -> c -> new RootCaCertPublisher(c, caBundle));
      if ((clusterSigningCertFile == null) != (clusterSigningKeyFile == null)) {
        throw new IllegalArgumentException("--cluster-signing-cert-file and --cluster-signing-key-file go together");
      }
      Duration signingDuration = Durations.parse(clusterSigningDuration);
      if (clusterSigningCertFile != null) {
        selected.computeIfPresent("certificatesigningrequest-signing-controller", (name, defaults) -> c ->
            new CsrSigningController(c, clusterSigningCertFile, clusterSigningKeyFile, signingDuration));
      }
      election = new LeaderElection(leaderElect, leaseNamespace, leaseName, identity(),
          Durations.parse(leaseDuration), Durations.parse(renewDeadline), Durations.parse(retryPeriod));
    } catch (IllegalArgumentException e) {
      System.err.println(NAME + e.getMessage());
      return 2;
    }
    Config config;
    try {
      config = KubeClients.config(kubeconfig);
      KubeClients.checkReachable(config);
    } catch (KubeClients.UsageException e) {
      System.err.println(NAME + e.getMessage());
      return 1;
    }
    KubernetesClient client = KubeClients.client(config);
    ControllerManager manager;
    try {
      manager = new ControllerManager(client, selected, election, bindAddress, port).start();
    } catch (IOException e) {
      System.err.println(NAME + "cannot listen on " + bindAddress + ":" + port + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      client.close();
      return 1;
    }
    System.err.println(NAME + "running " + selected.keySet() + " against " + config.getMasterUrl()
        + (leaderElect ? " (leader election on " + leaseNamespace + "/" + leaseName + ")" : "")
        + "; /healthz and /metrics on " + bindAddress + ":" + manager.port());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      manager.close();
      client.close();
    }));
    try {
      // upstream exits when it loses the lease rather than trying to go on as a follower
      manager.lostLeadership().get();
      System.err.println(NAME + "leader election lost");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      return 1;
    }
  }

  private String readRootCa() {
    if (rootCaFile == null) return null;
    try {
      String pem = Files.readString(rootCaFile);
      if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new IllegalArgumentException("--root-ca-file " + rootCaFile + " holds no PEM certificate");
      }
      return pem;
    } catch (IOException e) {
      throw new IllegalArgumentException("--root-ca-file: cannot read " + rootCaFile + ": " + e.getMessage());
    }
  }

  private static String identity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host + "_" + UUID.randomUUID();
  }
}
