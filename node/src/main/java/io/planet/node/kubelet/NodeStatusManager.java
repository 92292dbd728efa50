package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's node-level loops, as upstream's kubelet: register the Node (labels, taints, capacity, system
 * info), renew its Lease every 10 s, and post its status when something other than a heartbeat changed or every
 * 5 minutes (nodeStatusReportFrequency), so an idle node costs the API server one lease write per 10 s. A condition
 * that changes status is told in the node's events as upstream's kubelet tells it (NodeReady, NodeHasSufficientMemory,
 * ...).
 */
public final class NodeStatusManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeStatusManager.class);

  /** Settings, with upstream's defaults in {@link #defaults}. */
  public record Options(String nodeName, Path dataDir, String nodeIp, Map<String, String> labels, List<Taint> taints,
      Duration leaseRenewInterval, int leaseDurationSeconds, Duration statusUpdateInterval, Duration statusReportInterval) {
    public static Options defaults(String nodeName, Path dataDir) {
      return new Options(nodeName, dataDir, null, Map.of(), List.of(), Duration.ofSeconds(10), 40, Duration.ofSeconds(10),
          Duration.ofMinutes(5));
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final NodeLease lease;
  private final ScheduledExecutorService loops = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "kubelet-node");
    t.setDaemon(true);
    return t;
  });
  private HostInfo host;
  private NodeStatus reported;
  private Instant reportedAt = Instant.EPOCH;
  private final KubeletEvents events;

  public NodeStatusManager(KubernetesClient client, Options options) {
    this(client, options, new KubeletEvents(null, options.nodeName()));
  }

  NodeStatusManager(KubernetesClient client, Options options, KubeletEvents events) {
    this.client = client;
    this.options = options;
    this.events = events;
    this.lease = new NodeLease(client, options.nodeName(), options.leaseDurationSeconds());
  }

  /** Registers the node and starts the lease and status loops; returns once the node is registered. */
  public void start() throws IOException {
    host = HostInfo.probe(options.dataDir(), options.nodeIp());
    register();
    lease.renew();
    loops.scheduleWithFixedDelay(this::renewLease, options.leaseRenewInterval().toMillis(),
        options.leaseRenewInterval().toMillis(), TimeUnit.MILLISECONDS);
    loops.scheduleWithFixedDelay(this::updateStatus, options.statusUpdateInterval().toMillis(),
        options.statusUpdateInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  private volatile int kubeletPort = 10250;

  /** The kubelet API's port, reported in status.daemonEndpoints (and posted at once when it differs). */
  public void setKubeletPort(int port) {
    if (port == kubeletPort) return;
    kubeletPort = port;
    postStatus(currentStatus(reported));
  }

  /** The machine's facts, read at start. */
  public HostInfo host() {
    return host;
  }

  public String nodeName() {
    return options.nodeName();
  }

  private void register() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", options.nodeName());
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", host.architecture());
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("beta.kubernetes.io/arch", host.architecture());
    labels.putAll(options.labels());
    NodeStatus status = currentStatus(null);
    Node node = new NodeBuilder().withNewMetadata().withName(options.nodeName()).withLabels(labels)
        .addToAnnotations("node.alpha.kubernetes.io/ttl", "0").endMetadata()
        .withNewSpec().withTaints(options.taints().isEmpty() ? null : new ArrayList<>(options.taints())).endSpec()
        .withStatus(status).build();
    try {
      client.nodes().resource(node).create();
      log.info("registered node {}", options.nodeName());
      // every condition of a new node is new
      recordConditionChanges(List.of(), status.getConditions());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      // registered before (a restart): keep what others set, make sure our labels are there
      Conflicts.retry(() -> client.nodes().withName(options.nodeName()).edit(n -> {
        Map<String, String> merged = new LinkedHashMap<>(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
        merged.putAll(labels);
        n.getMetadata().setLabels(merged);
        return n;
      }));
      log.info("node {} was registered before; updating it", options.nodeName());
    }
    postStatus(status);
  }

  private NodeStatus currentStatus(NodeStatus previous) {
    long memAvailable;
    try {
      memAvailable = HostInfo.meminfo("MemAvailable");
      var store = Files.getFileStore(options.dataDir());
      return NodeStatusFactory.build(options.nodeName(), host,
          new NodeStatusFactory.Pressure(memAvailable, store.getUsableSpace(), store.getTotalSpace()), now(), previous,
          kubeletPort);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the node's resources: " + e.getMessage(), e);
    }
  }

  private void renewLease() {
    try {
      lease.renew();
    } catch (RuntimeException e) {
      log.warn("renewing the lease of node {} failed: {}", options.nodeName(), e.toString());
    }
  }

  private void updateStatus() {
    try {
      NodeStatus next = currentStatus(reported);
      boolean due = Instant.now().isAfter(reportedAt.plus(options.statusReportInterval()));
      if (due || changed(reported, next)) postStatus(next);
    } catch (RuntimeException e) {
      log.warn("updating the status of node {} failed: {}", options.nodeName(), e.toString());
    }
  }

  private void postStatus(NodeStatus status) {
    // the conditions as the API server had them, from the attempt that was written
    List<NodeCondition> before = new ArrayList<>();
    Conflicts.retry(() -> client.nodes().withName(options.nodeName()).editStatus(n -> {
      NodeStatus s = n.getStatus() == null ? new NodeStatus() : n.getStatus();
      before.clear();
      if (s.getConditions() != null) before.addAll(s.getConditions());
      s.setCapacity(status.getCapacity());
      s.setAllocatable(status.getAllocatable());
      s.setConditions(status.getConditions());
      s.setAddresses(status.getAddresses());
      s.setNodeInfo(status.getNodeInfo());
      s.setDaemonEndpoints(status.getDaemonEndpoints());
      n.setStatus(s);
      return n;
    }));
    reported = status;
    reportedAt = Instant.now();
    recordConditionChanges(before, status.getConditions());
  }

  /** Upstream's node status events: one per condition whose status changed (or that is new), named by its new state. */
  private void recordConditionChanges(List<NodeCondition> before, List<NodeCondition> after) {
    for (NodeCondition c : after) {
      NodeCondition old = before.stream().filter(b -> c.getType().equals(b.getType())).findFirst().orElse(null);
      if (old != null && Objects.equals(old.getStatus(), c.getStatus())) continue;
      String event = statusEvent(c.getType(), "True".equals(c.getStatus()));
      if (event != null) events.nodeStatus(event);
    }
  }

  /** The event reason for a condition's status, as upstream's setters name it. */
  static String statusEvent(String type, boolean status) {
    return switch (type) {
      case "Ready" -> status ? "NodeReady" : "NodeNotReady";
      case "MemoryPressure" -> status ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory";
      case "DiskPressure" -> status ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure";
      case "PIDPressure" -> status ? "NodeHasInsufficientPID" : "NodeHasSufficientPID";
      default -> null;
    };
  }

  /** Whether anything but heartbeat times differs. */
  static boolean changed(NodeStatus a, NodeStatus b) {
    if (a == null) return true;
    if (!Objects.equals(a.getCapacity(), b.getCapacity()) || !Objects.equals(a.getAddresses(), b.getAddresses())) return true;
    if (a.getConditions().size() != b.getConditions().size()) return true;
    for (int i = 0; i < a.getConditions().size(); i++) {
      var x = a.getConditions().get(i);
      var y = b.getConditions().get(i);
      if (!Objects.equals(x.getType(), y.getType()) || !Objects.equals(x.getStatus(), y.getStatus())
          || !Objects.equals(x.getReason(), y.getReason())) {
        return true;
      }
    }
    return false;
  }

  static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  @Override
  public void close() {
    loops.shutdownNow();
  }
}
