package io.planet.controllers.podautoscaler;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream's REST metrics client: the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics), the custom metrics
 * API (custom.metrics.k8s.io/v1beta2 MetricValueList) and the external metrics API (external.metrics.k8s.io/v1beta1
 * ExternalMetricValueList), all read through the API server, which serves or proxies them when installed.
 */
public final class RestMetricsClient implements MetricsClient {
  static final String RESOURCE = "/apis/metrics.k8s.io/v1beta1";
  static final String CUSTOM = "/apis/custom.metrics.k8s.io/v1beta2";
  static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1";
  /** metricServerDefaultMetricWindow: the window assumed when a custom metric does not say. */
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  private static final Pattern GO_DURATION = Pattern.compile("([0-9.]+)(h|ms|us|µs|ns|m|s)");

  private final ApiRequests api;
  private final ApiResources resources;

  public RestMetricsClient(ApiRequests api, ApiResources resources) {
    this.api = api;
    this.resources = resources;
  }

  @Override
  public PodMetrics resourceMetric(String resource, String namespace, Selector pods, String container)
      throws MetricsUnavailable {
    JsonNode list;
    try {
      list = api.get(RESOURCE + "/namespaces/" + namespace + "/pods", Map.of("labelSelector", pods.toString()));
    } catch (ApiRequests.Failure e) {
      throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: " + e.getMessage());
    }
    JsonNode items = list.path("items");
    if (items.size() == 0) throw new MetricsUnavailable("no metrics returned from resource metrics API");
    Map<String, PodMetric> out = new HashMap<>();
    for (JsonNode m : items) {
      String pod = m.path("metadata").path("name").asText();
      Instant ts = time(m.path("timestamp"));
      Duration window = duration(m.path("window").asText(""));
      JsonNode containers = m.path("containers");
      if (container != null && !container.isEmpty()) {
        JsonNode c = null;
        for (JsonNode x : containers) if (container.equals(x.path("name").asText())) c = x;
        if (c == null) {
          throw new MetricsUnavailable("failed to get container metrics: container " + container
              + " not present in metrics for pod " + namespace + "/" + pod);
        }
        if (c.path("usage").has(resource)) {
          out.put(pod, new PodMetric(Quantities.milli(c.path("usage").get(resource).asText()), ts, window));
        }
        continue;
      }
      // a pod whose containers do not all report the resource counts as missing, not as a partial sum
      boolean missing = containers.size() == 0;
      long sum = 0;
      for (JsonNode c : containers) {
        if (!c.path("usage").has(resource)) {
          missing = true;
          break;
        }
        sum += Quantities.milli(c.path("usage").get(resource).asText());
      }
      if (!missing) out.put(pod, new PodMetric(sum, ts, window));
    }
    return new PodMetrics(out, time(items.get(0).path("timestamp")));
  }

  @Override
  public PodMetrics podsMetric(String metric, String namespace, Selector pods, Selector metricSelector)
      throws MetricsUnavailable {
    JsonNode items = customList(CUSTOM + "/namespaces/" + namespace + "/pods/*/" + metric,
        query(pods.toString(), metricSelector)).path("items");
    if (items.size() == 0) throw new MetricsUnavailable("no metrics returned from custom metrics API");
    Map<String, PodMetric> out = new HashMap<>();
    for (JsonNode m : items) {
      Duration window = m.hasNonNull("windowSeconds") ? Duration.ofSeconds(m.get("windowSeconds").asLong()) : DEFAULT_WINDOW;
      out.put(m.path("describedObject").path("name").asText(),
          new PodMetric(Quantities.milli(m.path("value").asText()), time(m.path("timestamp")), window));
    }
    return new PodMetrics(out, time(items.get(0).path("timestamp")));
  }

  @Override
  public Sample objectMetric(String metric, String namespace, CrossVersionObjectReference object, Selector metricSelector)
      throws MetricsUnavailable {
    String apiVersion = object.getApiVersion() == null || object.getApiVersion().isEmpty() ? "v1" : object.getApiVersion();
    String path;
    if (object.getKind().equals("Namespace") && !apiVersion.contains("/")) {
      // the namespace itself (never another one: the reference cannot escape the HPA's namespace)
      path = CUSTOM + "/namespaces/" + namespace + "/metrics/" + metric;
    } else {
      String resource;
      try {
        resource = resources.resolve(apiVersion, object.getKind()).groupResource();
      } catch (IllegalArgumentException e) {
        throw new MetricsUnavailable("unable to fetch metrics from custom metrics API: " + e.getMessage());
      }
      path = CUSTOM + "/namespaces/" + namespace + "/" + resource + "/" + object.getName() + "/" + metric;
    }
    JsonNode list = customList(path, query("", metricSelector));
    JsonNode items = list.path("items");
    if (items.size() != 1) {
      throw new MetricsUnavailable("unable to fetch metrics from custom metrics API: the server returned "
          + items.size() + " results when 1 was expected");
    }
    return new Sample(Quantities.milli(items.get(0).path("value").asText()), time(items.get(0).path("timestamp")));
  }

  @Override
  public ExternalSamples externalMetric(String metric, String namespace, Selector metricSelector)
      throws MetricsUnavailable {
    JsonNode list;
    try {
      list = api.get(EXTERNAL + "/namespaces/" + namespace + "/" + metric.toLowerCase(),
          Map.of("labelSelector", metricSelector.toString()));
    } catch (ApiRequests.Failure e) {
      throw new MetricsUnavailable("unable to fetch metrics from external metrics API: " + e.getMessage());
    }
    JsonNode items = list.path("items");
    if (items.size() == 0) throw new MetricsUnavailable("no metrics returned from external metrics API");
    List<Long> values = new ArrayList<>();
    for (JsonNode m : items) values.add(Quantities.milli(m.path("value").asText()));
    return new ExternalSamples(values, time(items.get(0).path("timestamp")));
  }

  private JsonNode customList(String path, Map<String, String> query) throws MetricsUnavailable {
    try {
      return api.get(path, query);
    } catch (ApiRequests.Failure e) {
      throw new MetricsUnavailable("unable to fetch metrics from custom metrics API: " + e.getMessage());
    }
  }

  private static Map<String, String> query(String labelSelector, Selector metricSelector) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("labelSelector", labelSelector);
    q.put("metricLabelSelector", metricSelector.toString());
    return q;
  }

  private static Instant time(JsonNode n) {
    if (n == null || !n.isTextual() || n.asText().isEmpty()) return Instant.EPOCH;
    return Instant.parse(n.asText());
  }

  /** metav1.Duration as Go prints it: {@code 30s}, {@code 1m0s}, {@code 1.5s}, {@code 500ms}. */
  static Duration duration(String s) {
    if (s.isEmpty()) return Duration.ZERO;
    Duration d = Duration.ZERO;
    Matcher m = GO_DURATION.matcher(s);
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      long nanos = switch (m.group(2)) {
        case "h" -> (long) (v * 3600e9);
        case "m" -> (long) (v * 60e9);
        case "s" -> (long) (v * 1e9);
        case "ms" -> (long) (v * 1e6);
        case "us", "µs" -> (long) (v * 1e3);
        default -> (long) v;
      };
      d = d.plusNanos(nanos);
    }
    return d;
  }
}
