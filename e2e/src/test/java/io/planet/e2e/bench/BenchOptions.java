package io.planet.e2e.bench;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flags of {@code scripts/bench apiserver} (the script adds --server, --etcd, the pids and the command line). */
record BenchOptions(
    URI server,
    String etcd,
    int n,
    int concurrency,
    int rounds,
    int warmup,
    int lists,
    int listSize,
    int watches,
    int watchRate,
    int watchSeconds,
    int watchReaders,
    long serverPid,
    long etcdPid,
    long clockTicks,
    String out,
    String command,
    Map<String, String> env) {

  static final String USAGE = """
      usage: scripts/bench apiserver [flags]
        --n N               creates, gets and raw etcd puts per round (default 5000)
        --concurrency C     concurrent clients, each with its own connection (default 16)
        --rounds R          measured rounds; the report gives medians over rounds (default 5)
        --warmup W          unmeasured operations of each kind before round 1 (default 5000)
        --lists L           lists per round, per list kind (default 500)
        --list-size S       objects in the listed namespace (default 100)
        --watches W         open watches for the delivery-latency phase (default 1000)
        --watch-rate R      writes per second while watches are open (default 20)
        --watch-seconds T   how long to write while watches are open (default 10)
        --watch-readers K   client threads reading the watch connections (default 2)
        --out FILE          JSON results (default target/bench/apiserver.json; the server log goes next to it)
        --no-build          do not rebuild, even when the jars look older than the sources
      """;

  static BenchOptions parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
        value = args[++i];
      }
      if (name.equals("env")) {
        int e = value.indexOf('=');
        if (e < 0) throw new IllegalArgumentException("--env wants key=value");
        env.put(value.substring(0, e), value.substring(e + 1));
      } else {
        v.put(name, value);
      }
    }
    BenchOptions o = new BenchOptions(
        URI.create(required(v, "server")),
        required(v, "etcd"),
        positive(v, "n", 5000),
        positive(v, "concurrency", 16),
        positive(v, "rounds", 5),
        number(v, "warmup", 5000),
        positive(v, "lists", 500),
        positive(v, "list-size", 100),
        positive(v, "watches", 1000),
        positive(v, "watch-rate", 20),
        positive(v, "watch-seconds", 10),
        positive(v, "watch-readers", 2),
        number(v, "server-pid", 0),
        number(v, "etcd-pid", 0),
        positive(v, "clock-ticks", 100),
        v.getOrDefault("out", "target/bench/apiserver.json"),
        v.getOrDefault("command", "scripts/bench apiserver"),
        env);
    v.keySet().removeAll(List.of("server", "etcd", "n", "concurrency", "rounds", "warmup", "lists",
        "list-size", "watches", "watch-rate", "watch-seconds", "watch-readers", "server-pid", "etcd-pid",
        "clock-ticks", "out", "command"));
    if (!v.isEmpty()) throw new IllegalArgumentException("unknown flag(s): --" + String.join(", --", v.keySet()));
    return o;
  }

  private static String required(Map<String, String> v, String name) {
    String s = v.get(name);
    if (s == null) throw new IllegalArgumentException("--" + name + " is required");
    return s;
  }

  private static int number(Map<String, String> v, String name, int def) {
    String s = v.get(name);
    if (s == null) return def;
    try {
      int n = Integer.parseInt(s);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " wants a non-negative integer, not " + s);
    }
  }

  private static int positive(Map<String, String> v, String name, int def) {
    int n = number(v, name, def);
    if (n == 0) throw new IllegalArgumentException("--" + name + " must be positive");
    return n;
  }
}
