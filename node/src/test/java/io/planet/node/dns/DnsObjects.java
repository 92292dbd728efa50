package io.planet.node.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/** Services and EndpointSlices as the API server holds them, for the DNS tests. */
final class DnsObjects {
  private DnsObjects() {}

  static ServicePort port(String name, String protocol, int port) {
    return new ServicePortBuilder().withName(name).withProtocol(protocol).withPort(port).build();
  }

  static Service clusterIp(String ns, String name, String ip, ServicePort... ports) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP(ip).withPorts(ports).endSpec().build();
  }

  static Service headless(String ns, String name, ServicePort... ports) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("None").withPorts(ports).endSpec().build();
  }

  static Service externalName(String ns, String name, String target) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withType("ExternalName").withExternalName(target).endSpec().build();
  }

  static Endpoint endpoint(String ip, String hostname, boolean ready) {
    return new EndpointBuilder().withAddresses(ip).withHostname(hostname).withNewConditions().withReady(ready).endConditions().build();
  }

  /** A slice of {@code service} with one port {@code portName}/TCP on {@code port}. */
  static EndpointSlice slice(String ns, String name, String service, String portName, int port, Endpoint... endpoints) {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(Map.of(InformerServiceDirectory.SERVICE_NAME_LABEL, service)).endMetadata()
        .withAddressType("IPv4").withEndpoints(List.of(endpoints))
        .withPorts(new EndpointPortBuilder().withName(portName).withProtocol("TCP").withPort(port).build()).build();
  }
}
