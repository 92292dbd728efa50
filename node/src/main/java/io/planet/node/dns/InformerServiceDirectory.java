package io.planet.node.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A {@link ServiceDirectory} over shared informers on Services and EndpointSlices in all namespaces, indexed for DNS. */
public final class InformerServiceDirectory implements ServiceDirectory, AutoCloseable {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String BY_NAMESPACE = "dns-namespace";
  private static final String BY_SERVICE = "dns-service";
  private static final String BY_IP = "dns-ip";

  private final SharedIndexInformer<Service> services;
  private final SharedIndexInformer<EndpointSlice> slices;

  public InformerServiceDirectory(KubernetesClient client) {
    services = client.services().inAnyNamespace().runnableInformer(0);
    services.addIndexers(Map.of(
        BY_NAMESPACE, s -> List.of(s.getMetadata().getNamespace()),
        BY_IP, InformerServiceDirectory::clusterIps));
    slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    slices.addIndexers(Map.<String, Function<EndpointSlice, List<String>>>of(
        BY_SERVICE, InformerServiceDirectory::serviceKey,
        BY_IP, InformerServiceDirectory::addresses));
  }

  /** Starts both informers and waits for their first lists, so the first answers are complete. */
  public void start(Duration timeout) throws Exception {
    services.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    slices.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Optional<Service> service(String namespace, String name) {
    return Optional.ofNullable(services.getIndexer().getByKey(namespace + "/" + name));
  }

  @Override
  public List<EndpointSlice> endpointSlices(String namespace, String service) {
    return slices.getIndexer().byIndex(BY_SERVICE, namespace + "/" + service);
  }

  @Override
  public boolean hasServices(String namespace) {
    return !services.getIndexer().byIndex(BY_NAMESPACE, namespace).isEmpty();
  }

  @Override
  public List<Service> servicesWithClusterIp(String ip) {
    return services.getIndexer().byIndex(BY_IP, ip);
  }

  @Override
  public List<EndpointSlice> endpointSlicesWithAddress(String ip) {
    return slices.getIndexer().byIndex(BY_IP, ip);
  }

  @Override
  public void close() {
    services.close();
    slices.close();
  }

  private static List<String> clusterIps(Service s) {
    List<String> ips = new ArrayList<>();
    if (s.getSpec() == null) return ips;
    if (s.getSpec().getClusterIPs() != null) ips.addAll(s.getSpec().getClusterIPs());
    else if (s.getSpec().getClusterIP() != null) ips.add(s.getSpec().getClusterIP());
    ips.remove("None");
    ips.remove("");
    return ips;
  }

  private static List<String> serviceKey(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    return service == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + service);
  }

  private static List<String> addresses(EndpointSlice slice) {
    List<String> out = new ArrayList<>();
    if (slice.getEndpoints() == null) return out;
    for (Endpoint e : slice.getEndpoints()) {
      if (e.getAddresses() != null) out.addAll(e.getAddresses());
    }
    return out;
  }
}
