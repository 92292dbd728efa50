package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ApiServicePrinterTest {
  static ObjectNode apiService(String json) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void columnsAreNameServiceAvailableAge() {
    TablePrinter p = TablePrinters.forKind("apiregistration.k8s.io", "APIService");
    assertThat(p.columnDefinitions()).extracting(c -> c.path("name").asText())
        .containsExactly("Name", "Service", "Available", "Age");
  }

  @Test
  void remoteUnavailableServiceShowsTheReason() {
    ObjectNode o = apiService("""
        {"metadata":{"name":"v1beta1.metrics.k8s.io","creationTimestamp":"2026-01-01T00:00:00Z"},
         "spec":{"service":{"namespace":"kube-system","name":"metrics-server"}},
         "status":{"conditions":[{"type":"Available","status":"False","reason":"MissingEndpoints"}]}}""");
    assertThat(TablePrinters.forKind("apiregistration.k8s.io", "APIService").cells(o, Instant.parse("2026-01-01T00:05:00Z")))
        .containsExactly("v1beta1.metrics.k8s.io", "kube-system/metrics-server", "False (MissingEndpoints)", "5m");
  }

  @Test
  void localAvailableServiceAndUnknownAvailability() {
    ObjectNode local = apiService("""
        {"metadata":{"name":"v1.apps","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{},
         "status":{"conditions":[{"type":"Available","status":"True","reason":"Local"}]}}""");
    TablePrinter p = TablePrinters.forKind("apiregistration.k8s.io", "APIService");
    assertThat(p.cells(local, Instant.parse("2026-01-01T00:00:10Z")).subList(1, 3)).containsExactly("Local", "True");
    ObjectNode fresh = apiService("{\"metadata\":{\"name\":\"v1.x.io\"},\"spec\":{}}");
    assertThat(p.cells(fresh, Instant.now()).get(2)).isEqualTo("Unknown");
  }
}
