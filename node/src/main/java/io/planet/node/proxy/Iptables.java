package io.planet.node.proxy;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The node's iptables as the proxy drives it: chain listing, atomic restore, jump rules, cleanup. IPv4. */
final class Iptables {
  /** A rule in a built-in chain jumping into one of ours; kept in place with -C / -I rather than by restore. */
  record Jump(String table, String from, String to, List<String> match) {
    List<String> spec() {
      List<String> spec = new ArrayList<>(match);
      spec.add("-j");
      spec.add(to);
      return spec;
    }
  }

  /** Upstream's jumps from the built-in chains, all prepended so other software's rules cannot shadow them. */
  static final List<Jump> JUMPS = List.of(
      new Jump("filter", "INPUT", ChainNames.EXTERNAL_SERVICES,
          List.of("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes externally-visible service portals")),
      new Jump("filter", "FORWARD", ChainNames.EXTERNAL_SERVICES,
          List.of("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes externally-visible service portals")),
      new Jump("filter", "FORWARD", ChainNames.SERVICES,
          List.of("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals")),
      new Jump("filter", "OUTPUT", ChainNames.SERVICES,
          List.of("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals")),
      new Jump("filter", "FORWARD", ChainNames.FORWARD, List.of("-m", "comment", "--comment", "kubernetes forwarding rules")),
      new Jump("nat", "OUTPUT", ChainNames.SERVICES, List.of("-m", "comment", "--comment", "kubernetes service portals")),
      new Jump("nat", "PREROUTING", ChainNames.SERVICES, List.of("-m", "comment", "--comment", "kubernetes service portals")),
      new Jump("nat", "POSTROUTING", ChainNames.POSTROUTING, List.of("-m", "comment", "--comment", "kubernetes postrouting rules")));

  /** The fixed chains each table holds besides the per-service ones. */
  static final List<String> NAT_CHAINS = List.of(ChainNames.SERVICES, ChainNames.NODE_PORTS, ChainNames.POSTROUTING,
      ChainNames.MARK_MASQ);
  static final List<String> FILTER_CHAINS = List.of(ChainNames.SERVICES, ChainNames.EXTERNAL_SERVICES, ChainNames.FORWARD);

  /** Names of the chains of a table now on the node. */
  Set<String> chains(String table) throws IOException {
    Set<String> chains = new LinkedHashSet<>();
    for (String line : Commands.run("iptables-save", "-t", table).split("\n")) {
      if (line.startsWith(":")) chains.add(line.substring(1, line.indexOf(' ')));
    }
    return chains;
  }

  /** Feeds a ruleset to {@code iptables-restore --noflush}: each table's COMMIT applies atomically. */
  void restore(String input) throws IOException {
    Process p = new ProcessBuilder("iptables-restore", "--noflush", "--wait").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    try {
      if (!p.waitFor(1, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("iptables-restore timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("iptables-restore interrupted", e);
    }
    if (p.exitValue() != 0) throw new IOException("iptables-restore failed (exit " + p.exitValue() + "): " + out);
  }

  /** Creates our fixed chains if missing and the jumps into them if missing (idempotent). */
  void ensureJumps() throws IOException {
    for (Jump j : JUMPS) {
      if (!exists(List.of("iptables", "-w", "-t", j.table(), "-n", "-L", j.to()))) {
        Commands.run("iptables", "-w", "-t", j.table(), "-N", j.to());
      }
      List<String> check = new ArrayList<>(List.of("iptables", "-w", "-t", j.table(), "-C", j.from()));
      check.addAll(j.spec());
      if (!exists(check)) {
        List<String> insert = new ArrayList<>(List.of("iptables", "-w", "-t", j.table(), "-I", j.from()));
        insert.addAll(j.spec());
        Commands.run(insert);
      }
    }
  }

  /** Removes the jumps, then flushes and deletes every chain of ours (fixed and per-service) in nat and filter. */
  void cleanup() throws IOException {
    for (Jump j : JUMPS) {
      List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", j.table(), "-D", j.from()));
      delete.addAll(j.spec());
      while (exists(delete)) {
        // removes one copy per call; loop in case it was inserted more than once
      }
    }
    for (String table : List.of("nat", "filter")) {
      List<String> ours = new ArrayList<>();
      List<String> fixed = table.equals("nat") ? NAT_CHAINS : FILTER_CHAINS;
      for (String c : chains(table)) if (fixed.contains(c) || ChainNames.isServiceChain(c)) ours.add(c);
      if (ours.isEmpty()) continue;
      StringBuilder in = new StringBuilder("*" + table + "\n");
      for (String c : ours) in.append(':').append(c).append(" - [0:0]\n");
      for (String c : ours) in.append("-X ").append(c).append('\n');
      in.append("COMMIT\n");
      restore(in.toString());
    }
  }

  private static boolean exists(List<String> cmd) {
    try {
      Commands.run(cmd);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
