package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.cli.Tables;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planet status}: the cluster's health at a glance, every node and component check as a table (or JSON, schema
 * in docs/cli.md); exit code 0 when healthy, 1 when degraded, 3 when not running.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the health of the cluster's nodes and components; exit code 0 when healthy.")
public final class StatusCommand implements Callable<Integer> {
  static final int DISK_WARNING = 80;
  static final int DISK_CRITICAL = 90;

  @Option(names = "--run-dir", defaultValue = "/run/planet", description = "(default: ${DEFAULT-VALUE})")
  Path runDir;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
  String output;

  record Check(String name, String status, String detail) {}

  @Override
  public Integer call() throws Exception {
    if (!output.equals("table") && !output.equals("json")) {
      System.err.println("planet status: --output must be table or json, not \"" + output + "\"");
      return 2;
    }
    ClusterConfig config = ClusterConfig.load(runDir.toAbsolutePath().normalize());
    ObjectNode report = ClusterConfig.JSON.createObjectNode();
    ArrayNode nodes = report.putArray("nodes");
    List<Check> checks = new ArrayList<>();
    if (config == null || Running.cluster(config.runDir()).isEmpty()) {
      report.put("status", "stopped");
      report.put("reason", "planet is not running (planet start)");
      report.putArray("checks");
      return print(report, List.of(), 3);
    }
    report.put("pid", Running.cluster(config.runDir()).get().pid());
    if (!config.master()) return conclude(report, nodes, JoinedNodeStatus.checks(config, nodes));
    boolean etcd = EtcdProcess.health(config);
    checks.add(new Check("etcd", etcd ? "ok" : "failed", (etcd ? "healthy" : "unhealthy") + ", members: " + members(config)));
    String readyz = Health.get(config.apiServerUrl() + "/readyz");
    checks.add(new Check("apiserver", readyz != null ? "ok" : "failed", readyz != null ? "readyz ok on " + config.apiServerUrl()
        : "readyz failing on " + config.apiServerUrl()));
    ClockDrift.Measurement clock = null;
    try {
      clock = ClockDrift.measure(config.apiServerUrl() + "/readyz");
      checks.add(ClockDrift.check(clock));
    } catch (IOException e) {
      checks.add(new Check("time", "warning", "cannot read the API server's clock: " + e.getMessage()));
    }
    KubernetesClient admin = null;
    try {
      admin = readyz == null ? null : SingleNodeCluster.client(config.adminKubeconfig());
      checks.add(leader(admin, "scheduler", "kube-scheduler", config.ports().scheduler()));
      checks.add(leader(admin, "controller-manager", "kube-controller-manager", config.ports().controllerManager()));
      if (admin != null) {
        for (Node n : admin.nodes().list().getItems()) {
          ObjectNode o = nodes.addObject();
          o.put("name", n.getMetadata().getName());
          ArrayNode roles = o.putArray("roles");
          n.getMetadata().getLabels().keySet().stream().filter(l -> l.startsWith("node-role.kubernetes.io/"))
              .map(l -> l.substring("node-role.kubernetes.io/".length())).map(r -> r.equals("control-plane") ? "master" : r)
              .sorted().forEach(roles::add);
          boolean ready = ready(n);
          o.put("ready", ready);
          o.put("version", n.getStatus().getNodeInfo() == null ? "" : n.getStatus().getNodeInfo().getKubeletVersion());
          o.put("runtime", n.getStatus().getNodeInfo() == null ? "" : n.getStatus().getNodeInfo().getContainerRuntimeVersion());
          leaseAge(admin, n.getMetadata().getName(), clock).ifPresent(age -> o.put("leaseAgeSeconds", age));
          if (n.getMetadata().getName().equals(config.nodeName())) {
            int port = n.getStatus().getDaemonEndpoints() == null ? config.ports().kubelet()
                : n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
            boolean healthz = Health.okAsKubeletClient("https://" + config.advertiseAddress() + ":" + port + "/healthz",
                io.planet.apiserver.pki.ClusterPki.at(config.pkiDir()));
            checks.add(new Check("kubelet", ready && healthz ? "ok" : "failed", "node " + (ready ? "Ready" : "NotReady")
                + ", healthz " + (healthz ? "ok" : "failing") + ", runtime " + o.path("runtime").asText()));
          }
        }
      }
    } finally {
      if (admin != null) admin.close();
    }
    String name = "kubernetes.default.svc." + config.clusterDomain();
    int answers = DnsProbe.answers(new InetSocketAddress(config.clusterDns(), 53), name, 2000);
    checks.add(new Check("dns", answers > 0 ? "ok" : "failed", answers > 0 ? config.clusterDns() + " answers " + name
        : config.clusterDns() + " does not answer " + name));
    checks.addAll(supervision(config));
    // the supervisor's record of each component (state, restarts, last failure, back-off) as it wrote it
    if (Files.exists(config.componentsFile())) {
      report.set("components", ClusterConfig.JSON.readTree(config.componentsFile().toFile()).path("components"));
    }
    checks.add(disk(config.dataDir()));
    checks.add(sysctl("ip_forward", "/proc/sys/net/ipv4/ip_forward", "sysctl -w net.ipv4.ip_forward=1"));
    checks.add(sysctl("bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-iptables",
        "modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1"));
    return conclude(report, nodes, checks);
  }

  /** The verdict from the checks and nodes: healthy (0) or degraded (1) with the reasons. */
  int conclude(ObjectNode report, ArrayNode nodes, List<Check> checks) throws IOException {
    List<String> failed = new ArrayList<>();
    for (Check c : checks) if (c.status().equals("failed")) failed.add(c.name() + ": " + c.detail());
    for (JsonNode n : nodes) if (!n.path("ready").asBoolean()) failed.add("node " + n.path("name").asText() + " is NotReady");
    if (nodes.isEmpty()) failed.add("no nodes registered");
    report.put("status", failed.isEmpty() ? "healthy" : "degraded");
    report.put("reason", String.join("; ", failed));
    ArrayNode list = report.putArray("checks");
    for (Check c : checks) list.addObject().put("name", c.name()).put("status", c.status()).put("detail", c.detail());
    return print(report, checks, failed.isEmpty() ? 0 : 1);
  }

  private int print(ObjectNode report, List<Check> checks, int code) throws IOException {
    if (output.equals("json")) {
      System.out.println(ClusterConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      return code;
    }
    if (report.path("nodes").size() > 0) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NODE", "ROLES", "STATUS", "VERSION", "LEASE AGE"});
      for (JsonNode n : report.path("nodes")) {
        List<String> roles = new ArrayList<>();
        n.path("roles").forEach(r -> roles.add(r.asText()));
        rows.add(new String[] {n.path("name").asText(), roles.isEmpty() ? "<none>" : String.join(",", roles),
            n.path("ready").asBoolean() ? "Ready" : "NotReady", n.path("version").asText(),
            n.has("leaseAgeSeconds") ? Math.round(n.path("leaseAgeSeconds").asDouble()) + "s" : "<none>"});
      }
      Tables.print(rows, System.out);
      System.out.println();
    }
    if (!checks.isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"CHECK", "STATUS", "DETAIL"});
      for (Check c : checks) rows.add(new String[] {c.name(), c.status(), c.detail()});
      Tables.print(rows, System.out);
      System.out.println();
    }
    String status = report.path("status").asText();
    String reason = report.path("reason").asText();
    System.out.println("cluster: " + status + (reason.isEmpty() ? "" : " (" + reason + ")"));
    return code;
  }

  private static String members(ClusterConfig config) {
    return EtcdProcess.members(config).map(body -> {
      try {
        List<String> names = new ArrayList<>();
        for (JsonNode m : ClusterConfig.JSON.readTree(body).path("members")) {
          names.add(m.path("name").asText() + " " + m.path("clientURLs").path(0).asText());
        }
        return String.join(", ", names);
      } catch (IOException e) {
        return "unreadable";
      }
    }).orElse("unknown");
  }

  private static Check leader(KubernetesClient admin, String component, String lease, int port) {
    boolean healthz = Health.ok("http://127.0.0.1:" + port + "/healthz");
    String holder = "unknown";
    if (admin != null) {
      Lease l = admin.leases().inNamespace("kube-system").withName(lease).get();
      holder = l == null || l.getSpec().getHolderIdentity() == null ? "none" : l.getSpec().getHolderIdentity();
    }
    return new Check(component, healthz && !holder.equals("none") ? "ok" : "failed",
        "healthz " + (healthz ? "ok" : "failing") + ", leader " + holder);
  }

  /**
   * How long ago, on the API server's clock, the node's kubelet last renewed its Lease (kube-node-lease): its heartbeat's
   * age, not clock drift (the renewTime is the kubelet's clock, but a lease renewed every 10 s is that old anyway).
   */
  private static Optional<Double> leaseAge(KubernetesClient admin, String node, ClockDrift.Measurement clock) {
    Lease l = admin.leases().inNamespace("kube-node-lease").withName(node).get();
    if (l == null || l.getSpec() == null || l.getSpec().getRenewTime() == null) return Optional.empty();
    Instant serverNow = Instant.now().plus(clock == null ? Duration.ZERO : clock.estimate());
    Instant renewed = l.getSpec().getRenewTime().toInstant();
    return Optional.of(Duration.between(renewed, serverNow).toMillis() / 100 / 10.0);
  }

  private static boolean ready(Node n) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) return false;
    for (NodeCondition c : n.getStatus().getConditions()) {
      if (c.getType().equals("Ready")) return c.getStatus().equals("True");
    }
    return false;
  }

  /** The supervisor's record: a component restarted since start is a warning, an unhealthy one a failure. */
  static List<Check> supervision(ClusterConfig config) throws IOException {
    List<Check> out = new ArrayList<>();
    if (!Files.exists(config.componentsFile())) return out;
    List<String> restarted = new ArrayList<>();
    List<String> unhealthy = new ArrayList<>();
    for (JsonNode c : ClusterConfig.JSON.readTree(config.componentsFile().toFile()).path("components")) {
      if (c.path("restarts").asInt() > 0) {
        restarted.add(c.path("name").asText() + " " + c.path("restarts").asInt() + "x (last: " + c.path("lastFailure").asText() + ")");
      }
      if (!c.path("healthy").asBoolean()) unhealthy.add(c.path("name").asText() + " (" + c.path("state").asText("unhealthy") + ")");
    }
    String status = !unhealthy.isEmpty() ? "failed" : restarted.isEmpty() ? "ok" : "warning";
    String detail = (unhealthy.isEmpty() ? "all components up" : "unhealthy: " + String.join(", ", unhealthy))
        + (restarted.isEmpty() ? ", no restarts" : "; restarted: " + String.join("; ", restarted));
    out.add(new Check("supervisor", status, detail));
    return out;
  }

  static Check disk(Path dir) throws IOException {
    FileStore store = Files.getFileStore(dir);
    long total = store.getTotalSpace();
    long used = total - store.getUsableSpace();
    int pct = total == 0 ? 0 : (int) (100 * used / total);
    String status = pct >= DISK_CRITICAL ? "failed" : pct >= DISK_WARNING ? "warning" : "ok";
    return new Check("disk", status, String.format(Locale.ROOT, "%s %d%% used (%.1f of %.1f GB; warning at %d%%, failing at %d%%)",
        dir, pct, used / 1e9, total / 1e9, DISK_WARNING, DISK_CRITICAL));
  }

  static Check sysctl(String name, String file, String fix) {
    try {
      String v = Files.readString(Path.of(file)).trim();
      return new Check(name, v.equals("1") ? "ok" : "failed", v.equals("1") ? "1" : v + " (" + fix + ")");
    } catch (IOException e) {
      return new Check(name, "warning", "not available (" + fix + ")");
    }
  }
}
