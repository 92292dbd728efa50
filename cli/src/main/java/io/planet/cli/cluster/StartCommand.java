package io.planet.cli.cluster;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code planet start}: a single-node cluster (master and node) on this machine. By default it runs as a
 * background service (re-executed detached, output to {@code <log-dir>/planet.log}) and returns once the node is
 * Ready; {@code --foreground} keeps it attached until Ctrl-C.
 */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Start a cluster on this machine (etcd, API server, scheduler, controller-manager, node agent, "
        + "proxy, DNS) and return when its node is Ready (root).")
public final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dev", description = "a development cluster: one node that is master and node (the default)")
  boolean dev;

  @Option(names = "--foreground", description = "stay attached; Ctrl-C stops the cluster")
  boolean foreground;

  @Option(names = "--data-dir", defaultValue = "/var/lib/planet", description = "etcd data, PKI, images, pods (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--run-dir", defaultValue = "/run/planet", description = "pid file and runtime state (default: ${DEFAULT-VALUE})")
  Path runDir;

  @Option(names = "--log-dir", defaultValue = "/var/log/planet", description = "planet.log, etcd.log and pod logs (default: ${DEFAULT-VALUE})")
  Path logDir;

  @Option(names = "--config-dir", defaultValue = "/etc/planet", description = "where admin.kubeconfig is written (default: ${DEFAULT-VALUE})")
  Path configDir;

  @Option(names = "--user-kubeconfig", defaultValue = "${sys:user.home}/.kube/config",
      description = "also write the admin kubeconfig here when the file does not exist; empty for never (default: ${DEFAULT-VALUE})")
  String userKubeconfig;

  @Option(names = "--advertise-address", description = "the node's address (default: that of the interface with the default route)")
  String advertiseAddress;

  @Option(names = "--service-cidr", defaultValue = "10.96.0.0/12", description = "Service cluster IPs (default: ${DEFAULT-VALUE})")
  String serviceCidr;

  @Option(names = "--cluster-cidr", defaultValue = "10.244.0.0/16", description = "pod IPs; each node gets a /24 (default: ${DEFAULT-VALUE})")
  String clusterCidr;

  @Option(names = "--cluster-dns", defaultValue = "10.96.0.10", description = "the cluster DNS Service's IP (default: ${DEFAULT-VALUE})")
  String clusterDns;

  @Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "(default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(names = "--node-name", description = "this node's name (default: the host name)")
  String nodeName;

  @Option(names = "--role", split = ",", description = "master, node or both (repeatable; default: master,node)")
  List<String> roles = new ArrayList<>();

  @Option(names = "--bridge", defaultValue = "planet0", description = "the pods' CNI bridge (default: ${DEFAULT-VALUE})")
  String bridge;

  @Option(names = "--apiserver-port", defaultValue = "6443", description = "(default: ${DEFAULT-VALUE})")
  int apiServerPort;

  @Option(names = "--etcd-port", defaultValue = "2379", description = "etcd clients (default: ${DEFAULT-VALUE})")
  int etcdPort;

  @Option(names = "--etcd-peer-port", defaultValue = "2380", description = "(default: ${DEFAULT-VALUE})")
  int etcdPeerPort;

  @Option(names = "--kubelet-port", defaultValue = "10250", description = "(default: ${DEFAULT-VALUE})")
  int kubeletPort;

  @Option(names = "--scheduler-port", defaultValue = "10259", description = "scheduler /healthz (default: ${DEFAULT-VALUE})")
  int schedulerPort;

  @Option(names = "--controller-manager-port", defaultValue = "10257", description = "controller-manager /healthz (default: ${DEFAULT-VALUE})")
  int controllerManagerPort;

  @Option(names = "--server", description = "with --role=node: the master's API server to join, https://host:port")
  String server;

  @Option(names = "--token", description = "with --role=node: a bootstrap token <id>.<secret> (planet token create)")
  String token;

  @Option(names = "--discovery-token-ca-cert-hash", description = "with --role=node: pin the cluster CA, sha256:<hex> of "
      + "its public key (planet token create --print-join-command prints it; repeatable)")
  List<String> caCertHashes = new ArrayList<>();

  @Option(names = "--discovery-token-unsafe-skip-ca-verification", description = "with --role=node: trust the CA "
      + "cluster-info names without pinning it")
  boolean unsafeSkipCaVerification;

  /** How the background service receives the bootstrap token. */
  static final String TOKEN_ENV = "PLANET_BOOTSTRAP_TOKEN";

  @Option(names = "--daemon-child", hidden = true, description = "internal: this process is the background service")
  boolean daemonChild;

  @Override
  public Integer call() throws Exception {
    ClusterConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      System.err.println("planet start: " + e.getMessage());
      return 2;
    }
    Optional<ProcessHandle> running = Running.cluster(config.runDir());
    if (running.isPresent()) {
      System.out.println("planet start: already running (pid " + running.get().pid() + "); planet status shows its health");
      return 0;
    }
    if (!daemonChild) {
      List<String> problems = Preflight.system().check(config);
      if (!problems.isEmpty()) {
        problems.forEach(p -> System.err.println("planet start: " + p));
        return 1;
      }
    }
    if (!config.master() && !daemonChild) {
      // discovery fails fast here, as one line, rather than in the background service's log
      try {
        JoinedNode.check(join());
      } catch (Exception e) {
        System.err.println("planet join: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        return 1;
      }
    }
    if (foreground || daemonChild) return runHere(config);
    return runInBackground(config);
  }

  ClusterConfig config() throws IOException {
    List<String> r = roles.isEmpty() ? List.of("master", "node") : roles;
    for (String role : r) {
      if (!role.equals("master") && !role.equals("node")) throw new IllegalArgumentException("--role must be master or node, not \"" + role + "\"");
    }
    if (!r.contains("master") && server == null) {
      throw new IllegalArgumentException("--role=node alone joins another master: give --server https://<master>:6443 and --token (or use planet join)");
    }
    String ip = advertiseAddress != null ? advertiseAddress : NodeAddress.defaultIpv4();
    if (!r.contains("master")) {
      // a joined node binds the kubelet's port only
      return new ClusterConfig(abs(dataDir), abs(runDir), abs(logDir), abs(configDir), null,
          nodeName != null ? nodeName : NodeAddress.hostName(), ip, serviceCidr, clusterCidr, clusterDns, clusterDomain, r,
          bridge, new ClusterConfig.Ports(0, 0, 0, kubeletPort, 0, 0));
    }
    return new ClusterConfig(abs(dataDir), abs(runDir), abs(logDir), abs(configDir),
        userKubeconfig == null || userKubeconfig.isBlank() ? null : abs(Path.of(userKubeconfig)),
        nodeName != null ? nodeName : NodeAddress.hostName(), ip, serviceCidr, clusterCidr, clusterDns, clusterDomain, r,
        bridge, new ClusterConfig.Ports(apiServerPort, etcdPort, etcdPeerPort, kubeletPort, schedulerPort, controllerManagerPort));
  }

  JoinOptions join() {
    String t = token == null && daemonChild ? System.getenv(TOKEN_ENV) : token;
    return new JoinOptions(server, t, caCertHashes, unsafeSkipCaVerification);
  }

  private static String name(ClusterConfig config) {
    return config.master() ? "planet start" : "planet join";
  }

  private static Path abs(Path p) {
    return p.toAbsolutePath().normalize();
  }

  /** The cluster in this JVM until SIGTERM or Ctrl-C, which stop it cleanly. */
  private int runHere(ClusterConfig config) throws InterruptedException, IOException {
    ClusterLogs.install(config.logDir(), !daemonChild);
    Service cluster = config.master() ? new SingleNodeCluster(config, System.out) : new JoinedNode(config, join(), System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.close();
      stopped.countDown();
    }, "planet-stop"));
    try {
      cluster.start();
    } catch (Exception e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      System.out.println(name(config) + ": failed: " + reason);
      System.out.flush();
      cluster.close();
      return 1;
    }
    stopped.await();
    return 0;
  }

  /** The arguments without {@code --token T} / {@code --token=T}. */
  static List<String> withoutToken(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--token")) i++;
      else if (!args.get(i).startsWith("--token=")) out.add(args.get(i));
    }
    return out;
  }

  /** Re-executes this command detached (setsid, output to the log) and relays its progress lines until it is ready. */
  private int runInBackground(ClusterConfig config) throws IOException, InterruptedException {
    Files.createDirectories(config.logDir());
    Path log = config.logFile();
    LogFollower follower = LogFollower.fromEnd(log);
    List<String> cmd = new ArrayList<>(List.of("setsid", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    Path jar = PlanetHome.jar();
    cmd.addAll(List.of("-cp", jar != null ? jar.toString() : System.getProperty("java.class.path"), "io.planet.cli.Planet",
        "start", "--daemon-child"));
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    cmd.addAll(withoutToken(args.subList(args.indexOf("start") + 1, args.size())));
    // the child logs through ClusterLogs (rotated files); its own stdout and stderr only carry what comes before
    // that (a bad flag) or from the JVM itself, appended to planet.log
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // the bootstrap token goes by environment (readable by root only), not on a command line every user's ps shows
    if (token != null) pb.environment().put(TOKEN_ENV, token);
    Process child = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    System.out.println(name(config) + ": running in the background (pid " + child.pid() + "), log " + log);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (Instant.now().isBefore(deadline)) {
      for (String line : follower.poll()) {
        if (!line.startsWith(name(config) + ":")) continue;
        System.out.println(line);
        if (line.startsWith(name(config) + ": ready")) return 0;
      }
      if (!child.isAlive()) {
        for (String line : follower.poll()) if (line.startsWith("planet ")) System.out.println(line);
        System.err.println(name(config) + ": the " + (config.master() ? "cluster" : "node") + " exited with " + child.exitValue() + "; see " + log);
        return 1;
      }
      Thread.sleep(100);
    }
    System.err.println("planet start: not ready after 5 minutes; still starting in the background (see " + log + ")");
    return 1;
  }
}
