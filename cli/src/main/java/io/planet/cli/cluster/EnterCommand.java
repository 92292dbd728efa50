package io.planet.cli.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planet enter [-- cmd]}: a shell (or cmd) with KUBECONFIG set to the cluster's admin and planet on PATH. */
@Command(name = "enter", mixinStandardHelpOptions = true,
    description = "Open a shell (or run a command) set up for the cluster: KUBECONFIG, planet and kubectl on PATH.")
public final class EnterCommand implements Callable<Integer> {
  @Option(names = "--run-dir", defaultValue = "/run/planet", description = "(default: ${DEFAULT-VALUE})")
  Path runDir;

  @Parameters(arity = "0..*", paramLabel = "CMD", description = "command to run instead of a shell")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    ClusterConfig config = ClusterConfig.load(runDir.toAbsolutePath().normalize());
    if (config == null || !Files.exists(config.adminKubeconfig())) {
      System.err.println("planet enter: no cluster was started with --run-dir " + runDir + " (planet start)");
      return 1;
    }
    List<String> cmd = new ArrayList<>(command);
    if (cmd.isEmpty()) cmd.add(System.getenv().getOrDefault("SHELL", "/bin/bash"));
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    Map<String, String> env = pb.environment();
    env.put("KUBECONFIG", config.adminKubeconfig().toString());
    Path home = PlanetHome.find();
    String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    if (home != null) path = home.resolve("bin") + ":" + path;
    env.put("PATH", path);
    env.put("PLANET_RUN_DIR", config.runDir().toString());
    if (command.isEmpty()) {
      env.put("PS1", "(planet " + config.nodeName() + ") \\w \\$ ");
      System.err.println("planet enter: KUBECONFIG=" + config.adminKubeconfig() + "; exit leaves");
    }
    return pb.start().waitFor();
  }
}
