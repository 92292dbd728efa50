package io.planet.node.metrics;

import java.util.HashMap;
import java.util.Map;

/** One scrape of a kubelet's /metrics/resource: cumulative CPU seconds and working sets, with their times. */
record ResourceSample(Point node, Map<ContainerKey, Point> containers) {
  record Point(double cpuSeconds, long memoryBytes, long timestampMillis) {}

  record ContainerKey(String namespace, String pod, String container) {}

  /** Parses the Prometheus text the kubelet writes (only the four series metrics-server reads). */
  static ResourceSample parse(String text) {
    double nodeCpu = -1;
    long nodeMem = -1;
    long nodeTs = System.currentTimeMillis();
    Map<ContainerKey, double[]> cpu = new HashMap<>();
    Map<ContainerKey, long[]> mem = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int brace = line.indexOf('{');
      int space = brace >= 0 ? line.indexOf(' ', line.indexOf('}')) : line.indexOf(' ');
      String name = line.substring(0, brace >= 0 ? brace : space);
      String[] rest = line.substring(space + 1).trim().split("\\s+");
      double value = Double.parseDouble(rest[0]);
      long ts = rest.length > 1 ? Long.parseLong(rest[1]) : System.currentTimeMillis();
      switch (name) {
        case "node_cpu_usage_seconds_total" -> {
          nodeCpu = value;
          nodeTs = ts;
        }
        case "node_memory_working_set_bytes" -> nodeMem = (long) value;
        case "container_cpu_usage_seconds_total" -> cpu.put(key(line.substring(brace + 1, line.indexOf('}'))), new double[] {value, ts});
        case "container_memory_working_set_bytes" -> mem.put(key(line.substring(brace + 1, line.indexOf('}'))), new long[] {(long) value});
        default -> { }
      }
    }
    Map<ContainerKey, Point> containers = new HashMap<>();
    cpu.forEach((k, v) -> containers.put(k, new Point(v[0], mem.containsKey(k) ? mem.get(k)[0] : 0, (long) v[1])));
    return new ResourceSample(new Point(nodeCpu, nodeMem, nodeTs), containers);
  }

  private static ContainerKey key(String labels) {
    Map<String, String> m = new HashMap<>();
    for (String kv : labels.split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim().replace("\"", ""));
    }
    return new ContainerKey(m.get("namespace"), m.get("pod"), m.get("container"));
  }
}
