package io.planet.node.network;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A container port published on the node (a pod's {@code hostPort}), in the shape of the CNI portMappings
 * capability: {@code {hostPort, containerPort, protocol, hostIP}}. Protocol is lower case as the portmap plugin
 * expects ("tcp", "udp", "sctp"); an empty hostIP means every node address.
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIP) {

  public PortMapping {
    if (hostPort < 1 || hostPort > 65535) throw new IllegalArgumentException("hostPort out of range: " + hostPort);
    if (containerPort < 1 || containerPort > 65535) {
      throw new IllegalArgumentException("containerPort out of range: " + containerPort);
    }
    protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol.toLowerCase(Locale.ROOT);
    hostIP = hostIP == null ? "" : hostIP;
  }

  public static PortMapping tcp(int hostPort, int containerPort) {
    return new PortMapping(hostPort, containerPort, "tcp", "");
  }

  /** The runtimeConfig.portMappings entry. */
  Map<String, Object> toCapabilityArg() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hostPort", hostPort);
    m.put("containerPort", containerPort);
    m.put("protocol", protocol);
    if (!hostIP.isEmpty()) m.put("hostIP", hostIP);
    return m;
  }
}
