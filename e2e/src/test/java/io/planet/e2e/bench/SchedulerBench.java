package io.planet.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator behind {@code scripts/bench scheduler}. One run: against a fresh API server, it creates the Nodes
 * and then all pending pods, opens a pod watch, starts {@code bin/planet scheduler} as a separate process and times
 * the bindings it sees on the watch. Throughput counts from the first binding to the last, so the scheduler's JVM
 * start and informer sync (reported separately) are not in it. {@code --summarize} turns the runs' JSON into medians.
 */
public final class SchedulerBench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern METRICS_URL = Pattern.compile("metrics on (http://\\S+?:\\d+)");

  private final Map<String, String> o;
  private final String host;
  private final int port;
  private final int nodes;
  private final int pods;
  private final int namespaces;
  private final int owners;
  private final int concurrency;
  private final long clockTicks;

  private SchedulerBench(Map<String, String> o) {
    this.o = o;
    URI server = URI.create(required(o, "server"));
    this.host = server.getHost();
    this.port = server.getPort();
    this.nodes = number(o, "nodes", 1000);
    this.pods = number(o, "pods", 10000);
    this.namespaces = number(o, "namespaces", 10);
    this.owners = number(o, "owners", 100);
    this.concurrency = number(o, "concurrency", 16);
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
    if (o.containsKey("summarize")) {
      System.exit(summarize(o, rest));
      return;
    }
    System.exit(new SchedulerBench(o).run());
  }

  // ---- one run -------------------------------------------------------------------------------------------------

  private int run() throws Exception {
    long apiPid = number(o, "server-pid", 0);
    long etcdPid = number(o, "etcd-pid", 0);
    CpuMeters cpu = new CpuMeters(apiPid, etcdPid, clockTicks);
    ClosedLoop loop = new ClosedLoop(cpu);
    try (HttpConnection c = connection()) {
      for (int n = 0; n < namespaces; n++) {
        expect201or409(c.post("/api/v1/namespaces", ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
            + "{\"name\":\"" + namespace(n) + "\"}}").getBytes(StandardCharsets.UTF_8)));
      }
    }
    PhaseResult nodePhase = loop.run("create-nodes", nodes, concurrency, this::connection,
        (c, i) -> created(c.post("/api/v1/nodes", node(i))));
    checkNodeStatus();
    PhaseResult podPhase = loop.run("create-pods", pods, concurrency, this::connection,
        (c, i) -> created(c.post("/api/v1/namespaces/" + namespace(i % namespaces) + "/pods", pod(i))));
    log("created %d nodes (%.0f/s) and %d pending pods (%.0f/s)", nodes - nodePhase.errors(),
        nodePhase.throughput(), pods - podPhase.errors(), podPhase.throughput());
    if (nodePhase.errors() + podPhase.errors() > 0) {
      log("create errors: %s", podPhase.errors() > 0 ? podPhase.firstError() : nodePhase.firstError());
      return 1;
    }

    BindWatch watch = new BindWatch(currentResourceVersion());
    watch.start();
    Path log = Path.of(required(o, "scheduler-log"));
    List<String> cmd = new ArrayList<>(Arrays.asList(required(o, "scheduler-command").split(" ")));
    long start = System.nanoTime();
    Process scheduler = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(scheduler::destroyForcibly));
    Files.writeString(Path.of(required(o, "scheduler-pid-file")), scheduler.pid() + "\n");
    ProcessCpu schedulerCpu = new ProcessCpu(scheduler.pid(), clockTicks);
    CpuMeters.Sample cpu0 = cpu.sample();
    double schedCpu0 = schedulerCpu.seconds();
    long deadline = start + TimeUnit.SECONDS.toNanos(number(o, "timeout", 240));
    long peakRss = 0;
    // the second half of the bindings, once the JIT has compiled the hot paths: the steady-state cost per pod
    int half = pods / 2;
    int boundAtHalf = -1;
    long halfNanos = 0;
    CpuMeters.Sample cpuAtHalf = null;
    double schedCpuAtHalf = 0;
    while (watch.bound.size() < pods && System.nanoTime() < deadline && scheduler.isAlive()) {
      peakRss = Math.max(peakRss, rssKb(scheduler.pid(), "VmRSS"));
      if (boundAtHalf < 0 && watch.bound.size() >= half) {
        boundAtHalf = watch.bound.size();
        halfNanos = System.nanoTime();
        cpuAtHalf = cpu.sample();
        schedCpuAtHalf = schedulerCpu.seconds();
      }
      Thread.sleep(100);
    }
    long end = System.nanoTime();
    CpuMeters.Sample now = cpu.sample();
    CpuMeters.Sample used = now.minus(cpu0);
    double schedCpu = schedulerCpu.seconds() - schedCpu0;
    double schedCpuSecondHalf = schedCpu0 + schedCpu - schedCpuAtHalf;
    CpuMeters.Sample usedSecondHalf = cpuAtHalf == null ? null : now.minus(cpuAtHalf);
    int boundSecondHalf = watch.bound.size() - boundAtHalf;
    // memory at the end, with everything bound and the caches full
    long schedRss = rssKb(scheduler.pid(), "VmRSS");
    long schedHwm = rssKb(scheduler.pid(), "VmHWM");
    long apiRss = rssKb(apiPid, "VmRSS");
    long apiHwm = rssKb(apiPid, "VmHWM");
    String metrics = schedulerMetrics(log);
    Map<String, Double> schedThreads = ThreadCpu.byGroup(scheduler.pid(), clockTicks);
    boolean alive = scheduler.isAlive();
    scheduler.destroy();
    scheduler.waitFor(10, TimeUnit.SECONDS);
    watch.stop();

    long[] times = watch.bound.values().stream().mapToLong(Long::longValue).sorted().toArray();
    int bound = times.length;
    ObjectNode r = JSON.createObjectNode();
    r.put("date", Instant.now().toString());
    r.put("nodes", nodes);
    r.put("pods", pods);
    r.put("namespaces", namespaces);
    r.put("owners", owners);
    r.put("nodeCreatesPerSecond", round(nodePhase.throughput()));
    r.put("podCreatesPerSecond", round(podPhase.throughput()));
    r.put("bound", bound);
    r.put("schedulerAlive", alive);
    if (bound > 0) {
      double first = (times[0] - start) / 1e9;
      double last = (times[bound - 1] - start) / 1e9;
      r.put("secondsToFirstBinding", round(first));
      r.put("secondsToAllBound", round(last));
      r.put("bindingSeconds", round(last - first));
      r.put("podsPerSecond", bound > 1 && last > first ? round((bound - 1) / (last - first)) : 0);
      r.put("podsPerSecondIncludingStartup", round(bound / last));
      r.set("percentBoundAtSeconds", progress(times, start));
    }
    r.put("schedulerRssMiB", round(schedRss / 1024.0));
    r.put("schedulerPeakRssMiB", round(Math.max(schedHwm, peakRss) / 1024.0));
    r.put("apiserverRssMiB", round(apiRss / 1024.0));
    r.put("apiserverPeakRssMiB", round(apiHwm / 1024.0));
    r.put("schedulerCpuSeconds", round(schedCpu));
    r.put("apiserverCpuSeconds", round(used.server()));
    r.put("etcdCpuSeconds", round(used.etcd()));
    // CPU per bound pod, from the scheduler's start (JVM start and informer sync included) to the last binding
    r.put("schedulerCpuMsPerPod", bound > 0 ? round(schedCpu * 1000 / bound) : 0);
    r.put("apiserverCpuMsPerPod", bound > 0 ? round(used.server() * 1000 / bound) : 0);
    if (usedSecondHalf != null && boundSecondHalf > 0) {
      r.put("secondHalfPods", boundSecondHalf);
      r.put("secondHalfPodsPerSecond", round(boundSecondHalf / ((end - halfNanos) / 1e9)));
      r.put("secondHalfSchedulerCpuMsPerPod", round(schedCpuSecondHalf * 1000 / boundSecondHalf));
      r.put("secondHalfApiserverCpuMsPerPod", round(usedSecondHalf.server() * 1000 / boundSecondHalf));
      r.put("secondHalfEtcdCpuMsPerPod", round(usedSecondHalf.etcd() * 1000 / boundSecondHalf));
      r.put("secondHalfOtherCpuSeconds", round(usedSecondHalf.other()));
    }
    ObjectNode threads = r.putObject("schedulerThreadCpuSeconds");
    schedThreads.forEach(threads::put);
    r.put("loadGeneratorCpuSeconds", round(used.client()));
    r.put("otherCpuSeconds", round(used.other()));
    r.put("wallSeconds", round((end - start) / 1e9));
    r.put("schedulerMetrics", metrics);
    Path out = Path.of(required(o, "out"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(r) + "\n");
    log("%d/%d pods bound; first binding %.1f s after the scheduler started, all %.1f s; %.0f pods/s; "
            + "scheduler RSS %.0f MiB, API server RSS %.0f MiB", bound, pods, r.path("secondsToFirstBinding").asDouble(),
        r.path("secondsToAllBound").asDouble(), r.path("podsPerSecond").asDouble(), schedRss / 1024.0, apiRss / 1024.0);
    if (!alive) log("the scheduler exited during the run (see its log %s)", log);
    return bound == pods ? 0 : 1;
  }

  /** Bound fraction at whole seconds after the scheduler's start: shows startup, the steady rate and the tail. */
  private static ObjectNode progress(long[] times, long start) {
    ObjectNode p = JSON.createObjectNode();
    int i = 0;
    for (int s = 1; i < times.length; s++) {
      long t = start + TimeUnit.SECONDS.toNanos(s);
      while (i < times.length && times[i] <= t) i++;
      p.put(Integer.toString(s), i);
    }
    return p;
  }

  private byte[] node(int i) {
    String name = String.format("bench-node-%04d", i);
    String now = Instant.now().toString();
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{"
        + "\"kubernetes.io/hostname\":\"" + name + "\",\"kubernetes.io/os\":\"linux\",\"topology.kubernetes.io/zone\":"
        + "\"zone-" + (i % 3) + "\"}},\"spec\":{},\"status\":{"
        + "\"capacity\":{\"cpu\":\"32\",\"memory\":\"256Gi\",\"pods\":\"110\",\"ephemeral-storage\":\"100Gi\"},"
        + "\"allocatable\":{\"cpu\":\"32\",\"memory\":\"256Gi\",\"pods\":\"110\",\"ephemeral-storage\":\"100Gi\"},"
        + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"lastHeartbeatTime\":\""
        + now + "\",\"lastTransitionTime\":\"" + now + "\"}]}}").getBytes(StandardCharsets.UTF_8);
  }

  /** A pod owned by one of {@code owners} ReplicaSet-like controllers, so the spreading score has work to do. */
  private byte[] pod(int i) {
    int owner = i % owners;
    String ns = namespace(i % namespaces);
    String uid = String.format("00000000-0000-4000-8000-%012d", owner);
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pod-" + i + "\",\"namespace\":\"" + ns
        + "\",\"labels\":{\"app\":\"rs-" + owner + "\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
        + "\"ReplicaSet\",\"name\":\"rs-" + owner + "\",\"uid\":\"" + uid + "\",\"controller\":true}]},"
        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"registry.k8s.io/pause:3.9\",\"resources\":{"
        + "\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]}}").getBytes(StandardCharsets.UTF_8);
  }

  private String namespace(int n) {
    return "bench-sched-" + n;
  }

  /** The node registry may drop status on create; the scheduler needs allocatable, so fail loudly if it is gone. */
  private void checkNodeStatus() throws IOException {
    try (HttpConnection c = connection()) {
      HttpConnection.Response r = c.get("/api/v1/nodes/bench-node-0000");
      JsonNode alloc = JSON.readTree(r.body()).path("status").path("allocatable");
      if (!alloc.path("cpu").asText().equals("32")) {
        throw new IllegalStateException("node status.allocatable not stored on create: " + r.text());
      }
    }
  }

  private String currentResourceVersion() throws IOException {
    try (HttpConnection c = connection()) {
      HttpConnection.Response r = c.get("/api/v1/namespaces?limit=1");
      return JSON.readTree(r.body()).path("metadata").path("resourceVersion").asText();
    }
  }

  /** The scheduler's /metrics lines about attempts and queues, found through the address it logs at start. */
  private static String schedulerMetrics(Path log) {
    try {
      Matcher m = METRICS_URL.matcher(Files.readString(log));
      if (!m.find()) return "";
      HttpURLConnection c = (HttpURLConnection) URI.create(m.group(1) + "/metrics").toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder();
      for (String line : body.split("\n")) {
        if (!line.startsWith("#") && (line.startsWith("scheduler_"))) sb.append(line).append('\n');
      }
      return sb.toString();
    } catch (IOException | RuntimeException e) {
      return "unavailable: " + e;
    }
  }

  private static long rssKb(long pid, String key) {
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

  /** A watch on all pods that notes, per pod, when it was first seen with spec.nodeName set. */
  private final class BindWatch {
    final Map<String, Long> bound = new ConcurrentHashMap<>();
    private final String resourceVersion;
    private final AtomicLong events = new AtomicLong();
    private volatile HttpURLConnection connection;
    private Thread thread;

    BindWatch(String resourceVersion) {
      this.resourceVersion = resourceVersion;
    }

    void start() throws IOException {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port
          + "/api/v1/pods?watch=true&resourceVersion=" + resourceVersion).toURL().openConnection();
      c.setReadTimeout(0);
      c.setRequestProperty("Accept", "application/json");
      if (c.getResponseCode() != 200) throw new IOException("pod watch: HTTP " + c.getResponseCode());
      connection = c;
      BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
      thread = new Thread(() -> {
        try {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            long now = System.nanoTime();
            events.incrementAndGet();
            JsonNode obj = JSON.readTree(line).path("object");
            if (obj.path("spec").path("nodeName").asText("").isEmpty()) continue;
            JsonNode meta = obj.path("metadata");
            bound.putIfAbsent(meta.path("namespace").asText() + "/" + meta.path("name").asText(), now);
          }
        } catch (IOException e) {
          // closed by stop()
        }
      }, "bench-pod-watch");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops counting; the daemon reader thread ends with the JVM (disconnect() would block on its read lock). */
    void stop() {
      connection = null;
    }
  }

  // ---- summary over runs ---------------------------------------------------------------------------------------

  private static int summarize(Map<String, String> o, List<String> files) throws IOException {
    List<JsonNode> runs = new ArrayList<>();
    for (String f : files) runs.add(JSON.readTree(Path.of(f).toFile()));
    ObjectNode report = JSON.createObjectNode();
    report.put("benchmark", "scheduler");
    report.put("command", o.getOrDefault("command", "scripts/bench scheduler"));
    report.put("date", Instant.now().toString());
    ObjectNode machine = report.putObject("machine");
    Machine.describe().forEach(machine::put);
    ObjectNode env = report.putObject("environment");
    for (String kv : o.getOrDefault("env", "").split("\n")) {
      int e = kv.indexOf('=');
      if (e > 0) env.put(kv.substring(0, e), kv.substring(e + 1));
    }
    String[] keys = {"podsPerSecond", "bindingSeconds", "secondsToFirstBinding", "secondsToAllBound",
        "podsPerSecondIncludingStartup", "schedulerRssMiB", "schedulerPeakRssMiB", "apiserverRssMiB",
        "schedulerCpuSeconds", "apiserverCpuSeconds", "etcdCpuSeconds", "podCreatesPerSecond", "schedulerCpuMsPerPod",
        "apiserverCpuMsPerPod", "otherCpuSeconds", "secondHalfPodsPerSecond", "secondHalfSchedulerCpuMsPerPod",
        "secondHalfApiserverCpuMsPerPod", "secondHalfEtcdCpuMsPerPod"};
    ObjectNode median = report.putObject("median");
    for (String k : keys) {
      double[] v = runs.stream().mapToDouble(r -> r.path(k).asDouble()).sorted().toArray();
      median.put(k, v.length == 0 ? 0 : round(v[v.length / 2]));
    }
    ArrayNode arr = report.putArray("runs");
    runs.forEach(arr::add);
    int failed = 0;
    for (JsonNode r : runs) if (r.path("bound").asInt() != r.path("pods").asInt()) failed++;
    report.put("failedRuns", failed);
    Path out = Path.of(o.getOrDefault("out", "target/bench/scheduler.json"));
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(report) + "\n");

    System.out.println();
    System.out.printf("Scheduler: %s nodes, %s pending pods, %d run(s)%n",
        runs.isEmpty() ? "?" : runs.get(0).path("nodes").asText(), runs.isEmpty() ? "?" : runs.get(0).path("pods").asText(),
        runs.size());
    System.out.printf("%-4s %8s %9s %9s %9s %10s %10s %9s %9s %9s %9s%n", "run", "pods/s", "bind s", "first s", "all s",
        "sched RSS", "sched HWM", "API RSS", "sched CPU", "sched ms/pod", "API ms/pod");
    int i = 1;
    for (JsonNode r : runs) {
      System.out.printf("%-4s %8.0f %9.2f %9.2f %9.2f %8.0fMi %8.0fMi %7.0fMi %8.1fs %12.2f %10.2f  (%d/%d bound, "
              + "other CPU %.0f s)%n", i++,
          r.path("podsPerSecond").asDouble(), r.path("bindingSeconds").asDouble(),
          r.path("secondsToFirstBinding").asDouble(), r.path("secondsToAllBound").asDouble(),
          r.path("schedulerRssMiB").asDouble(), r.path("schedulerPeakRssMiB").asDouble(),
          r.path("apiserverRssMiB").asDouble(), r.path("schedulerCpuSeconds").asDouble(),
          r.path("schedulerCpuMsPerPod").asDouble(), r.path("apiserverCpuMsPerPod").asDouble(), r.path("bound").asInt(),
          r.path("pods").asInt(), r.path("otherCpuSeconds").asDouble());
    }
    System.out.printf("%-4s %8.0f %9.2f %9.2f %9.2f %8.0fMi %8.0fMi %7.0fMi %8.1fs %12.2f %10.2f%n", "med",
        median.path("podsPerSecond").asDouble(), median.path("bindingSeconds").asDouble(),
        median.path("secondsToFirstBinding").asDouble(), median.path("secondsToAllBound").asDouble(),
        median.path("schedulerRssMiB").asDouble(), median.path("schedulerPeakRssMiB").asDouble(),
        median.path("apiserverRssMiB").asDouble(), median.path("schedulerCpuSeconds").asDouble(),
        median.path("schedulerCpuMsPerPod").asDouble(), median.path("apiserverCpuMsPerPod").asDouble());
    System.out.println("Second half of the bindings (after warm-up): pods/s, scheduler and API server CPU ms per pod");
    i = 1;
    for (JsonNode r : runs) {
      System.out.printf("%-4s %8.0f %12.2f %10.2f%n", i++, r.path("secondHalfPodsPerSecond").asDouble(),
          r.path("secondHalfSchedulerCpuMsPerPod").asDouble(), r.path("secondHalfApiserverCpuMsPerPod").asDouble());
    }
    System.out.printf("%-4s %8.0f %12.2f %10.2f%n", "med", median.path("secondHalfPodsPerSecond").asDouble(),
        median.path("secondHalfSchedulerCpuMsPerPod").asDouble(), median.path("secondHalfApiserverCpuMsPerPod").asDouble());
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

  private static String created(HttpConnection.Response r) throws ClosedLoop.Failure {
    if (r.status() != 201) throw new ClosedLoop.Failure(Integer.toString(r.status()), r.text());
    return "201";
  }

  private static void expect201or409(HttpConnection.Response r) {
    if (r.status() != 201 && r.status() != 409) throw new IllegalStateException(r.status() + " " + r.text());
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
