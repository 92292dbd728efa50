package io.planet.node.proxy;

import java.util.List;

/**
 * One port of one Service as the proxy programs it (upstream's ServicePortName plus the service info it needs):
 * its virtual addresses and the endpoints from the Service's EndpointSlices traffic may go to.
 *
 * @param portName the Service port's name ("" for a single unnamed port)
 * @param protocol TCP, UDP or SCTP
 * @param nodePort 0 when the Service has none
 * @param affinitySeconds sessionAffinity ClientIP timeout; 0 without affinity
 */
public record ServicePort(String namespace, String name, String portName, String protocol, String clusterIP, int port,
    int nodePort, List<String> externalIPs, int affinitySeconds, List<Endpoint> endpoints) {

  /** A backend: {@code ip:port} of a usable endpoint. */
  public record Endpoint(String ip, int port) {
    @Override
    public String toString() {
      return ip + ":" + port;
    }
  }

  public ServicePort {
    externalIPs = List.copyOf(externalIPs);
    endpoints = List.copyOf(endpoints);
  }

  /** "namespace/name:port" (":port" only when the port is named), upstream's ServicePortName.String(). */
  public String displayName() {
    return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
  }

  /** The protocol as iptables spells it. */
  String iptablesProtocol() {
    return protocol.toLowerCase(java.util.Locale.ROOT);
  }
}
