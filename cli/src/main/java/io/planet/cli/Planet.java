package io.planet.cli;

import io.planet.cli.cluster.EnterCommand;
import io.planet.cli.cluster.JoinCommand;
import io.planet.cli.cluster.LogsCommand;
import io.planet.cli.cluster.StartCommand;
import io.planet.cli.cluster.StatusCommand;
import io.planet.cli.cluster.StopCommand;
import io.planet.cli.cluster.TestCommand;
import io.planet.cli.cluster.VersionCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The planet command. */
@Command(name = "planet", mixinStandardHelpOptions = true, version = "planet 0.1.0",
    description = "An installable, self-contained Kubernetes environment.",
    subcommands = {ApiServerCommand.class, SchedulerCommand.class, ControllerManagerCommand.class, HollowNodeCommand.class,
        KubeletCommand.class, ProxyCommand.class, DnsCommand.class, MetricsServerCommand.class, ImageCommand.class,
        CertsCommand.class, TokenCommand.class, StartCommand.class, JoinCommand.class, StopCommand.class, StatusCommand.class,
        LogsCommand.class, EnterCommand.class, VersionCommand.class, TestCommand.class})
public final class Planet implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // gRPC (inside the etcd client) logs through java.util.logging: keep its start-up chatter out of the terminal
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
    System.exit(new CommandLine(new Planet()).execute(args));
  }
}
