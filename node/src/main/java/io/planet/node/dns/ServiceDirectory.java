package io.planet.node.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Optional;

/** What the cluster zone is answered from: Services and their EndpointSlices, looked up locally (no API call per query). */
public interface ServiceDirectory {
  Optional<Service> service(String namespace, String name);

  /** The slices labelled {@code kubernetes.io/service-name=<service>} in the namespace. */
  List<EndpointSlice> endpointSlices(String namespace, String service);

  /** Whether any Service lives in the namespace (so {@code <ns>.svc.<zone>} exists as a name). */
  boolean hasServices(String namespace);

  /** Services whose cluster IPs include {@code ip}, for PTR. */
  List<Service> servicesWithClusterIp(String ip);

  /** Slices with an endpoint at {@code ip}, for PTR. */
  List<EndpointSlice> endpointSlicesWithAddress(String ip);
}
