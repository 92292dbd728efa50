package io.planet.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

  @Override
  public Integer call() {
    Map<String, Function<KubernetesClient, Controller>> selected;
    LeaderElection election;
    try {
      selected = KnownControllers.select(controllers);
      election = new LeaderElection(leaderElect, leaseNamespace, leaseName, identity(),
          Durations.parse(leaseDuration), Durations.parse(renewDeadline), Durations.parse(retryPeriod));
    } catch (IllegalArgumentException e) {
      System.err.println(NAME + e.getMessage());
      return 2;
    }
    String contents;
    try {
      contents = Files.readString(kubeconfig);
    } catch (IOException e) {
      System.err.println(NAME + "cannot read kubeconfig " + kubeconfig + ": " + reason(e));
      return 1;
    }
    Config config;
    try {
      config = Config.fromKubeconfig(contents);
    } catch (RuntimeException e) {
      System.err.println(NAME + "invalid kubeconfig " + kubeconfig + ": " + e.getMessage());
      return 1;
    }
    config.setRequestTimeout(10_000);
    config.setConnectionTimeout(5_000);
    // one quick try up front, so a wrong address fails now with a clear message instead of retrying forever
    int retries = config.getRequestRetryBackoffLimit();
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(config).build()) {
      probe.getKubernetesVersion();
    } catch (RuntimeException e) {
      System.err.println(NAME + "cannot reach the API server at " + config.getMasterUrl() + ": " + cause(e));
      return 1;
    }
    config.setRequestRetryBackoffLimit(retries);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    ControllerManager manager;
    try {
      manager = new ControllerManager(client, selected, election, bindAddress, port).start();
    } catch (IOException e) {
      System.err.println(NAME + "cannot listen on " + bindAddress + ":" + port + ": " + reason(e));
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

  private static String identity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host + "_" + UUID.randomUUID();
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) return "connection refused";
      if (t instanceof UnknownHostException) return "unknown host " + t.getMessage();
      if (t instanceof HttpTimeoutException) return "timed out";
      if (t.getCause() == t) break;
    }
    return e.getMessage();
  }
}
