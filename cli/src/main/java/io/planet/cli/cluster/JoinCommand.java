package io.planet.cli.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code planet join <https://master:6443> --token <id.secret> --discovery-token-ca-cert-hash sha256:<hex>}: this
 * machine becomes a node of the cluster whose master is given (kubeadm join); the same as
 * {@code planet start --role=node --server URL --token T}, and it takes planet start's other options
 * (--data-dir, --run-dir, --log-dir, --node-name, --advertise-address, --bridge, --kubelet-port, --foreground, ...).
 */
@Command(name = "join", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Join this machine to a cluster as a node (discovery with a bootstrap token, kubelet TLS bootstrap, "
        + "node agent and proxy) and return when the node is Ready (root). Takes planet start's options too.")
public final class JoinCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SERVER", description = "the master's API server, https://host:port")
  String server;

  @Option(names = "--token", required = true, description = "bootstrap token <id>.<secret> (planet token create on the master)")
  String token;

  @Option(names = "--discovery-token-ca-cert-hash", description = "sha256:<hex> of the cluster CA's public key (repeatable)")
  List<String> caCertHashes = new ArrayList<>();

  @Option(names = "--discovery-token-unsafe-skip-ca-verification", description = "trust the CA without pinning it")
  boolean unsafeSkipCaVerification;

  @Unmatched List<String> startOptions = new ArrayList<>();

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>(List.of("--role=node", "--server", server.contains("://") ? server : "https://" + server,
        "--token", token));
    for (String h : caCertHashes) args.addAll(List.of("--discovery-token-ca-cert-hash", h));
    if (unsafeSkipCaVerification) args.add("--discovery-token-unsafe-skip-ca-verification");
    args.addAll(startOptions);
    return new CommandLine(new StartCommand()).execute(args.toArray(new String[0]));
  }
}
