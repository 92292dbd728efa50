package io.planet.node.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.node.server.ServingCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planet's metrics-server: scrapes every node's kubelet {@code /metrics/resource} each resolution period and serves
 * {@code metrics.k8s.io/v1beta1} NodeMetrics and PodMetrics (CPU as the rate between the last two scrapes, memory as
 * the working set) over HTTPS, registered with the API server as an APIService — as upstream's metrics-server, so
 * {@code kubectl top} and the HPA read it through the API server.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  static final String GROUP_VERSION = "metrics.k8s.io/v1beta1";
  static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Duration resolution;
  private final KubeletClients kubelets;
  private final Map<String, ResourceSample[]> samples = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "metrics-scraper");
    t.setDaemon(true);
    return t;
  });
  private SharedIndexInformer<Node> nodes;
  private SharedIndexInformer<Pod> pods;
  private HttpsServer server;

  /** Scrapes kubelets without verifying them or presenting credentials (kubelets with an open API, tests). */
  public MetricsServer(KubernetesClient client, Duration resolution) {
    this.client = client;
    this.resolution = resolution;
    try {
      this.kubelets = new KubeletClients(null, KubeletScrapeTls.INSECURE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Scrapes kubelets with the client's credentials (client certificate, bearer token), verifying them as {@code tls}
   * says; throws when a CA named cannot be read.
   */
  public MetricsServer(KubernetesClient client, Duration resolution, KubeletScrapeTls tls) throws IOException {
    this.client = client;
    this.resolution = resolution;
    this.kubelets = new KubeletClients(client.getConfiguration(), tls);
  }

  /** Serves on {@code address} (certificate kept in {@code certDir}) and starts scraping. */
  public MetricsServer start(InetSocketAddress address, Path certDir) throws IOException {
    nodes = client.nodes().inform();
    pods = client.pods().inAnyNamespace().inform();
    KeyStore ks = ServingCertificate.loadOrCreate(certDir, "metrics-server", List.of(address.getAddress().getHostAddress()));
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, ServingCertificate.password(certDir));
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
      server = HttpsServer.create(address, 64);
      server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("metrics-server certificate: " + e.getMessage(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "metrics-server");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    scraper.scheduleWithFixedDelay(this::scrapeAll, 0, resolution.toMillis(), TimeUnit.MILLISECONDS);
    log.info("metrics-server serving {} on https://{}", GROUP_VERSION, address);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Registers this server with the API server as upstream's manifests do: Service kube-system/metrics-server (no
   * selector) with an EndpointSlice to {@code address}:{@link #port()}, and the APIService v1beta1.metrics.k8s.io
   * (insecureSkipTLSVerify: the certificate is self-signed until the cluster CA exists).
   */
  public void register(String address) {
    String service = """
        apiVersion: v1
        kind: Service
        metadata: {name: metrics-server, namespace: kube-system, labels: {k8s-app: metrics-server}}
        spec:
          ports: [{name: https, port: 443, protocol: TCP, targetPort: %d}]
        """.formatted(port());
    String slice = """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: metrics-server
          namespace: kube-system
          labels: {kubernetes.io/service-name: metrics-server, endpointslice.kubernetes.io/managed-by: planet-metrics-server}
        addressType: IPv4
        endpoints: [{addresses: ["%s"], conditions: {ready: true}}]
        ports: [{name: https, port: %d, protocol: TCP}]
        """.formatted(address, port());
    String apiService = """
        apiVersion: apiregistration.k8s.io/v1
        kind: APIService
        metadata: {name: v1beta1.metrics.k8s.io, labels: {k8s-app: metrics-server}}
        spec:
          group: metrics.k8s.io
          version: v1beta1
          service: {name: metrics-server, namespace: kube-system, port: 443}
          insecureSkipTLSVerify: true
          groupPriorityMinimum: 100
          versionPriority: 100
        """;
    for (String manifest : List.of(service, slice, apiService)) {
      client.resource(manifest).fieldManager("planet-metrics-server").forceConflicts().serverSideApply();
    }
  }

  private void scrapeAll() {
    for (Node n : nodes.getStore().list()) {
      String name = n.getMetadata().getName();
      try {
        String addr = address(n);
        if (addr == null) continue;
        int port = n.getStatus().getDaemonEndpoints() == null || n.getStatus().getDaemonEndpoints().getKubeletEndpoint() == null
            ? 10250 : n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        HttpRequest req = kubelets.authorize(HttpRequest.newBuilder(URI.create("https://" + addr + ":" + port
            + "/metrics/resource")).timeout(Duration.ofSeconds(10))).build();
        HttpResponse<String> r = kubelets.forNode(name).send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          log.debug("scraping node {}: HTTP {}: {}", name, r.statusCode(), r.body());
          continue;
        }
        ResourceSample s = ResourceSample.parse(r.body());
        samples.compute(name, (k, old) -> old == null ? new ResourceSample[] {null, s} : new ResourceSample[] {old[1], s});
      } catch (IOException | RuntimeException e) {
        log.debug("scraping node {}: {}", name, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String address(Node n) {
    if (n.getStatus() == null || n.getStatus().getAddresses() == null) return null;
    for (NodeAddress a : n.getStatus().getAddresses()) if ("InternalIP".equals(a.getType())) return a.getAddress();
    return null;
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
        send(ex, 200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String base = "/apis/" + GROUP_VERSION;
      if (path.equals(base)) {
        send(ex, 200, "application/json", JSON.writeValueAsBytes(resourceList()));
        return;
      }
      if (!path.startsWith(base + "/")) {
        notFound(ex, "the server could not find the requested resource");
        return;
      }
      String[] p = path.substring(base.length() + 1).split("/");
      Selector selector = Selector.parse(query.get("labelSelector"));
      if (p[0].equals("nodes")) {
        if (p.length == 1) send(ex, 200, "application/json", JSON.writeValueAsBytes(list("NodeMetricsList", nodeMetrics(null, selector))));
        else {
          List<ObjectNode> one = nodeMetrics(p[1], Selector.ALL);
          if (one.isEmpty()) notFound(ex, "nodemetrics.metrics.k8s.io \"" + p[1] + "\" not found");
          else send(ex, 200, "application/json", JSON.writeValueAsBytes(one.get(0)));
        }
      } else if (p[0].equals("pods") && p.length == 1) {
        send(ex, 200, "application/json", JSON.writeValueAsBytes(list("PodMetricsList", podMetrics(null, null, selector))));
      } else if (p[0].equals("namespaces") && p.length >= 3 && p[2].equals("pods")) {
        if (p.length == 3) {
          send(ex, 200, "application/json", JSON.writeValueAsBytes(list("PodMetricsList", podMetrics(p[1], null, selector))));
        } else {
          List<ObjectNode> one = podMetrics(p[1], p[3], Selector.ALL);
          if (one.isEmpty()) notFound(ex, "podmetrics.metrics.k8s.io \"" + p[1] + "/" + p[3] + "\" not found");
          else send(ex, 200, "application/json", JSON.writeValueAsBytes(one.get(0)));
        }
      } else {
        notFound(ex, "the server could not find the requested resource");
      }
    } catch (RuntimeException e) {
      log.warn("metrics request {} failed: {}", ex.getRequestURI(), e.toString());
      send(ex, 500, "application/json", status(500, "InternalError", String.valueOf(e.getMessage())));
    }
  }

  private List<ObjectNode> nodeMetrics(String only, Selector selector) {
    List<ObjectNode> out = new ArrayList<>();
    for (Node n : nodes.getStore().list()) {
      String name = n.getMetadata().getName();
      if (only != null && !only.equals(name)) continue;
      if (!selector.matches(n.getMetadata().getLabels())) continue;
      ResourceSample[] s = samples.get(name);
      if (s == null || s[0] == null || s[0].node().cpuSeconds() < 0) continue;
      ObjectNode m = item("NodeMetrics", name, null, n.getMetadata().getLabels(), s[1].node().timestampMillis());
      ObjectNode usage = m.putObject("usage");
      usage.put("cpu", cpu(s[0].node(), s[1].node()));
      usage.put("memory", memory(s[1].node().memoryBytes()));
      out.add(m);
    }
    return out;
  }

  private List<ObjectNode> podMetrics(String namespace, String only, Selector selector) {
    List<ObjectNode> out = new ArrayList<>();
    for (Pod pod : pods.getStore().list()) {
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      if (namespace != null && !namespace.equals(ns)) continue;
      if (only != null && !only.equals(name)) continue;
      if (!selector.matches(pod.getMetadata().getLabels())) continue;
      ResourceSample[] s = pod.getSpec().getNodeName() == null ? null : samples.get(pod.getSpec().getNodeName());
      if (s == null || s[0] == null) continue;
      ArrayNode containers = JSON.createArrayNode();
      long ts = 0;
      for (var c : pod.getSpec().getContainers()) {
        ResourceSample.ContainerKey k = new ResourceSample.ContainerKey(ns, name, c.getName());
        ResourceSample.Point before = s[0].containers().get(k);
        ResourceSample.Point now = s[1].containers().get(k);
        if (before == null || now == null) continue;
        ObjectNode cm = containers.addObject();
        cm.put("name", c.getName());
        ObjectNode usage = cm.putObject("usage");
        usage.put("cpu", cpu(before, now));
        usage.put("memory", memory(now.memoryBytes()));
        ts = now.timestampMillis();
      }
      if (containers.isEmpty()) continue;
      ObjectNode m = item("PodMetrics", name, ns, pod.getMetadata().getLabels(), ts);
      m.set("containers", containers);
      out.add(m);
    }
    return out;
  }

  private ObjectNode item(String kind, String name, String namespace, Map<String, String> labels, long tsMillis) {
    ObjectNode m = JSON.createObjectNode();
    m.put("kind", kind);
    m.put("apiVersion", GROUP_VERSION);
    ObjectNode meta = m.putObject("metadata");
    meta.put("name", name);
    if (namespace != null) meta.put("namespace", namespace);
    meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    if (labels != null) meta.set("labels", JSON.valueToTree(labels));
    m.put("timestamp", Instant.ofEpochMilli(tsMillis).truncatedTo(ChronoUnit.SECONDS).toString());
    m.put("window", resolution.toSeconds() + "s");
    return m;
  }

  /** CPU rate between two cumulative samples, in nanocores as metrics-server writes it. */
  static String cpu(ResourceSample.Point before, ResourceSample.Point now) {
    double seconds = (now.timestampMillis() - before.timestampMillis()) / 1000.0;
    double used = now.cpuSeconds() - before.cpuSeconds();
    long nanocores = seconds <= 0 || used < 0 ? 0 : Math.round(used / seconds * 1e9);
    return nanocores + "n";
  }

  static String memory(long bytes) {
    return (bytes / 1024) + "Ki";
  }

  private ObjectNode list(String kind, List<ObjectNode> items) {
    ObjectNode l = JSON.createObjectNode();
    l.put("kind", kind);
    l.put("apiVersion", GROUP_VERSION);
    l.putObject("metadata");
    l.putArray("items").addAll(items);
    return l;
  }

  private ObjectNode resourceList() {
    ObjectNode l = JSON.createObjectNode();
    l.put("kind", "APIResourceList");
    l.put("apiVersion", "v1");
    l.put("groupVersion", GROUP_VERSION);
    ArrayNode rs = l.putArray("resources");
    for (String[] r : new String[][] {{"nodes", "NodeMetrics", "false"}, {"pods", "PodMetrics", "true"}}) {
      ObjectNode o = rs.addObject();
      o.put("name", r[0]);
      o.put("singularName", "");
      o.put("namespaced", Boolean.parseBoolean(r[2]));
      o.put("kind", r[1]);
      o.putArray("verbs").add("get").add("list");
    }
    return l;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null) return m;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static byte[] status(int code, String reason, String message) {
    return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + JSON.valueToTree(message) + ",\"reason\":\"" + reason + "\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static void notFound(HttpExchange ex, String message) throws IOException {
    send(ex, 404, "application/json", status(404, "NotFound", message));
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    scraper.shutdownNow();
    if (server != null) server.stop(0);
    if (nodes != null) nodes.close();
    if (pods != null) pods.close();
  }
}
