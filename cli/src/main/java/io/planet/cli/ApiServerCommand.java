package io.planet.cli;

import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import io.planet.apiserver.admission.AdmissionConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet apiserver}: serves the Kubernetes API on etcd until interrupted. */
@Command(name = "apiserver", mixinStandardHelpOptions = true,
    description = "Serve the Kubernetes API, backed by etcd.")
final class ApiServerCommand implements Callable<Integer> {
  @Option(names = "--etcd-servers", defaultValue = "http://127.0.0.1:2379", description = "etcd client URLs, comma-separated (default: ${DEFAULT-VALUE})")
  String etcdServers;

  @Option(names = "--bind-address", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE})")
  String bindAddress;

  @Option(names = {"--port", "--secure-port"}, defaultValue = "6443", description = "Port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--advertise-address", defaultValue = "", description = "Address published in the kubernetes Endpoints (default: the bind address)")
  String advertiseAddress;

  @Option(names = "--service-cluster-ip-range", defaultValue = "10.96.0.0/12", description = "CIDR cluster IPs are allocated from (default: ${DEFAULT-VALUE})")
  String serviceRange;

  @Option(names = "--service-node-port-range", defaultValue = "30000-32767", description = "Node port range (default: ${DEFAULT-VALUE})")
  String nodePortRange;

  @Option(names = "--etcd-compaction-interval", defaultValue = "5m", description = "How often etcd is compacted; 0 disables (default: ${DEFAULT-VALUE})")
  String compactionInterval;

  @Option(names = "--watch-cache-size", defaultValue = "10000", description = "Events kept per resource for watches (default: ${DEFAULT-VALUE})")
  int watchCacheSize;

  @Option(names = "--enable-garbage-collector", defaultValue = "false", description = "Add orphan/foregroundDeletion finalizers on delete (needs a running garbage collector)")
  boolean enableGc;

  @Option(names = "--enable-admission-plugins", split = ",", description = "Admission plugins to enable in addition to the "
      + "default-on ones (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, Priority, DefaultTolerationSeconds, "
      + "ResourceQuota); comma-separated")
  java.util.List<String> enableAdmission = new java.util.ArrayList<>();

  @Option(names = "--disable-admission-plugins", split = ",", description = "Admission plugins to disable even if on by default; "
      + "comma-separated")
  java.util.List<String> disableAdmission = new java.util.ArrayList<>();

  @Override
  public Integer call() {
    String[] range = nodePortRange.split("-");
    if (range.length != 2) {
      System.err.println("planet apiserver: --service-node-port-range must look like 30000-32767");
      return 2;
    }
    Duration compaction;
    try {
      compaction = Durations.parse(compactionInterval);
    } catch (IllegalArgumentException e) {
      System.err.println("planet apiserver: --etcd-compaction-interval: " + e.getMessage());
      return 2;
    }
    ApiServerConfig config = new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceRange,
        Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()), compaction, watchCacheSize,
        Duration.ofMinutes(1), Duration.ofHours(1), enableGc, 64)
        .withAdmission(new AdmissionConfig(enableAdmission, disableAdmission, null));
    ApiServer server;
    try {
      server = new ApiServer(config).start();
    } catch (ApiServer.StartupException | IllegalArgumentException e) {
      System.err.println("planet apiserver: " + e.getMessage());
      return 1;
    }
    System.err.println("planet apiserver: serving on " + server.url() + " (etcd " + etcdServers + ")");
    Foreground.awaitShutdown(() -> server.close());
    return 0;
  }
}
