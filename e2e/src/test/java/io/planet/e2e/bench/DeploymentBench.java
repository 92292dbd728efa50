package io.planet.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The load generator behind {@code scripts/bench deployments}. One run, against a fresh cluster whose API server,
 * scheduler, controller-manager and hollow nodes the script started as separate processes: it waits until the nodes
 * are Ready and a one-pod warm-up Deployment is Ready (so every component has synced), then times a Deployment of
 * {@code --replicas} pods from create to all Ready, and a template change from the update to the rollout's end (what
 * {@code kubectl rollout status} waits for, plus the old ReplicaSet at zero). It ends with the memory of the
 * components at that scale. {@code --summarize} turns the runs' JSON into medians.
 */
public final class DeploymentBench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String NS = "bench-deploy";
  private static final String NAME = "web";

  private final Map<String, String> o;
  private final String host;
  private final int port;
  private final int nodes;
  private final int replicas;
  private final long timeoutSeconds;
  private final long clockTicks;

  private DeploymentBench(Map<String, String> o) {
    this.o = o;
    URI server = URI.create(required(o, "server"));
    this.host = server.getHost();
    this.port = server.getPort();
    this.nodes = number(o, "nodes", 100);
    this.replicas = number(o, "replicas", 1000);
    this.timeoutSeconds = number(o, "timeout", 600);
    this.clockTicks = number(o, "clock-ticks", 100);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        rest.add(a);
        continue;
      }
      String name = a.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        o.merge(name.substring(0, eq), name.substring(eq + 1), (x, y) -> x + "\n" + y);
      } else if (name.equals("summarize")) {
        o.put(name, "true");
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
        o.merge(name, args[++i], (x, y) -> x + "\n" + y);
      }
    }
    System.exit(o.containsKey("summarize") ? summarize(o, rest) : new DeploymentBench(o).run());
  }

  /** A component process the run measures. */
  private record Component(String name, long pid, ProcessCpu cpu) {}

  // ---- one run -------------------------------------------------------------------------------------------------

  private int run() throws Exception {
    List<Component> components = new ArrayList<>();
    for (String c : List.of("apiserver", "etcd", "scheduler", "controller-manager", "hollow-node")) {
      long pid = number(o, c + "-pid", 0);
      components.add(new Component(c, pid, new ProcessCpu(pid, clockTicks)));
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("date", Instant.now().toString());
    r.put("nodes", nodes);
    r.put("replicas", replicas);
    try (HttpConnection c = connection()) {
      long ready = awaitCount(c, "Ready nodes", () -> readyNodes(c), n -> n >= nodes, 180);
      if (ready < nodes) return fail(r, "only " + ready + " of " + nodes + " nodes became Ready");
      expect(c.post("/api/v1/namespaces", ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
          + NS + "\"}}").getBytes(StandardCharsets.UTF_8)), 201, 409);
      // warm-up: one pod through every component, so that their start and sync are not timed
      long warm0 = System.nanoTime();
      expect(c.post(deployments(), deployment("warmup", 1, "registry.k8s.io/pause:3.9")), 201);
      if (awaitCount(c, "warm-up Ready", () -> ready(get(c, "warmup")), n -> n >= 1, 180) < 1) {
        return fail(r, "the warm-up Deployment did not become Ready");
      }
      r.put("warmupSeconds", round((System.nanoTime() - warm0) / 1e9));

      Map<String, Double> cpu0 = cpuSeconds(components);
      // create -> all Ready
      long t0 = System.nanoTime();
      Instant t0Wall = Instant.now();
      expect(c.post(deployments(), deployment(NAME, replicas, "registry.k8s.io/pause:3.9")), 201);
      Phase create = follow(c, t0, d -> complete(d, replicas) && readyOf(d) == replicas);
      r.put("createToAllReadySeconds", create.seconds());
      r.set("createReadyAtSeconds", create.progress());
      if (!create.done()) return fail(r, "the Deployment did not reach " + replicas + " Ready replicas: " + create.last());
      Map<String, Long> rssAfterCreate = rss(components, "VmRSS");
      r.set("createPodTimeline", podTimeline(c, t0Wall));

      // rolling update of the template -> rollout complete, old ReplicaSet at zero
      long t1 = System.nanoTime();
      updateImage(c, "registry.k8s.io/pause:3.10");
      long generation = get(c, NAME).path("metadata").path("generation").asLong();
      Phase rollout = follow(c, t1, d -> d.path("status").path("observedGeneration").asLong() >= generation
          && complete(d, replicas) && oldReplicaSetsEmpty(c));
      r.put("rolloutSeconds", rollout.seconds());
      r.set("rolloutUpdatedAtSeconds", rollout.progress());
      Map<String, Double> cpu1 = cpuSeconds(components);
      for (Component comp : components) {
        r.put(key(comp.name()) + "CpuSeconds", round(cpu1.get(comp.name()) - cpu0.get(comp.name())));
      }
      // memory at the end, with 1,000 pods and two ReplicaSets in every cache
      Map<String, Long> rss = rss(components, "VmRSS");
      Map<String, Long> hwm = rss(components, "VmHWM");
      for (Component comp : components) {
        r.put(key(comp.name()) + "RssMiB", mib(rss.get(comp.name())));
        r.put(key(comp.name()) + "PeakRssMiB", mib(hwm.get(comp.name())));
        r.put(key(comp.name()) + "RssAfterCreateMiB", mib(rssAfterCreate.get(comp.name())));
      }
      r.put("eventsInNamespace", count(c, "/api/v1/namespaces/" + NS + "/events"));
      if (!rollout.done()) return fail(r, "the rollout did not complete: " + rollout.last());
      r.put("ok", true);
      write(r);
      log("%d replicas on %d nodes: create -> all Ready %.1f s, rollout %.1f s; RSS controller-manager %.0f MiB, "
              + "scheduler %.0f MiB, API server %.0f MiB", replicas, nodes, create.seconds(), rollout.seconds(),
          r.path("controllerManagerRssMiB").asDouble(), r.path("schedulerRssMiB").asDouble(),
          r.path("apiserverRssMiB").asDouble());
      return 0;
    }
  }

  /** What a timed phase saw: how long until done (or the timeout), and the count of interest second by second. */
  private record Phase(boolean done, double seconds, ObjectNode progress, String last) {}

  /** Polls the Deployment every 100 ms until {@code done} holds; records updated-and-ready replicas each second. */
  private Phase follow(HttpConnection c, long start, Predicate<JsonNode> done) throws Exception {
    ObjectNode progress = JSON.createObjectNode();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int nextSecond = 1;
    JsonNode d = null;
    while (System.nanoTime() < deadline) {
      d = get(c, NAME);
      long now = System.nanoTime();
      while (now - start >= TimeUnit.SECONDS.toNanos(nextSecond)) {
        progress.put(Integer.toString(nextSecond++), Math.min(readyOf(d), d.path("status").path("updatedReplicas").asInt()));
      }
      if (done.test(d)) return new Phase(true, round((now - start) / 1e9), progress, status(d));
      Thread.sleep(100);
    }
    return new Phase(false, round(timeoutSeconds), progress, d == null ? "" : status(d));
  }

  /**
   * Where the create phase's time went, from the pods' own timestamps (whole seconds, as the API keeps them): when
   * the last pod was created, scheduled and Ready, counted from the Deployment's create, and the median of each.
   */
  private ObjectNode podTimeline(HttpConnection c, Instant start) throws IOException {
    List<Double> created = new ArrayList<>();
    List<Double> scheduled = new ArrayList<>();
    List<Double> ready = new ArrayList<>();
    JsonNode list = JSON.readTree(c.get("/api/v1/namespaces/" + NS + "/pods?labelSelector=app%3D" + NAME).body());
    for (JsonNode p : list.path("items")) {
      created.add(since(start, p.path("metadata").path("creationTimestamp").asText()));
      for (JsonNode cond : p.path("status").path("conditions")) {
        if (!cond.path("status").asText().equals("True")) continue;
        String type = cond.path("type").asText();
        if (type.equals("PodScheduled")) scheduled.add(since(start, cond.path("lastTransitionTime").asText()));
        if (type.equals("Ready")) ready.add(since(start, cond.path("lastTransitionTime").asText()));
      }
    }
    ObjectNode t = JSON.createObjectNode();
    for (Map.Entry<String, List<Double>> e : Map.of("created", created, "scheduled", scheduled, "ready", ready).entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (v.length == 0) continue;
      t.put(e.getKey() + "MedianSeconds", round(v[v.length / 2]));
      t.put(e.getKey() + "LastSeconds", round(v[v.length - 1]));
    }
    return t;
  }

  private static double since(Instant start, String timestamp) {
    if (timestamp.isEmpty()) return -1;
    return (Instant.parse(timestamp).toEpochMilli() - start.toEpochMilli()) / 1000.0;
  }

  /** What {@code kubectl rollout status} waits for: all replicas updated, no old ones, all available. */
  private static boolean complete(JsonNode d, int replicas) {
    JsonNode s = d.path("status");
    return d.path("metadata").path("generation").asLong() <= s.path("observedGeneration").asLong()
        && s.path("updatedReplicas").asInt() == replicas && s.path("replicas").asInt() == replicas
        && s.path("availableReplicas").asInt() == replicas;
  }

  private static int readyOf(JsonNode d) {
    return d.path("status").path("readyReplicas").asInt();
  }

  private static long ready(JsonNode d) {
    return readyOf(d);
  }

  private static String status(JsonNode d) {
    return d.path("status").toString();
  }

  /** Every ReplicaSet of the Deployment but the newest revision is scaled to zero and has no pods left. */
  private boolean oldReplicaSetsEmpty(HttpConnection c) {
    try {
      JsonNode list = JSON.readTree(c.get("/apis/apps/v1/namespaces/" + NS + "/replicasets?labelSelector=app%3D"
          + NAME).body());
      long newest = 0;
      for (JsonNode rs : list.path("items")) newest = Math.max(newest, revision(rs));
      for (JsonNode rs : list.path("items")) {
        if (revision(rs) == newest) continue;
        if (rs.path("spec").path("replicas").asInt() != 0 || rs.path("status").path("replicas").asInt() != 0) {
          return false;
        }
      }
      return list.path("items").size() >= 2;
    } catch (IOException e) {
      return false;
    }
  }

  private static long revision(JsonNode rs) {
    return rs.path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asLong();
  }

  /** A template change as {@code kubectl set image} makes it: read, change, write back; retried on a conflict. */
  private void updateImage(HttpConnection c, String image) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      ObjectNode d = (ObjectNode) get(c, NAME);
      ((ObjectNode) d.path("spec").path("template").path("spec").path("containers").get(0)).put("image", image);
      d.remove("status");
      HttpConnection.Response resp = c.exchange("PUT", deployments() + "/" + NAME, JSON.writeValueAsBytes(d));
      if (resp.status() == 200) return;
      if (resp.status() != 409) throw new IllegalStateException("update: " + resp.status() + " " + resp.text());
    }
    throw new IllegalStateException("update: conflicts on every attempt");
  }

  private static String deployments() {
    return "/apis/apps/v1/namespaces/" + NS + "/deployments";
  }

  private static byte[] deployment(String name, int replicas, String image) {
    return ("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"replicas\":" + replicas + ",\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},"
        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":[{"
        + "\"name\":\"c\",\"image\":\"" + image + "\",\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private JsonNode get(HttpConnection c, String name) throws IOException {
    HttpConnection.Response resp = c.get(deployments() + "/" + name);
    if (resp.status() != 200) throw new IllegalStateException("get deployment " + name + ": " + resp.status() + " " + resp.text());
    return JSON.readTree(resp.body());
  }

  private long readyNodes(HttpConnection c) throws IOException {
    long n = 0;
    for (JsonNode node : JSON.readTree(c.get("/api/v1/nodes").body()).path("items")) {
      for (JsonNode cond : node.path("status").path("conditions")) {
        if (cond.path("type").asText().equals("Ready") && cond.path("status").asText().equals("True")) n++;
      }
    }
    return n;
  }

  /** How many items a list has; -1 when the list fails. */
  private static int count(HttpConnection c, String path) throws IOException {
    HttpConnection.Response r = c.get(path);
    return r.status() == 200 ? JSON.readTree(r.body()).path("items").size() : -1;
  }

  private interface Count {
    long get() throws IOException;
  }

  /** Polls until {@code ok} holds or the time is up; returns the last count. */
  private static long awaitCount(HttpConnection c, String what, Count count, Predicate<Long> ok, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long n = count.get();
    while (!ok.test(n) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      n = count.get();
    }
    log("%s: %d", what, n);
    return n;
  }

  private static Map<String, Double> cpuSeconds(List<Component> components) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Component c : components) m.put(c.name(), c.cpu().seconds());
    return m;
  }

  private static Map<String, Long> rss(List<Component> components, String key) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Component c : components) m.put(c.name(), memoryKb(c.pid(), key));
    return m;
  }

  /** A /proc/&lt;pid&gt;/status memory figure in kB (VmRSS now, VmHWM the peak); 0 when unknown. */
  private static long memoryKb(long pid, String key) {
    if (pid <= 0) return 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(key + ":")) return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** "controller-manager" -> "controllerManager", for JSON keys. */
  private static String key(String component) {
    int dash = component.indexOf('-');
    if (dash < 0) return component;
    return component.substring(0, dash) + Character.toUpperCase(component.charAt(dash + 1)) + component.substring(dash + 2);
  }

  private static double mib(Long kb) {
    return kb == null ? 0 : round(kb / 1024.0);
  }

  private int fail(ObjectNode r, String why) throws IOException {
    r.put("ok", false);
    r.put("failure", why);
    write(r);
    log("run failed: %s", why);
    return 1;
  }

  private void write(ObjectNode r) throws IOException {
    Path out = Path.of(required(o, "out"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(r) + "\n");
  }

  // ---- summary over runs ---------------------------------------------------------------------------------------

  private static int summarize(Map<String, String> o, List<String> files) throws IOException {
    List<JsonNode> runs = new ArrayList<>();
    for (String f : files) runs.add(JSON.readTree(Path.of(f).toFile()));
    ObjectNode report = JSON.createObjectNode();
    report.put("benchmark", "deployments");
    report.put("command", o.getOrDefault("command", "scripts/bench deployments"));
    report.put("date", Instant.now().toString());
    ObjectNode machine = report.putObject("machine");
    Machine.describe().forEach(machine::put);
    ObjectNode env = report.putObject("environment");
    for (String kv : o.getOrDefault("env", "").split("\n")) {
      int e = kv.indexOf('=');
      if (e > 0) env.put(kv.substring(0, e), kv.substring(e + 1));
    }
    String[] keys = {"createToAllReadySeconds", "rolloutSeconds", "controllerManagerRssMiB",
        "controllerManagerPeakRssMiB", "schedulerRssMiB", "schedulerPeakRssMiB", "apiserverRssMiB",
        "apiserverPeakRssMiB", "hollowNodeRssMiB", "controllerManagerCpuSeconds", "schedulerCpuSeconds",
        "apiserverCpuSeconds", "etcdCpuSeconds", "hollowNodeCpuSeconds"};
    List<JsonNode> ok = runs.stream().filter(r -> r.path("ok").asBoolean()).toList();
    ObjectNode median = report.putObject("median");
    for (String k : keys) {
      double[] v = ok.stream().mapToDouble(r -> r.path(k).asDouble()).sorted().toArray();
      median.put(k, v.length == 0 ? 0 : round(v[v.length / 2]));
    }
    ArrayNode arr = report.putArray("runs");
    runs.forEach(arr::add);
    int failed = runs.size() - ok.size();
    report.put("failedRuns", failed);
    Path out = Path.of(o.getOrDefault("out", "target/bench/deployments.json"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(report) + "\n");

    System.out.println();
    System.out.printf("Deployments: %s replicas on %s hollow nodes, %d run(s)%n",
        runs.isEmpty() ? "?" : runs.get(0).path("replicas").asText(), runs.isEmpty() ? "?" : runs.get(0).path("nodes").asText(),
        runs.size());
    System.out.printf("%-4s %9s %9s %10s %10s %10s %10s %9s%n", "run", "create s", "rollout s", "cm RSS", "cm HWM",
        "sched RSS", "API RSS", "cm CPU");
    int i = 1;
    for (JsonNode r : runs) {
      System.out.printf("%-4s %9.2f %9.2f %8.0fMi %8.0fMi %8.0fMi %8.0fMi %8.1fs%s%n", i++,
          r.path("createToAllReadySeconds").asDouble(), r.path("rolloutSeconds").asDouble(),
          r.path("controllerManagerRssMiB").asDouble(), r.path("controllerManagerPeakRssMiB").asDouble(),
          r.path("schedulerRssMiB").asDouble(), r.path("apiserverRssMiB").asDouble(),
          r.path("controllerManagerCpuSeconds").asDouble(),
          r.path("ok").asBoolean() ? "" : "  FAILED: " + r.path("failure").asText());
    }
    System.out.printf("%-4s %9.2f %9.2f %8.0fMi %8.0fMi %8.0fMi %8.0fMi %8.1fs%n", "med",
        median.path("createToAllReadySeconds").asDouble(), median.path("rolloutSeconds").asDouble(),
        median.path("controllerManagerRssMiB").asDouble(), median.path("controllerManagerPeakRssMiB").asDouble(),
        median.path("schedulerRssMiB").asDouble(), median.path("apiserverRssMiB").asDouble(),
        median.path("controllerManagerCpuSeconds").asDouble());
    System.out.println("JSON results: " + out.toAbsolutePath());
    return failed == 0 && !runs.isEmpty() ? 0 : 1;
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private HttpConnection connection() {
    try {
      return new HttpConnection(host, port).open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static void expect(HttpConnection.Response r, int... statuses) {
    for (int s : statuses) if (r.status() == s) return;
    throw new IllegalStateException(r.status() + " " + r.text());
  }

  private static String required(Map<String, String> o, String name) {
    String s = o.get(name);
    if (s == null) throw new IllegalArgumentException("--" + name + " is required");
    return s;
  }

  private static int number(Map<String, String> o, String name, int def) {
    String s = o.get(name);
    return s == null ? def : Integer.parseInt(s);
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  private static void log(String format, Object... args) {
    System.err.printf("bench: " + format + "%n", args);
  }
}
