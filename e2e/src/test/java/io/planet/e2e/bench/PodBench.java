package io.planet.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The load generator behind {@code scripts/bench pods}: pod startup latency on one real node. The script started
 * etcd, {@code bin/planet apiserver} and a real {@code bin/planet kubelet} (root, runc containers, CNI bridge) with
 * the busybox image imported. One run waits for the Node to be Ready, runs one warm-up pod through the agent, then
 * creates {@code --pods} pods running {@code sleep 3600} (no probes, {@code spec.nodeName} set: no scheduler) and
 * takes each pod's latency from just before its create request to the moment a watch delivers it Ready, which is
 * upstream's pod startup SLI (creation to all containers started and observed via watch). With all pods running it
 * reads the agent's memory, then deletes them and waits until the agent has removed every one.
 */
public final class PodBench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String NS = "bench-pods";

  private final Map<String, String> o;
  private final URI server;
  private final String node;
  private final String image;
  private final int pods;
  private final int concurrency;
  private final long timeoutSeconds;
  private final long kubeletPid;
  private final ProcessCpu kubeletCpu;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** Pod name → when a watch first delivered it Ready (System.nanoTime). */
  private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
  private final Map<String, Long> deletedAt = new ConcurrentHashMap<>();

  private PodBench(Map<String, String> o) {
    this.o = o;
    this.server = URI.create(required(o, "server"));
    this.node = required(o, "node");
    this.image = required(o, "image");
    this.pods = number(o, "pods", 100);
    this.concurrency = number(o, "concurrency", 8);
    this.timeoutSeconds = number(o, "timeout", 300);
    this.kubeletPid = number(o, "kubelet-pid", 0);
    this.kubeletCpu = new ProcessCpu(kubeletPid, number(o, "clock-ticks", 100));
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
    System.exit(o.containsKey("summarize") ? summarize(o, rest) : new PodBench(o).run());
  }

  // ---- one run -------------------------------------------------------------------------------------------------

  private int run() throws Exception {
    ObjectNode r = JSON.createObjectNode();
    r.put("date", Instant.now().toString());
    r.put("pods", pods);
    r.put("concurrency", concurrency);
    r.put("image", image);
    if (!await(() -> nodeReady(), 120)) return fail(r, "node " + node + " did not become Ready");
    int ns = send("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}").statusCode();
    if (ns != 201 && ns != 409) return fail(r, "creating the namespace: " + ns);
    Thread watcher = watch();
    ExecutorService creators = Executors.newFixedThreadPool(concurrency);
    try {
      // warm-up: the agent's first pod sets up the bridge, image layers and JIT; not timed with the rest
      long w0 = System.nanoTime();
      create("warmup");
      if (!await(() -> readyAt.containsKey("warmup"), 120)) return fail(r, "the warm-up pod did not become Ready");
      r.put("warmupSeconds", round((readyAt.get("warmup") - w0) / 1e9));
      delete("warmup");
      if (!await(() -> deletedAt.containsKey("warmup"), 120)) return fail(r, "the warm-up pod was not removed");
      double rssIdle = memoryKb("VmRSS") / 1024.0;

      double cpu0 = kubeletCpu.seconds();
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      long t0 = System.nanoTime();
      List<Future<?>> creates = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        String name = String.format("sleep-%04d", i);
        creates.add(creators.submit(() -> {
          sentAt.put(name, System.nanoTime());
          create(name);
          return null;
        }));
      }
      for (Future<?> f : creates) f.get();
      long created = System.nanoTime();
      boolean all = await(() -> sentAt.keySet().stream().allMatch(readyAt::containsKey), timeoutSeconds);
      long[] latencies = new long[pods];
      int n = 0;
      long lastReady = t0;
      for (Map.Entry<String, Long> e : sentAt.entrySet()) {
        Long ready = readyAt.get(e.getKey());
        if (ready == null) continue;
        latencies[n++] = ready - e.getValue();
        lastReady = Math.max(lastReady, ready);
      }
      LatencyStats stats = LatencyStats.of(latencies, n);
      r.put("readyPods", n);
      r.put("createSeconds", round((created - t0) / 1e9));
      r.put("allReadySeconds", round((lastReady - t0) / 1e9));
      r.put("p50Ms", round(stats.p50Ms()));
      r.put("p90Ms", round(stats.p90Ms()));
      r.put("p99Ms", round(stats.p99Ms()));
      r.put("maxMs", round(stats.maxMs()));
      r.put("meanMs", round(stats.meanMs()));
      r.put("kubeletCpuSeconds", round(kubeletCpu.seconds() - cpu0));
      r.put("kubeletIdleRssMiB", round(rssIdle));
      r.put("kubeletRssMiB", round(memoryKb("VmRSS") / 1024.0));
      r.put("kubeletPeakRssMiB", round(memoryKb("VmHWM") / 1024.0));
      r.put("kubeletThreads", threads());
      if (!all) {
        deleteAll(sentAt.keySet(), creators);
        return fail(r, "only " + n + " of " + pods + " pods became Ready within " + timeoutSeconds + " s");
      }

      long d0 = System.nanoTime();
      deleteAll(sentAt.keySet(), creators);
      boolean gone = await(() -> sentAt.keySet().stream().allMatch(deletedAt::containsKey), timeoutSeconds);
      r.put("deleteAllSeconds", round((System.nanoTime() - d0) / 1e9));
      if (!gone) return fail(r, "not every pod was removed within " + timeoutSeconds + " s");
      r.put("ok", true);
      write(r);
      log("%d pods: create -> Ready p50 %.0f ms, p99 %.0f ms, max %.0f ms; all Ready after %.1f s; agent RSS %.0f MiB "
          + "(idle %.0f MiB); deleting all took %.1f s", pods, stats.p50Ms(), stats.p99Ms(), stats.maxMs(),
          (lastReady - t0) / 1e9, r.path("kubeletRssMiB").asDouble(), rssIdle, r.path("deleteAllSeconds").asDouble());
      return 0;
    } finally {
      creators.shutdownNow();
      watcher.interrupt();
    }
  }

  private void deleteAll(Iterable<String> names, ExecutorService pool) throws Exception {
    List<Future<?>> deletes = new ArrayList<>();
    for (String name : names) {
      deletes.add(pool.submit(() -> {
        delete(name);
        return null;
      }));
    }
    for (Future<?> f : deletes) f.get();
  }

  private void create(String name) throws IOException, InterruptedException {
    String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
        + "\"nodeName\":\"" + node + "\",\"terminationGracePeriodSeconds\":1,\"containers\":[{\"name\":\"sleep\","
        + "\"image\":\"" + image + "\",\"command\":[\"sleep\",\"3600\"]}]}}";
    HttpResponse<String> resp = send("POST", "/api/v1/namespaces/" + NS + "/pods", body);
    if (resp.statusCode() != 201) throw new IllegalStateException("create " + name + ": " + resp.statusCode() + " " + resp.body());
  }

  private void delete(String name) throws IOException, InterruptedException {
    HttpResponse<String> resp = send("DELETE", "/api/v1/namespaces/" + NS + "/pods/" + name, null);
    if (resp.statusCode() != 200 && resp.statusCode() != 202 && resp.statusCode() != 404) {
      throw new IllegalStateException("delete " + name + ": " + resp.statusCode() + " " + resp.body());
    }
  }

  /** Watches the namespace's pods from now on, noting when each is first seen Ready and when it is gone. */
  private Thread watch() throws Exception {
    HttpResponse<String> list = send("GET", "/api/v1/namespaces/" + NS + "/pods", null);
    String rv = JSON.readTree(list.body()).path("metadata").path("resourceVersion").asText();
    HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(server.resolve("/api/v1/namespaces/" + NS
        + "/pods?watch=true&allowWatchBookmarks=false&resourceVersion=" + rv)).build(), HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) throw new IllegalStateException("watch: " + resp.statusCode());
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          long now = System.nanoTime();
          JsonNode event = JSON.readTree(line);
          JsonNode pod = event.path("object");
          String name = pod.path("metadata").path("name").asText();
          if (event.path("type").asText().equals("DELETED")) {
            deletedAt.putIfAbsent(name, now);
          } else if (ready(pod)) {
            readyAt.putIfAbsent(name, now);
          }
        }
      } catch (IOException e) {
        // the run is over
      }
    }, "pod-watch");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static boolean ready(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) return c.path("status").asText().equals("True");
    }
    return false;
  }

  private boolean nodeReady() throws IOException, InterruptedException {
    HttpResponse<String> resp = send("GET", "/api/v1/nodes/" + node, null);
    if (resp.statusCode() != 200) return false;
    for (JsonNode c : JSON.readTree(resp.body()).path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) return c.path("status").asText().equals("True");
    }
    return false;
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  /** Polls every 20 ms until {@code check} holds or the time is up. */
  private static boolean await(Check check, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (check.ok()) return true;
      Thread.sleep(20);
    }
    return check.ok();
  }

  /** A /proc/&lt;pid&gt;/status memory figure of the agent in kB; 0 when unknown. */
  private long memoryKb(String key) {
    if (kubeletPid <= 0) return 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(kubeletPid), "status"))) {
        if (line.startsWith(key + ":")) return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private long threads() {
    try (var s = Files.list(Path.of("/proc", Long.toString(kubeletPid), "task"))) {
      return s.count();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
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
    report.put("benchmark", "pods");
    report.put("command", o.getOrDefault("command", "scripts/bench pods"));
    report.put("date", Instant.now().toString());
    ObjectNode machine = report.putObject("machine");
    Machine.describe().forEach(machine::put);
    ObjectNode env = report.putObject("environment");
    for (String kv : o.getOrDefault("env", "").split("\n")) {
      int e = kv.indexOf('=');
      if (e > 0) env.put(kv.substring(0, e), kv.substring(e + 1));
    }
    String[] keys = {"p50Ms", "p90Ms", "p99Ms", "maxMs", "meanMs", "allReadySeconds", "createSeconds",
        "kubeletRssMiB", "kubeletPeakRssMiB", "kubeletIdleRssMiB", "kubeletCpuSeconds", "kubeletThreads",
        "deleteAllSeconds", "warmupSeconds"};
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
    Path out = Path.of(o.getOrDefault("out", "target/bench/pods.json"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(report) + "\n");

    System.out.println();
    System.out.printf("Pods: %s pods on one node, create -> Ready (watch), %d run(s)%n",
        runs.isEmpty() ? "?" : runs.get(0).path("pods").asText(), runs.size());
    System.out.printf("%-4s %8s %8s %8s %8s %9s %9s %9s %9s%n", "run", "p50 ms", "p90 ms", "p99 ms", "max ms",
        "all Rdy s", "agent RSS", "agent CPU", "delete s");
    int i = 1;
    for (JsonNode r : runs) {
      System.out.printf("%-4s %8.0f %8.0f %8.0f %8.0f %9.2f %7.0fMi %8.1fs %9.2f%s%n", i++, r.path("p50Ms").asDouble(),
          r.path("p90Ms").asDouble(), r.path("p99Ms").asDouble(), r.path("maxMs").asDouble(),
          r.path("allReadySeconds").asDouble(), r.path("kubeletRssMiB").asDouble(), r.path("kubeletCpuSeconds").asDouble(),
          r.path("deleteAllSeconds").asDouble(), r.path("ok").asBoolean() ? "" : "  FAILED: " + r.path("failure").asText());
    }
    System.out.printf("%-4s %8.0f %8.0f %8.0f %8.0f %9.2f %7.0fMi %8.1fs %9.2f%n", "med", median.path("p50Ms").asDouble(),
        median.path("p90Ms").asDouble(), median.path("p99Ms").asDouble(), median.path("maxMs").asDouble(),
        median.path("allReadySeconds").asDouble(), median.path("kubeletRssMiB").asDouble(),
        median.path("kubeletCpuSeconds").asDouble(), median.path("deleteAllSeconds").asDouble());
    System.out.println("JSON results: " + out.toAbsolutePath());
    return failed == 0 && !runs.isEmpty() ? 0 : 1;
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

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
