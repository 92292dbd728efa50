package io.planet.cli.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planet logs [component] [-f]}: the cluster's log. etcd has a file of its own; the in-process components share
 * planet.log, and naming one shows the lines of its loggers.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print (or follow) the cluster's logs.")
public final class LogsCommand implements Callable<Integer> {
  /** Component → logger-name fragments (logback prints the logger's simple class name) or "planet start/stop". */
  static final Map<String, List<String>> COMPONENTS = Map.of(
      "apiserver", List.of(" ApiServer ", " Http", " Etcd", " Watch", " Admission", " Store ", " ClusterPki "),
      "scheduler", List.of(" Scheduler", " LeaderElector"),
      "controller-manager", List.of("Controller ", " ControllerManager ", " LeaderElection "),
      "kubelet", List.of(" Kubelet", " PodWorkers ", " NodeStatusManager ", " RuncRuntime ", " Prober ", " PodNetwork ",
          " CniPodNetworking ", " ImageManager ", " Volumes "),
      "proxy", List.of(" Proxier ", " Iptables "),
      "dns", List.of(" ClusterDns ", " DnsServer ", " Forwarder ", " InformerServiceDirectory "),
      "supervisor", List.of("supervisor:", "planet start:", "planet stop:"));

  @Option(names = "--log-dir", defaultValue = "/var/log/planet", description = "(default: ${DEFAULT-VALUE})")
  Path logDir;

  @Option(names = {"-f", "--follow"}, description = "keep printing new lines")
  boolean follow;

  @Parameters(arity = "0..1", paramLabel = "COMPONENT",
      description = "etcd, apiserver, scheduler, controller-manager, kubelet, proxy, dns or supervisor (default: everything)")
  String component;

  @Override
  public Integer call() throws Exception {
    String c = component == null ? "" : component.toLowerCase(Locale.ROOT);
    if (!c.isEmpty() && !c.equals("etcd") && !COMPONENTS.containsKey(c)) {
      System.err.println("planet logs: unknown component \"" + component + "\"; one of etcd, " + String.join(", ",
          COMPONENTS.keySet().stream().sorted().toList()));
      return 2;
    }
    Path file = logDir.resolve(c.equals("etcd") ? "etcd.log" : "planet.log");
    if (!Files.exists(file)) {
      System.err.println("planet logs: no " + file + " (was planet started with --log-dir " + logDir + "?)");
      return 1;
    }
    List<String> fragments = COMPONENTS.getOrDefault(c, List.of());
    LogFollower log = new LogFollower(file, 0);
    do {
      for (String line : log.poll()) {
        if (fragments.isEmpty() || fragments.stream().anyMatch(line::contains)) System.out.println(line);
      }
      System.out.flush();
      if (follow) Thread.sleep(200);
    } while (follow);
    return 0;
  }
}
