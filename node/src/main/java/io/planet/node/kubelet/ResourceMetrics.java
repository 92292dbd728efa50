package io.planet.node.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The kubelet's {@code /metrics/resource} (what metrics-server scrapes): cumulative CPU seconds and memory working
 * set of the node and of each running container, read from the cgroup v1 hierarchies (cpuacct.usage,
 * memory.usage_in_bytes minus total_inactive_file, as cAdvisor computes the working set).
 */
public final class ResourceMetrics {
  static final Path CPUACCT = Path.of("/sys/fs/cgroup/cpuacct");
  static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");

  /** A running container: where its cgroups are (relative to each hierarchy) and who it belongs to. */
  public record ContainerRef(String namespace, String pod, String container, String cgroup) {}

  private ResourceMetrics() {}

  /** Prometheus text exposition, timestamps in milliseconds as the kubelet writes them. */
  public static String render(List<ContainerRef> containers) {
    long now = System.currentTimeMillis();
    StringBuilder b = new StringBuilder();
    b.append("# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n");
    b.append("# TYPE node_cpu_usage_seconds_total counter\n");
    b.append("node_cpu_usage_seconds_total ").append(seconds(cpuNanos(CPUACCT))).append(' ').append(now).append('\n');
    b.append("# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n");
    b.append("# TYPE node_memory_working_set_bytes gauge\n");
    b.append("node_memory_working_set_bytes ").append(nodeWorkingSet()).append(' ').append(now).append('\n');
    b.append("# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n");
    b.append("# TYPE container_cpu_usage_seconds_total counter\n");
    for (ContainerRef c : containers) {
      long cpu = cpuNanos(CPUACCT.resolve(c.cgroup().substring(1)));
      if (cpu >= 0) b.append("container_cpu_usage_seconds_total").append(labels(c)).append(' ').append(seconds(cpu)).append(' ').append(now).append('\n');
    }
    b.append("# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n");
    b.append("# TYPE container_memory_working_set_bytes gauge\n");
    for (ContainerRef c : containers) {
      long mem = workingSet(MEMORY.resolve(c.cgroup().substring(1)));
      if (mem >= 0) b.append("container_memory_working_set_bytes").append(labels(c)).append(' ').append(mem).append(' ').append(now).append('\n');
    }
    b.append("# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise\n");
    b.append("# TYPE scrape_error gauge\nscrape_error 0\n");
    return b.toString();
  }

  private static String labels(ContainerRef c) {
    return "{container=\"" + c.container() + "\",namespace=\"" + c.namespace() + "\",pod=\"" + c.pod() + "\"}";
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.9f", nanos / 1e9);
  }

  static long cpuNanos(Path cgroup) {
    try {
      return Long.parseLong(Files.readString(cgroup.resolve("cpuacct.usage")).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  static long workingSet(Path cgroup) {
    try {
      long usage = Long.parseLong(Files.readString(cgroup.resolve("memory.usage_in_bytes")).trim());
      long inactive = 0;
      for (String line : Files.readAllLines(cgroup.resolve("memory.stat"))) {
        if (line.startsWith("total_inactive_file ")) inactive = Long.parseLong(line.substring(20).trim());
      }
      return Math.max(0, usage - inactive);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static long nodeWorkingSet() {
    try {
      return HostInfo.meminfo("MemTotal") - HostInfo.meminfo("MemAvailable");
    } catch (IOException e) {
      return 0;
    }
  }
}
