package io.planet.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The load generator behind {@code scripts/bench apiserver}: against an API server and its etcd, both already running
 * as separate processes, it measures per round raw etcd puts, creates, gets and lists (consistent and from the watch
 * cache) at the same concurrency, then watch delivery latency with many open watches; prints a table and writes JSON.
 */
public final class ApiServerBench {
  private static final int CPUS = Runtime.getRuntime().availableProcessors();
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String CREATE_NS = "bench-create";
  private static final String WARM_NS = "bench-warm";
  private static final String LIST_NS = "bench-list";
  private static final String WATCH_NS = "bench-watch";

  private final BenchOptions o;
  private final String host;
  private final int port;
  private final CpuMeters cpu;
  private final ClosedLoop loop;

  private ApiServerBench(BenchOptions o) {
    this.o = o;
    this.host = o.server().getHost();
    this.port = o.server().getPort();
    this.cpu = new CpuMeters(o.serverPid(), o.etcdPid(), o.clockTicks());
    this.loop = new ClosedLoop(cpu);
  }

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(BenchOptions.USAGE);
      return;
    }
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.print(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    int failures = new ApiServerBench(o).run();
    System.exit(failures == 0 ? 0 : 1);
  }

  /** Runs everything; returns how many operations failed (errors are reported, not hidden). */
  private int run() throws Exception {
    String date = Instant.now().toString();
    Map<String, String> machine = Machine.describe();
    // jetcd's gRPC logs through java.util.logging; its INFO lines are noise here
    Logger.getLogger("io.grpc").setLevel(Level.WARNING);
    setUp();

    List<Map<String, PhaseResult>> rounds = new ArrayList<>();
    WatchResult watch;
    try (Client etcd = Client.builder().endpoints(o.etcd()).build()) {
      KV kv = etcd.getKVClient();
      if (o.warmup() > 0) {
        long t0 = System.nanoTime();
        log("warm-up: %d creates, gets and etcd puts, %d lists of each kind", o.warmup(), Math.max(1, o.warmup() / 10));
        etcdPuts("warmup", kv, o.warmup());
        creates("warmup", WARM_NS, o.warmup());
        gets("warmup", WARM_NS, o.warmup());
        lists("warmup", "", Math.max(1, o.warmup() / 10));
        lists("warmup", "?resourceVersion=0", Math.max(1, o.warmup() / 10));
        log("warm-up done in %.1f s", (System.nanoTime() - t0) / 1e9);
      }
      for (int r = 1; r <= o.rounds(); r++) {
        String tag = "r" + r;
        Map<String, PhaseResult> phases = new LinkedHashMap<>();
        phases.put("etcd-put", etcdPuts(tag, kv, o.n()));
        phases.put("create", creates(tag, CREATE_NS, o.n()));
        phases.put("get", gets(tag, CREATE_NS, o.n()));
        phases.put("list", lists(tag, "", o.lists()));
        phases.put("list-rv0", lists(tag, "?resourceVersion=0", o.lists()));
        rounds.add(phases);
        log("round %d: etcd put %.0f/s, create %.0f/s (ratio %.2f), get %.0f/s, list %.0f/s, list rv=0 %.0f/s", r,
            phases.get("etcd-put").throughput(), phases.get("create").throughput(),
            phases.get("create").throughput() / phases.get("etcd-put").throughput(), phases.get("get").throughput(),
            phases.get("list").throughput(), phases.get("list-rv0").throughput());
      }
    }
    watch = watches();

    ObjectNode report = report(date, machine, rounds, watch);
    Path out = Path.of(o.out());
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, JSON.writeValueAsString(report) + "\n");
    print(report, rounds, watch);
    System.out.println("JSON results: " + out.toAbsolutePath());
    int failed = 0;
    for (Map<String, PhaseResult> r : rounds) for (PhaseResult p : r.values()) failed += p.errors();
    return failed + (int) (watch.expected - watch.delivered) + (int) watch.writes.errors() + (int) watch.failedWatches;
  }

  // ---- set-up --------------------------------------------------------------------------------------------------

  private void setUp() throws Exception {
    try (HttpConnection c = new HttpConnection(host, port)) {
      for (String ns : List.of(WARM_NS, CREATE_NS, LIST_NS, WATCH_NS)) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}";
        HttpConnection.Response r = c.post("/api/v1/namespaces", body.getBytes(StandardCharsets.UTF_8));
        if (r.status() != 201 && r.status() != 409) {
          throw new IllegalStateException("create namespace " + ns + ": " + r.status() + " " + r.text());
        }
      }
      for (int i = 0; i < o.listSize(); i++) {
        String name = String.format("listed-%04d", i);
        HttpConnection.Response r = c.post(collection(LIST_NS), ConfigMaps.body(LIST_NS, name));
        if (r.status() != 201 && r.status() != 409) {
          throw new IllegalStateException("seed list: " + r.status() + " " + r.text());
        }
      }
      for (String q : List.of("", "?resourceVersion=0")) {
        HttpConnection.Response r = c.get(collection(LIST_NS) + q);
        int items = JSON.readTree(r.body()).path("items").size();
        if (r.status() != 200 || items != o.listSize()) {
          throw new IllegalStateException(
              "list " + q + " returned " + r.status() + " with " + items + " items, want " + o.listSize());
        }
      }
    }
  }

  private static String collection(String ns) {
    return "/api/v1/namespaces/" + ns + "/configmaps";
  }

  // ---- closed-loop phases --------------------------------------------------------------------------------------

  /** Raw etcd: the same JSON bytes put at the same concurrency, in a key space of its own. */
  private PhaseResult etcdPuts(String tag, KV kv, int n) throws InterruptedException {
    String prefix = "/bench-raw/" + tag + "/";
    return loop.run("etcd-put", n, o.concurrency(), () -> () -> { }, (client, i) -> {
      String name = name(tag, i);
      ByteSequence key = ByteSequence.from(prefix + name, StandardCharsets.UTF_8);
      kv.put(key, ByteSequence.from(ConfigMaps.body(CREATE_NS, name))).get(60, TimeUnit.SECONDS);
      return "ok";
    });
  }

  private PhaseResult creates(String tag, String ns, int n) throws InterruptedException {
    String path = collection(ns);
    return loop.run("create", n, o.concurrency(), this::connection, (c, i) -> expect(201,
        c.post(path, ConfigMaps.body(ns, name(tag, i)))));
  }

  private PhaseResult gets(String tag, String ns, int n) throws InterruptedException {
    String path = collection(ns) + "/";
    return loop.run("get", n, o.concurrency(), this::connection, (c, i) -> expect(200, c.get(path + name(tag, i))));
  }

  private PhaseResult lists(String tag, String query, int n) throws InterruptedException {
    String path = collection(LIST_NS) + query;
    return loop.run(query.isEmpty() ? "list" : "list-rv0", n, o.concurrency(), this::connection,
        (c, i) -> expect(200, c.get(path)));
  }

  private HttpConnection connection() {
    try {
      return new HttpConnection(host, port).open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect to " + o.server() + ": " + e.getMessage(), e);
    }
  }

  private static String expect(int status, HttpConnection.Response r) throws ClosedLoop.Failure {
    if (r.status() != status) throw new ClosedLoop.Failure(Integer.toString(r.status()), r.text());
    return Integer.toString(r.status());
  }

  private static String name(String tag, int i) {
    return "cm-" + tag + "-" + i;
  }

  // ---- watches -------------------------------------------------------------------------------------------------

  record WatchResult(int watches, int established, long failedWatches, double openSeconds, int events,
      long expected, long delivered, double seconds, LatencyStats latency, double eventsPerSecond,
      double achievedWriteRate, PhaseResult writes, CpuMeters.Sample cpu) {}

  private WatchResult watches() throws Exception {
    String rv;
    try (HttpConnection c = connection()) {
      HttpConnection.Response r = c.get(collection(WATCH_NS));
      rv = JSON.readTree(r.body()).path("metadata").path("resourceVersion").asText();
    }
    String path = collection(WATCH_NS) + "?watch=true&resourceVersion=" + rv;
    log("watch: opening %d watches on %s", o.watches(), path);
    try (WatchFleet fleet = new WatchFleet(host, port, o.watches(), o.watchReaders());
        HttpConnection writer = connection()) {
      long t0 = System.nanoTime();
      fleet.open(path, 120_000);
      double openSeconds = (System.nanoTime() - t0) / 1e9;
      log("watch: %d of %d established in %.2f s (%d failed)", fleet.established(), o.watches(), openSeconds,
          fleet.failures());

      // warm the write and fan-out path, and make sure every watch is registered, before measuring
      fleet.reset(false);
      int warm = Math.max(1, o.watchRate() * 2);
      paced(writer, "warm", warm, null);
      awaitDelivery(fleet, warm, 30_000);
      log("watch: warm-up events reached %d of %d watches", fleet.watchesThatSaw(warm), o.watches());

      fleet.reset(true);
      int events = o.watchRate() * o.watchSeconds();
      CpuMeters.Sample cpu0 = cpu.sample();
      long[] writeLatencies = new long[events];
      long first = System.nanoTime();
      PhaseResult writes = paced(writer, "event", events, writeLatencies);
      long lastSent = System.nanoTime();
      awaitDelivery(fleet, events, 30_000);
      CpuMeters.Sample cpuUsed = cpu.sample().minus(cpu0);
      WatchFleet.Deliveries d = fleet.deliveries();
      long expected = (long) events * o.watches();
      double window = Math.max(d.lastReceivedNanos(), lastSent) - first;
      LatencyStats latency = LatencyStats.of(d.nanos(), d.count());
      return new WatchResult(o.watches(), fleet.established(), fleet.failures(), openSeconds, events, expected,
          d.count(), window / 1e9, latency, d.count() / (window / 1e9), events / ((lastSent - first) / 1e9), writes,
          cpuUsed);
    }
  }

  /** {@code count} creates at the configured rate; each object carries its send time for the watchers. */
  private PhaseResult paced(HttpConnection writer, String prefix, int count, long[] latencies) {
    long period = TimeUnit.SECONDS.toNanos(1) / o.watchRate();
    long start = System.nanoTime();
    int errors = 0;
    String firstError = null;
    Map<String, Integer> statuses = new LinkedHashMap<>();
    long[] lat = latencies != null ? latencies : new long[count];
    int ok = 0;
    for (int i = 0; i < count; i++) {
      long due = start + i * period;
      long wait = due - System.nanoTime();
      if (wait > 0) sleepNanos(wait);
      long sent = System.nanoTime();
      String status;
      try {
        byte[] body = ConfigMaps.body(WATCH_NS, prefix + "-" + i, sent);
        HttpConnection.Response r = writer.post(collection(WATCH_NS), body);
        status = Integer.toString(r.status());
        if (r.status() != 201) {
          errors++;
          if (firstError == null) firstError = status + ": " + r.text();
        } else {
          lat[ok++] = System.nanoTime() - sent;
        }
      } catch (IOException e) {
        status = "exception";
        errors++;
        if (firstError == null) firstError = e.toString();
      }
      statuses.merge(status, 1, Integer::sum);
    }
    return new PhaseResult("watch-writes", count, errors, statuses, firstError, (System.nanoTime() - start) / 1e9,
        LatencyStats.of(lat, ok), CpuMeters.ZERO);
  }

  private void awaitDelivery(WatchFleet fleet, int events, long timeoutMillis) throws InterruptedException {
    long expected = (long) events * o.watches();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (fleet.delivered() < expected && System.currentTimeMillis() < deadline) Thread.sleep(2);
    if (fleet.delivered() < expected) {
      log("watch: only %d of %d events delivered within %d s", fleet.delivered(), expected, timeoutMillis / 1000);
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- reporting -----------------------------------------------------------------------------------------------

  private static final List<String> PHASES = List.of("etcd-put", "create", "get", "list", "list-rv0");
  private static final Map<String, String> LABELS = Map.of(
      "etcd-put", "etcd put (raw, jetcd)",
      "create", "create (POST)",
      "get", "get",
      "list", "list 100 (consistent, etcd)",
      "list-rv0", "list 100 (rv=0, watch cache)");

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    if (n == 0) return 0;
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double medianOf(List<Map<String, PhaseResult>> rounds, String phase, ToDoubleFunction<PhaseResult> f) {
    List<Double> xs = new ArrayList<>();
    for (Map<String, PhaseResult> r : rounds) xs.add(f.applyAsDouble(r.get(phase)));
    return median(xs);
  }

  private static double round(double x, int digits) {
    double m = Math.pow(10, digits);
    return Math.round(x * m) / m;
  }

  private ObjectNode report(String date, Map<String, String> machine, List<Map<String, PhaseResult>> rounds,
      WatchResult w) {
    ObjectNode root = JSON.createObjectNode();
    root.put("benchmark", "apiserver");
    root.put("date", date);
    root.put("command", o.command());
    ObjectNode m = root.putObject("machine");
    machine.forEach(m::put);
    ObjectNode env = root.putObject("environment");
    o.env().forEach(env::put);
    ObjectNode params = root.putObject("parameters");
    params.put("n", o.n()).put("concurrency", o.concurrency()).put("rounds", o.rounds()).put("warmup", o.warmup())
        .put("lists", o.lists()).put("listSize", o.listSize()).put("watches", o.watches())
        .put("watchRate", o.watchRate()).put("watchSeconds", o.watchSeconds()).put("watchReaders", o.watchReaders())
        .put("createBodyBytes", ConfigMaps.body(CREATE_NS, name("r1", 0)).length);

    ObjectNode summary = root.putObject("summary");
    ObjectNode medians = summary.putObject("medians");
    for (String p : PHASES) {
      ObjectNode s = medians.putObject(p);
      s.put("label", LABELS.get(p));
      s.put("throughputPerSecond", round(medianOf(rounds, p, PhaseResult::throughput), 1));
      s.put("p50Ms", round(medianOf(rounds, p, r -> r.latency().p50Ms()), 3));
      s.put("p99Ms", round(medianOf(rounds, p, r -> r.latency().p99Ms()), 3));
      s.put("maxMs", round(rounds.stream().mapToDouble(r -> r.get(p).latency().maxMs()).max().orElse(0), 3));
      s.put("errors", rounds.stream().mapToInt(r -> r.get(p).errors()).sum());
      s.put("serverCpuMsPerOp", round(medianOf(rounds, p, r -> 1000 * r.cpu().server() / r.ops()), 4));
      s.put("etcdCpuMsPerOp", round(medianOf(rounds, p, r -> 1000 * r.cpu().etcd() / r.ops()), 4));
      s.put("otherCpuShare", round(medianOf(rounds, p, r -> r.cpu().other() / r.seconds() / CPUS), 3));
    }
    List<Double> ratios = new ArrayList<>();
    for (Map<String, PhaseResult> r : rounds) ratios.add(r.get("create").throughput() / r.get("etcd-put").throughput());
    double ratio = median(ratios);
    ObjectNode ratioNode = summary.putObject("createToEtcdPutRatio");
    ratioNode.put("median", round(ratio, 3));
    ArrayNode perRound = ratioNode.putArray("perRound");
    ratios.forEach(x -> perRound.add(round(x, 3)));

    ObjectNode wn = summary.putObject("watch");
    wn.put("watches", w.watches()).put("established", w.established()).put("failedWatches", w.failedWatches())
        .put("openSeconds", round(w.openSeconds(), 3)).put("events", w.events())
        .put("achievedWriteRatePerSecond", round(w.achievedWriteRate(), 2))
        .put("expectedDeliveries", w.expected()).put("delivered", w.delivered())
        .put("deliveredPerSecond", round(w.eventsPerSecond(), 1)).put("p50Ms", round(w.latency().p50Ms(), 3))
        .put("p90Ms", round(w.latency().p90Ms(), 3)).put("p99Ms", round(w.latency().p99Ms(), 3))
        .put("maxMs", round(w.latency().maxMs(), 3)).put("writeP50Ms", round(w.writes().latency().p50Ms(), 3))
        .put("writeP99Ms", round(w.writes().latency().p99Ms(), 3)).put("writeErrors", w.writes().errors())
        .put("serverCpuSeconds", round(w.cpu().server(), 2)).put("etcdCpuSeconds", round(w.cpu().etcd(), 2))
        .put("clientCpuSeconds", round(w.cpu().client(), 2))
        .put("otherCpuShare", round(w.cpu().other() / w.seconds() / CPUS, 3));

    ObjectNode targets = summary.putObject("targets");
    targets.putObject("createThroughputAtLeastHalfOfEtcdPuts").put("target", 0.5).put("value", round(ratio, 3))
        .put("met", ratio >= 0.5);
    targets.putObject("watchDeliveryP99AtMost100Ms").put("target", 100).put("value", round(w.latency().p99Ms(), 3))
        .put("met", w.latency().p99Ms() <= 100 && w.delivered() == w.expected());

    ArrayNode rs = root.putArray("rounds");
    for (int i = 0; i < rounds.size(); i++) {
      ObjectNode rn = rs.addObject();
      rn.put("round", i + 1);
      for (PhaseResult p : rounds.get(i).values()) rn.set(p.name(), phaseJson(p));
    }
    root.set("watchWrites", phaseJson(w.writes()));
    return root;
  }

  private static JsonNode phaseJson(PhaseResult p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("ops", p.ops()).put("errors", p.errors()).put("seconds", round(p.seconds(), 3))
        .put("throughputPerSecond", round(p.throughput(), 1)).put("p50Ms", round(p.latency().p50Ms(), 3))
        .put("p90Ms", round(p.latency().p90Ms(), 3)).put("p99Ms", round(p.latency().p99Ms(), 3))
        .put("maxMs", round(p.latency().maxMs(), 3)).put("meanMs", round(p.latency().meanMs(), 3))
        .put("serverCpuSeconds", round(p.cpu().server(), 3)).put("etcdCpuSeconds", round(p.cpu().etcd(), 3))
        .put("clientCpuSeconds", round(p.cpu().client(), 3)).put("machineCpuSeconds", round(p.cpu().machine(), 3))
        .put("otherCpuShare", round(p.seconds() > 0 ? p.cpu().other() / p.seconds() / CPUS : 0, 3));
    ObjectNode st = n.putObject("statuses");
    p.statuses().forEach(st::put);
    if (p.firstError() != null) n.put("firstError", p.firstError());
    return n;
  }

  private void print(ObjectNode report, List<Map<String, PhaseResult>> rounds, WatchResult w) {
    JsonNode s = report.path("summary");
    System.out.println();
    System.out.printf("API server benchmark: n=%d, concurrency=%d, rounds=%d (medians over rounds), %s%n", o.n(),
        o.concurrency(), o.rounds(), report.path("date").asText());
    System.out.printf("%-30s %9s %8s %8s %8s %6s %12s %10s %8s%n", "operation", "ops/s", "p50 ms", "p99 ms", "max ms",
        "errors", "server ms/op", "etcd ms/op", "other %");
    for (String p : PHASES) {
      JsonNode x = s.path("medians").path(p);
      System.out.printf("%-30s %9.0f %8.2f %8.2f %8.2f %6d %12.3f %10.3f %8.0f%n", x.path("label").asText(),
          x.path("throughputPerSecond").asDouble(), x.path("p50Ms").asDouble(), x.path("p99Ms").asDouble(),
          x.path("maxMs").asDouble(), x.path("errors").asInt(), x.path("serverCpuMsPerOp").asDouble(),
          x.path("etcdCpuMsPerOp").asDouble(), 100 * x.path("otherCpuShare").asDouble());
    }
    JsonNode t = s.path("targets");
    System.out.println("(server/etcd ms/op: CPU time per operation; other %: CPU share used by processes outside the"
        + " benchmark, of " + CPUS + " CPUs)");
    System.out.printf("create / raw etcd put throughput: %.3f (per round %s; target >= 0.50: %s)%n",
        s.path("createToEtcdPutRatio").path("median").asDouble(), s.path("createToEtcdPutRatio").path("perRound"),
        t.path("createThroughputAtLeastHalfOfEtcdPuts").path("met").asBoolean() ? "met" : "NOT met");
    System.out.printf("watch: %d watches (%d established), %d events at %.1f/s; delivered %d of %d (%.0f events/s);"
            + " latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 <= 100 ms: %s)%n",
        w.watches(), w.established(), w.events(), w.achievedWriteRate(), w.delivered(), w.expected(),
        w.eventsPerSecond(), w.latency().p50Ms(), w.latency().p99Ms(), w.latency().maxMs(),
        t.path("watchDeliveryP99AtMost100Ms").path("met").asBoolean() ? "met" : "NOT met");
    System.out.printf("watch phase CPU: server %.1f s, etcd %.1f s, load generator %.1f s over %.1f s; other processes"
        + " %.0f%% of the machine%n", w.cpu().server(), w.cpu().etcd(), w.cpu().client(), w.seconds(),
        100 * w.cpu().other() / w.seconds() / CPUS);
    for (Map<String, PhaseResult> r : rounds) {
      for (PhaseResult p : r.values()) {
        if (p.errors() > 0) System.out.printf("errors in %s: %s; first: %s%n", p.name(), p.statuses(), p.firstError());
      }
    }
    if (w.writes().errors() > 0) System.out.printf("errors in watch writes: %s%n", w.writes().firstError());
  }

  private static void log(String format, Object... args) {
    System.err.printf("bench: " + format + "%n", args);
  }
}
