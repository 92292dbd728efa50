package io.planet.node.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** An in-memory {@link ServiceDirectory} for zone tests. */
final class FakeServiceDirectory implements ServiceDirectory {
  final List<Service> services = new ArrayList<>();
  final List<EndpointSlice> slices = new ArrayList<>();

  @Override
  public Optional<Service> service(String namespace, String name) {
    return services.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace) && s.getMetadata().getName().equals(name))
        .findFirst();
  }

  @Override
  public List<EndpointSlice> endpointSlices(String namespace, String service) {
    return slices.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace)
        && service.equals(s.getMetadata().getLabels().get(InformerServiceDirectory.SERVICE_NAME_LABEL))).toList();
  }

  @Override
  public boolean hasServices(String namespace) {
    return services.stream().anyMatch(s -> s.getMetadata().getNamespace().equals(namespace));
  }

  @Override
  public List<Service> servicesWithClusterIp(String ip) {
    return services.stream().filter(s -> Objects.equals(s.getSpec().getClusterIP(), ip)).toList();
  }

  @Override
  public List<EndpointSlice> endpointSlicesWithAddress(String ip) {
    return slices.stream().filter(s -> s.getEndpoints().stream().anyMatch(e -> e.getAddresses().contains(ip))).toList();
  }
}
