package io.planet.node.network;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a runtime tells CNI plugins about one attachment: the container (CNI_CONTAINERID), its network namespace
 * (CNI_NETNS), the interface inside it (CNI_IFNAME), CNI_ARGS key/value pairs and capability arguments (inserted as
 * {@code runtimeConfig} into the config of every plugin that declares the capability, e.g. portMappings).
 */
public record CniRuntimeConf(String containerId, Path netns, String ifName, Map<String, String> args,
    Map<String, Object> capabilityArgs) {

  public CniRuntimeConf {
    // the spec's rule; it also makes the id safe in file names and iptables comments
    if (containerId == null || !containerId.matches("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*")) {
      throw new IllegalArgumentException("invalid CNI container id: " + containerId);
    }
    if (ifName == null || ifName.isEmpty()) throw new IllegalArgumentException("ifName is required");
    args = args == null ? Map.of() : Map.copyOf(args);
    capabilityArgs = capabilityArgs == null ? Map.of() : Map.copyOf(capabilityArgs);
  }

  /** CNI_ARGS: {@code KEY=value} pairs joined by semicolons, in a stable order. */
  public String cniArgs() {
    StringBuilder s = new StringBuilder();
    args.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (s.length() > 0) s.append(';');
      s.append(e.getKey()).append('=').append(e.getValue());
    });
    return s.toString();
  }
}
