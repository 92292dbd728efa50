package io.planet.node.network;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge plugin's per-pod masquerade rules (a nat POSTROUTING jump to a CNI-… chain, both commented
 * {@code name: "<network>" id: "<container>"}) are removed by its DEL only while the pod's netns still exists,
 * because it learns the pod's addresses from inside it. When the netns is already gone, this removes them by
 * their comment instead.
 */
final class OrphanedMasquerade {
  private OrphanedMasquerade() {}

  /** Removes the rules of {@code containerId} in {@code network}; returns how many jumps were removed. */
  static int remove(String iptables, String network, String containerId) throws IOException {
    String comment = "name: \"" + network + "\" id: \"" + containerId + "\"";
    int removed = 0;
    for (String line : Commands.run(iptables, "-w", "-t", "nat", "-S", "POSTROUTING").split("\n")) {
      if (!line.startsWith("-A POSTROUTING ")) continue;
      List<String> rule = IptablesRule.split(line);
      if (!rule.contains(comment)) continue;
      List<String> delete = new ArrayList<>(List.of(iptables, "-w", "-t", "nat", "-D"));
      delete.addAll(rule.subList(1, rule.size()));
      Commands.run(delete);
      removed++;
      int j = rule.indexOf("-j");
      String chain = j >= 0 && j + 1 < rule.size() ? rule.get(j + 1) : "";
      if (chain.startsWith("CNI-")) {
        Commands.run(iptables, "-w", "-t", "nat", "-F", chain);
        Commands.run(iptables, "-w", "-t", "nat", "-X", chain);
      }
    }
    return removed;
  }
}
