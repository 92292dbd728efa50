package io.planet.cli.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planet logs [component] [-f]}: one component's log file(s) under the log directory ({@link ClusterLogs}):
 * everything kept of it, the rotated files oldest first, then, with {@code -f}, what is written next, across
 * rotations. No component: planet.log (progress, supervisor and every other logger).
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print (or follow) a component's log.")
public final class LogsCommand implements Callable<Integer> {
  @Option(names = "--log-dir", defaultValue = "/var/log/planet", description = "(default: ${DEFAULT-VALUE})")
  Path logDir;

  @Option(names = {"-f", "--follow"}, description = "keep printing new lines")
  boolean follow;

  @Parameters(arity = "0..1", paramLabel = "COMPONENT",
      description = "planet (default), etcd, apiserver, scheduler, controller-manager, kubelet, proxy or dns")
  String component;

  @Override
  public Integer call() throws Exception {
    String c = component == null ? ClusterLogs.PLANET : component.toLowerCase(Locale.ROOT);
    if (!ClusterLogs.components().contains(c)) {
      System.err.println("planet logs: unknown component \"" + component + "\"; one of "
          + String.join(", ", ClusterLogs.components()));
      return 2;
    }
    Path current = ClusterLogs.file(logDir, c);
    List<Path> files = ClusterLogs.files(logDir, c);
    if (files.isEmpty() && !follow) {
      System.err.println("planet logs: no " + current + " (was planet started with --log-dir " + logDir + "?)");
      return 1;
    }
    // the rotated files are complete; the current one is read (and followed) by a follower that survives rotation
    for (Path f : files) {
      if (f.equals(current)) continue;
      try (LogFollower older = new LogFollower(f, 0)) {
        older.poll().forEach(System.out::println);
      }
    }
    try (LogFollower log = new LogFollower(current, 0)) {
      do {
        log.poll().forEach(System.out::println);
        System.out.flush();
        if (follow) Thread.sleep(200);
      } while (follow);
    }
    return 0;
  }
}
