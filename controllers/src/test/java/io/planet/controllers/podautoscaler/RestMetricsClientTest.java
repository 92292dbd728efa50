package io.planet.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST metrics client against a fake API server answering the resource, custom and external metrics paths
 * (a named fake: no aggregated metrics APIs exist yet to test against).
 */
class RestMetricsClientTest {
  private HttpServer server;
  private KubernetesClient client;
  private RestMetricsClient metrics;
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String uri = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8)
          + (ex.getRequestURI().getRawQuery() == null ? ""
              : "?" + URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
      requests.add(uri);
      String body = answers.get(ex.getRequestURI().getPath());
      int code = body == null ? 404 : 200;
      if (body == null) {
        body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"the server could not "
            + "find the requested resource\",\"reason\":\"NotFound\",\"code\":404}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withRequestRetryBackoffLimit(0).build()).build();
    metrics = new RestMetricsClient(new ApiRequests(client), new ApiResources(client));
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  @Test
  void resourceMetricsSumContainersAndSkipPodsMissingOne() throws Exception {
    answers.put("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods", """
        {"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","items":[
          {"metadata":{"name":"a"},"timestamp":"2026-01-01T12:00:00Z","window":"30s",
           "containers":[{"name":"c","usage":{"cpu":"400m","memory":"10Mi"}},{"name":"d","usage":{"cpu":"1"}}]},
          {"metadata":{"name":"b"},"timestamp":"2026-01-01T12:00:01Z","window":"1m0s",
           "containers":[{"name":"c","usage":{"cpu":"100m"}},{"name":"d","usage":{"memory":"1Mi"}}]}]}""");
    PodMetrics m = metrics.resourceMetric("cpu", "ns", Selector.parse("app=web"), "");
    assertThat(requests).contains("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods?labelSelector=app=web");
    assertThat(m.byPod()).containsOnlyKeys("a");
    assertThat(m.byPod().get("a")).isEqualTo(new PodMetric(1400, Instant.parse("2026-01-01T12:00:00Z"),
        Duration.ofSeconds(30)));
    assertThat(m.timestamp()).isEqualTo(Instant.parse("2026-01-01T12:00:00Z"));

    PodMetrics container = metrics.resourceMetric("cpu", "ns", Selector.parse("app=web"), "c");
    assertThat(container.byPod().get("a").value()).isEqualTo(400);
    assertThat(container.byPod().get("b").value()).isEqualTo(100);
    assertThat(container.byPod().get("b").window()).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> metrics.resourceMetric("cpu", "ns", Selector.parse("app=web"), "sidecar"))
        .hasMessage("failed to get container metrics: container sidecar not present in metrics for pod ns/a");
  }

  @Test
  void anUnservedApiIsAnErrorNotACrash() {
    assertThatThrownBy(() -> metrics.resourceMetric("cpu", "ns", Selector.parse("app=web"), ""))
        .isInstanceOf(MetricsUnavailable.class)
        .hasMessage("unable to fetch metrics from resource metrics API: the server could not find the requested resource");
    assertThatThrownBy(() -> metrics.podsMetric("qps", "ns", Selector.parse("app=web"), Selector.everything()))
        .hasMessageStartingWith("unable to fetch metrics from custom metrics API: ");
    assertThatThrownBy(() -> metrics.externalMetric("queue", "ns", Selector.everything()))
        .hasMessageStartingWith("unable to fetch metrics from external metrics API: ");
    answers.put("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods", "{\"items\":[]}");
    assertThatThrownBy(() -> metrics.resourceMetric("cpu", "ns", Selector.parse("app=web"), ""))
        .hasMessage("no metrics returned from resource metrics API");
  }

  @Test
  void podsMetricsComeFromTheCustomMetricsApi() throws Exception {
    answers.put("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/pods/*/http_requests", """
        {"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","namespace":"ns","name":"a","apiVersion":"/v1"},
           "metric":{"name":"http_requests"},"timestamp":"2026-01-01T12:00:00Z","windowSeconds":15,"value":"1500m"},
          {"describedObject":{"kind":"Pod","namespace":"ns","name":"b","apiVersion":"/v1"},
           "metric":{"name":"http_requests"},"timestamp":"2026-01-01T12:00:00Z","value":"3"}]}""");
    PodMetrics m = metrics.podsMetric("http_requests", "ns", Selector.parse("app=web"),
        Selector.of(new LabelSelectorBuilder().addToMatchLabels("verb", "GET").build()));
    assertThat(requests).contains(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/pods/*/http_requests?labelSelector=app=web&metricLabelSelector=verb=GET");
    assertThat(m.byPod().get("a")).isEqualTo(new PodMetric(1500, Instant.parse("2026-01-01T12:00:00Z"),
        Duration.ofSeconds(15)));
    assertThat(m.byPod().get("b").value()).isEqualTo(3000);
    assertThat(m.byPod().get("b").window()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void objectMetricsAddressTheObjectByItsResource() throws Exception {
    answers.put("/apis/apps/v1", """
        {"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
          {"name":"deployments","namespaced":true,"kind":"Deployment","verbs":["get"]},
          {"name":"deployments/scale","namespaced":true,"kind":"Scale","group":"autoscaling","version":"v1","verbs":["get"]}]}""");
    answers.put("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/deployments.apps/web/queue_length", """
        {"kind":"MetricValueList","items":[{"describedObject":{"kind":"Deployment","name":"web"},
          "metric":{"name":"queue_length"},"timestamp":"2026-01-01T12:00:00Z","value":"42"}]}""");
    MetricsClient.Sample s = metrics.objectMetric("queue_length", "ns",
        new CrossVersionObjectReference("apps/v1", "Deployment", "web"), Selector.everything());
    assertThat(s).isEqualTo(new MetricsClient.Sample(42_000, Instant.parse("2026-01-01T12:00:00Z")));

    answers.put("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/metrics/load", """
        {"kind":"MetricValueList","items":[{"metric":{"name":"load"},"timestamp":"2026-01-01T12:00:00Z","value":"7"}]}""");
    assertThat(metrics.objectMetric("load", "ns", new CrossVersionObjectReference("v1", "Namespace", "ns"),
        Selector.everything()).value()).isEqualTo(7000);
  }

  @Test
  void externalMetricsListTheMatchingSeries() throws Exception {
    answers.put("/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue_messages_ready", """
        {"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","items":[
          {"metricName":"queue_messages_ready","metricLabels":{"queue":"a"},"timestamp":"2026-01-01T12:00:00Z","value":"30"},
          {"metricName":"queue_messages_ready","metricLabels":{"queue":"b"},"timestamp":"2026-01-01T12:00:00Z","value":"250m"}]}""");
    MetricsClient.ExternalSamples s = metrics.externalMetric("queue_messages_ready", "ns",
        Selector.of(new LabelSelectorBuilder().addNewMatchExpression().withKey("queue").withOperator("In")
            .withValues("a", "b").endMatchExpression().build()));
    assertThat(requests).contains(
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue_messages_ready?labelSelector=queue in (a,b)");
    assertThat(s.values()).containsExactly(30_000L, 250L);
  }
}
