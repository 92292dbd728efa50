package io.planet.node.kubelet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Volume;
import io.planet.node.runtime.RuncRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The kubelet's Summary API ({@code /stats/summary}, k8s.io/kubelet/pkg/apis/stats/v1alpha1): node and per-pod CPU,
 * memory, network and filesystem figures, measured on this machine. CPU and memory come from the cgroup v1
 * hierarchies (the node's memory from /proc/meminfo, as /metrics/resource reports it), network from
 * /proc/&lt;pid&gt;/net/dev of a process inside the pod's network namespace, filesystems from statvfs and du of the
 * containers' writable layers, log files and volumes. What cannot be measured here is left out rather than made up
 * (accelerators, user-defined metrics, PVC references).
 */
public final class SummaryProvider {
  static final Path CPUACCT = ResourceMetrics.CPUACCT;
  static final Path MEMORY = ResourceMetrics.MEMORY;
  /** cAdvisor's interfaces that are not the machine's own traffic. */
  private static final List<String> IGNORED_INTERFACES = List.of("lo", "veth", "docker", "nerdctl");
  /** The interface whose figures the summary also inlines in NetworkStats (upstream's default). */
  private static final String DEFAULT_INTERFACE = "eth0";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A pod the node runs, with its running containers: what the summary measures. */
  record PodTarget(String namespace, String name, String uid, Instant startTime, Path podDir, Path logDir,
      List<Volume> volumes, List<ContainerTarget> containers) {}

  /** A running container: its runc id and start. */
  record ContainerTarget(String name, String id, Instant startTime) {}

  private final String nodeName;
  private final Path rootDir;
  private final Path logsDir;
  private final Path imagesDir;
  private final RuncRuntime runtime;
  private final Supplier<List<PodTarget>> pods;
  private final CpuRates rates = new CpuRates();

  SummaryProvider(String nodeName, Path rootDir, Path logsDir, Path imagesDir, RuncRuntime runtime,
      Supplier<List<PodTarget>> pods) {
    this.nodeName = nodeName;
    this.rootDir = rootDir;
    this.logsDir = logsDir;
    this.imagesDir = imagesDir;
    this.runtime = runtime;
    this.pods = pods;
  }

  /** The Summary as JSON; {@code onlyCpuAndMemory} as upstream's only_cpu_and_memory=true (what metrics-server asks). */
  public String summary(boolean onlyCpuAndMemory) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Set<String> sampled = new HashSet<>();
    List<PodTarget> targets = pods.get();
    Disk disk = onlyCpuAndMemory ? null : disk(targets);

    ObjectNode summary = JSON.createObjectNode();
    ObjectNode node = summary.putObject("node");
    node.put("nodeName", nodeName);
    ArrayNode system = node.putArray("systemContainers");
    system.add(kubeletContainer(now, sampled));
    ObjectNode podsContainer = system.addObject();
    podsContainer.put("name", "pods");
    podsContainer.put("startTime", time(now));
    putCgroup(podsContainer, RuncRuntime.podsCgroup(), now, sampled);
    node.put("startTime", time(bootTime().orElse(now)));
    putCpu(node, "node", ResourceMetrics.cpuNanos(CPUACCT), now, sampled);
    node.set("memory", nodeMemory(now));
    if (!onlyCpuAndMemory) {
      ObjectNode network = network(Path.of("/proc/net/dev"), now);
      if (network != null) node.set("network", network);
      FsUsage.Capacity rootFs = disk.capacity.get(rootDir);
      if (rootFs != null) {
        ObjectNode fs = fs(rootFs, now);
        fs.put("usedBytes", rootFs.capacityBytes() - rootFs.freeBytes());
        fs.put("inodesUsed", rootFs.inodes() - rootFs.inodesFree());
        node.set("fs", fs);
      }
      FsUsage.Capacity imageFs = disk.capacity.get(imagesDir);
      if (imageFs != null) {
        ObjectNode fs = fs(imageFs, now);
        FsUsage.Usage images = disk.usage.get(imagesDir);
        if (images != null) {
          fs.put("usedBytes", images.bytes());
          fs.put("inodesUsed", images.inodes());
        }
        node.putObject("runtime").set("imageFs", fs);
      }
      node.set("rlimit", rlimit(now));
    }

    ArrayNode podList = summary.putArray("pods");
    for (PodTarget p : targets) podList.add(pod(p, onlyCpuAndMemory, disk, now, sampled));
    rates.retain(sampled);
    return summary.toString();
  }

  private ObjectNode pod(PodTarget p, boolean onlyCpuAndMemory, Disk disk, Instant now, Set<String> sampled) {
    ObjectNode pod = JSON.createObjectNode();
    ObjectNode ref = pod.putObject("podRef");
    ref.put("name", p.name());
    ref.put("namespace", p.namespace());
    ref.put("uid", p.uid());
    pod.put("startTime", time(p.startTime() == null ? now : p.startTime()));
    ArrayNode containers = pod.putArray("containers");
    long ephemeralBytes = 0;
    long ephemeralInodes = 0;
    Long processes = null;
    for (ContainerTarget c : p.containers()) {
      ObjectNode container = containers.addObject();
      container.put("name", c.name());
      container.put("startTime", time(c.startTime() == null ? now : c.startTime()));
      String cgroup = RuncRuntime.cgroupsPath(p.uid(), c.id());
      putCgroup(container, cgroup, now, sampled);
      OptionalLong procs = processCount(cgroup);
      if (procs.isPresent()) processes = (processes == null ? 0 : processes) + procs.getAsLong();
      if (onlyCpuAndMemory) continue;
      Path layer = runtime.writableLayer(c.id());
      ObjectNode rootfs = usageFs(disk.capacity.get(layer), disk.usage.get(layer), now);
      if (rootfs != null) container.set("rootfs", rootfs);
      Path logs = p.logDir().resolve(c.name());
      ObjectNode logFs = usageFs(disk.capacity.get(logs), disk.usage.get(logs), now);
      if (logFs != null) container.set("logs", logFs);
      for (Path x : List.of(layer, logs)) {
        FsUsage.Usage u = disk.usage.get(x);
        if (u != null) {
          ephemeralBytes += u.bytes();
          ephemeralInodes += u.inodes();
        }
      }
    }
    putCgroup(pod, RuncRuntime.podCgroup(p.uid()), now, sampled);
    if (onlyCpuAndMemory) return pod;
    OptionalLong pid = p.containers().stream().map(c -> runtime.pid(c.id())).filter(OptionalLong::isPresent)
        .mapToLong(OptionalLong::getAsLong).mapToObj(OptionalLong::of).findFirst().orElse(OptionalLong.empty());
    if (pid.isPresent()) {
      ObjectNode network = network(Path.of("/proc/" + pid.getAsLong() + "/net/dev"), now);
      if (network != null) pod.set("network", network);
    }
    ArrayNode volumes = JSON.createArrayNode();
    for (Volume v : p.volumes()) {
      Path dir = Volumes.dir(p.podDir(), v);
      if (dir == null) continue;
      ObjectNode stats = usageFs(disk.capacity.get(dir), disk.usage.get(dir), now);
      if (stats == null) continue;
      stats.put("name", v.getName());
      volumes.add(stats);
      FsUsage.Usage u = disk.usage.get(dir);
      if (isLocalEphemeral(v)) {
        ephemeralBytes += u.bytes();
        ephemeralInodes += u.inodes();
      }
    }
    if (!volumes.isEmpty()) pod.set("volume", volumes);
    Path etcHosts = p.podDir().resolve("etc-hosts");
    FsUsage.Usage hosts = disk.usage.get(etcHosts);
    if (hosts != null) {
      ephemeralBytes += hosts.bytes();
      ephemeralInodes += hosts.inodes();
    }
    FsUsage.Capacity nodeFs = disk.capacity.get(rootDir);
    if (nodeFs != null) {
      ObjectNode ephemeral = fs(nodeFs, now);
      ephemeral.put("usedBytes", ephemeralBytes);
      ephemeral.put("inodesUsed", ephemeralInodes);
      pod.set("ephemeral-storage", ephemeral);
    }
    if (processes != null) pod.putObject("process_stats").put("process_count", processes);
    return pod;
  }

  /** Everything on disk a full summary reports, measured with one statvfs and two du runs. */
  private record Disk(Map<Path, FsUsage.Capacity> capacity, Map<Path, FsUsage.Usage> usage) {}

  private Disk disk(List<PodTarget> targets) {
    Set<Path> trees = new LinkedHashSet<>();
    trees.add(imagesDir);
    for (PodTarget p : targets) {
      for (ContainerTarget c : p.containers()) {
        trees.add(runtime.writableLayer(c.id()));
        trees.add(p.logDir().resolve(c.name()));
      }
      for (Volume v : p.volumes()) {
        Path dir = Volumes.dir(p.podDir(), v);
        if (dir != null) trees.add(dir);
      }
      trees.add(p.podDir().resolve("etc-hosts"));
    }
    Set<Path> filesystems = new LinkedHashSet<>(trees);
    filesystems.add(rootDir);
    filesystems.add(logsDir);
    return new Disk(FsUsage.capacity(filesystems), FsUsage.usage(trees));
  }

  /** Upstream's local ephemeral volumes, counted in the pod's ephemeral-storage (memory-backed ones are not). */
  private static boolean isLocalEphemeral(Volume v) {
    if (v.getEmptyDir() != null) return !"Memory".equals(v.getEmptyDir().getMedium());
    return v.getConfigMap() != null || v.getDownwardAPI() != null || v.getGitRepo() != null;
  }

  private ObjectNode kubeletContainer(Instant now, Set<String> sampled) {
    // the agent has no cgroup of its own: its process's figures (/proc/self/stat: utime, stime, minflt, majflt)
    ObjectNode c = JSON.createObjectNode();
    c.put("name", "kubelet");
    Instant started = ProcessHandle.current().info().startInstant().orElse(now).truncatedTo(ChronoUnit.SECONDS);
    c.put("startTime", time(started));
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // fields after the command name start at field 3 (state): minflt is 10, majflt 12, utime 14, stime 15
      long minflt = Long.parseLong(f[7]);
      long majflt = Long.parseLong(f[9]);
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      putCpu(c, "kubelet", ticks * (1_000_000_000L / clockTicks()), now, sampled);
      ObjectNode memory = c.putObject("memory");
      memory.put("time", time(now));
      long rss = vmRss();
      if (rss >= 0) memory.put("rssBytes", rss);
      memory.put("pageFaults", minflt);
      memory.put("majorPageFaults", majflt);
    } catch (IOException | RuntimeException e) {
      // no figures for the agent
    }
    return c;
  }

  /** cpu and memory of a cgroup (relative to each hierarchy) into {@code into}, when the cgroup exists. */
  private void putCgroup(ObjectNode into, String cgroup, Instant now, Set<String> sampled) {
    String rel = cgroup.startsWith("/") ? cgroup.substring(1) : cgroup;
    putCpu(into, cgroup, ResourceMetrics.cpuNanos(CPUACCT.resolve(rel)), now, sampled);
    ObjectNode memory = cgroupMemory(MEMORY.resolve(rel), now);
    if (memory != null) into.set("memory", memory);
  }

  private void putCpu(ObjectNode into, String key, long usageNanos, Instant now, Set<String> sampled) {
    if (usageNanos < 0) return;
    ObjectNode cpu = into.putObject("cpu");
    cpu.put("time", time(now));
    sampled.add(key);
    OptionalLong rate = rates.rate(key, System.nanoTime(), usageNanos);
    if (rate.isPresent()) cpu.put("usageNanoCores", rate.getAsLong());
    cpu.put("usageCoreNanoSeconds", usageNanos);
  }

  /** cAdvisor's figures for a cgroup v1 memory controller directory; null when it does not exist. */
  static ObjectNode cgroupMemory(Path dir, Instant now) {
    try {
      long usage = Long.parseLong(Files.readString(dir.resolve("memory.usage_in_bytes")).trim());
      long limit = Long.parseLong(Files.readString(dir.resolve("memory.limit_in_bytes")).trim());
      Map<String, Long> stat = new java.util.HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("memory.stat"))) {
        int sp = line.indexOf(' ');
        if (sp > 0) stat.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).trim()));
      }
      long workingSet = Math.max(0, usage - stat.getOrDefault("total_inactive_file", 0L));
      ObjectNode m = JSON.createObjectNode();
      m.put("time", time(now));
      // v1 says "no limit" with a huge number; upstream leaves availableBytes out then
      if (limit < (1L << 62)) m.put("availableBytes", Math.max(0, limit - workingSet));
      m.put("usageBytes", usage);
      m.put("workingSetBytes", workingSet);
      if (stat.containsKey("total_rss")) m.put("rssBytes", stat.get("total_rss"));
      if (stat.containsKey("total_pgfault")) m.put("pageFaults", stat.get("total_pgfault"));
      if (stat.containsKey("total_pgmajfault")) m.put("majorPageFaults", stat.get("total_pgmajfault"));
      return m;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** The node's memory from /proc/meminfo and /proc/vmstat (working set as /metrics/resource: total - available). */
  private static ObjectNode nodeMemory(Instant now) {
    ObjectNode m = JSON.createObjectNode();
    m.put("time", time(now));
    try {
      long total = HostInfo.meminfo("MemTotal");
      long available = HostInfo.meminfo("MemAvailable");
      m.put("availableBytes", available);
      m.put("usageBytes", total - HostInfo.meminfo("MemFree"));
      m.put("workingSetBytes", total - available);
      m.put("rssBytes", HostInfo.meminfo("AnonPages") + HostInfo.meminfo("SwapCached"));
      for (String line : Files.readAllLines(Path.of("/proc/vmstat"))) {
        if (line.startsWith("pgfault ")) m.put("pageFaults", Long.parseLong(line.substring(8).trim()));
        if (line.startsWith("pgmajfault ")) m.put("majorPageFaults", Long.parseLong(line.substring(11).trim()));
      }
    } catch (IOException | NumberFormatException e) {
      // what was read stays
    }
    return m;
  }

  /** NetworkStats from a net/dev table: every interface but cAdvisor's ignored ones, eth0 inlined. */
  static ObjectNode network(Path netDev, Instant now) {
    List<String> lines;
    try {
      lines = Files.readAllLines(netDev);
    } catch (IOException e) {
      return null;
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("time", time(now));
    ArrayNode interfaces = JSON.createArrayNode();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String name = line.substring(0, colon).trim();
      if (IGNORED_INTERFACES.stream().anyMatch(name::startsWith)) continue;
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 11) continue;
      ObjectNode i = interfaces.addObject();
      i.put("name", name);
      i.put("rxBytes", Long.parseLong(f[0]));
      i.put("rxErrors", Long.parseLong(f[2]));
      i.put("txBytes", Long.parseLong(f[8]));
      i.put("txErrors", Long.parseLong(f[10]));
      if (name.equals(DEFAULT_INTERFACE)) {
        for (String k : List.of("name", "rxBytes", "rxErrors", "txBytes", "txErrors")) n.set(k, i.get(k));
      }
    }
    n.set("interfaces", interfaces);
    return n;
  }

  /** FsStats of a filesystem: capacity and free space and inodes (used figures are the caller's). */
  private static ObjectNode fs(FsUsage.Capacity c, Instant now) {
    ObjectNode fs = JSON.createObjectNode();
    fs.put("time", time(now));
    fs.put("availableBytes", c.availableBytes());
    fs.put("capacityBytes", c.capacityBytes());
    fs.put("inodesFree", c.inodesFree());
    fs.put("inodes", c.inodes());
    return fs;
  }

  /** FsStats of a tree on its filesystem: that filesystem's capacity, the tree's own usage; null when unmeasured. */
  private static ObjectNode usageFs(FsUsage.Capacity c, FsUsage.Usage u, Instant now) {
    if (c == null || u == null) return null;
    ObjectNode fs = fs(c, now);
    fs.put("usedBytes", u.bytes());
    fs.put("inodesUsed", u.inodes());
    return fs;
  }

  private static ObjectNode rlimit(Instant now) {
    ObjectNode r = JSON.createObjectNode();
    r.put("time", time(now));
    try {
      // whole lines: a sysctl read at a non-zero offset is empty, and Files.readString reads the first byte alone
      r.put("maxpid", Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim()));
      // /proc/loadavg's "running/total": total is the number of tasks, what sysinfo reports as procs
      String[] load = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      r.put("curproc", Long.parseLong(load[3].substring(load[3].indexOf('/') + 1)));
    } catch (IOException | RuntimeException e) {
      // what was read stays
    }
    return r;
  }

  /** Processes in a container's cgroup (the pids hierarchy's cgroup.procs). */
  private static OptionalLong processCount(String cgroup) {
    Path procs = Path.of("/sys/fs/cgroup/pids").resolve(cgroup.substring(1)).resolve("cgroup.procs");
    try (var lines = Files.lines(procs)) {
      return OptionalLong.of(lines.filter(l -> !l.isBlank()).count());
    } catch (IOException | java.io.UncheckedIOException e) {
      return OptionalLong.empty();
    }
  }

  private static java.util.Optional<Instant> bootTime() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("btime ")) return java.util.Optional.of(Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim())));
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return java.util.Optional.empty();
  }

  private static long clockTicks() {
    return 100; // USER_HZ: 100 on every Linux architecture the agent runs on
  }

  static String time(Instant i) {
    return DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The agent's resident set size from /proc/self/status (VmRSS). */
  private static long vmRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
    }
    return -1;
  }
}
