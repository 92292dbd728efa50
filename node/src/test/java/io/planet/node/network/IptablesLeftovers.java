package io.planet.node.network;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test cleanup: the CNI-* chains the plugins create once per node (portmap's CNI-HOSTPORT-*, firewall's
 * CNI-FORWARD/CNI-ADMIN) stay after the last pod, as on a real node; tests remove the ones they made.
 */
public final class IptablesLeftovers {
  private final Map<String, Set<String>> before;

  private IptablesLeftovers(Map<String, Set<String>> before) {
    this.before = before;
  }

  public static IptablesLeftovers snapshot() throws IOException {
    return new IptablesLeftovers(cniChains(Commands.run("iptables-save")));
  }

  /** Removes CNI chains absent from the snapshot: the rules jumping to them, then the chains. */
  public void removeNew() throws IOException {
    String save = Commands.run("iptables-save");
    Map<String, Set<String>> now = cniChains(save);
    String table = null;
    for (String line : save.split("\n")) {
      if (line.startsWith("*")) table = line.substring(1);
      if (!line.startsWith("-A ") || table == null) continue;
      List<String> rule = IptablesRule.split(line);
      int j = rule.indexOf("-j");
      String target = j >= 0 && j + 1 < rule.size() ? rule.get(j + 1) : "";
      if (isNew(now, table, target) && !isNew(now, table, rule.get(1))) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-t", table, "-D"));
        cmd.addAll(rule.subList(1, rule.size()));
        Commands.run(cmd);
      }
    }
    for (Map.Entry<String, Set<String>> e : now.entrySet()) {
      for (String chain : e.getValue()) {
        if (isNew(now, e.getKey(), chain)) Commands.run("iptables", "-t", e.getKey(), "-F", chain);
      }
      for (String chain : e.getValue()) {
        if (isNew(now, e.getKey(), chain)) Commands.run("iptables", "-t", e.getKey(), "-X", chain);
      }
    }
  }

  private boolean isNew(Map<String, Set<String>> now, String table, String chain) {
    return now.getOrDefault(table, Set.of()).contains(chain) && !before.getOrDefault(table, Set.of()).contains(chain);
  }

  private static Map<String, Set<String>> cniChains(String save) {
    Map<String, Set<String>> chains = new LinkedHashMap<>();
    String table = null;
    for (String line : save.split("\n")) {
      if (line.startsWith("*")) table = line.substring(1);
      if (line.startsWith(":CNI-") && table != null) {
        chains.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(line.substring(1, line.indexOf(' ')));
      }
    }
    return chains;
  }
}
