package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's node lifecycle controller: a node whose Lease in kube-node-lease is not renewed within the grace period
 * gets its conditions set to Unknown and its pods marked not ready; nodes carry the not-ready/unreachable taints
 * (NoSchedule and NoExecute) that match their Ready condition, and lose them when it is True again. Evicting pods
 * from NoExecute-tainted nodes is the {@link TaintEvictionController}'s job.
 */
public final class NodeLifecycleController extends Controller {
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(50);
  public static final Duration DEFAULT_STARTUP_GRACE_PERIOD = Duration.ofSeconds(60);
  public static final Duration DEFAULT_MONITOR_PERIOD = Duration.ofSeconds(5);
  static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final List<String> CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

  private final KubernetesClient client;
  private final Duration gracePeriod;
  private final Duration startupGracePeriod;
  private final Duration monitorPeriod;
  /** When this controller last saw each node's lease renewed, by its own clock (as upstream: no clock skew). */
  private final Map<String, Observed> probes = new ConcurrentHashMap<>();
  /** The nodes this controller has registered, name to uid (upstream's knownNodeSet). */
  private final Map<String, String> known = new ConcurrentHashMap<>();
  private SharedIndexInformer<Node> nodes;
  private SharedIndexInformer<Lease> leases;
  private SharedIndexInformer<Pod> pods;

  private record Observed(String renewTime, Instant seenAt) {}

  /** Upstream's defaults: --node-monitor-grace-period 50s, --node-startup-grace-period 60s, --node-monitor-period 5s. */
  public static NodeLifecycleController withDefaults(KubernetesClient client) {
    return new NodeLifecycleController(client, DEFAULT_GRACE_PERIOD, DEFAULT_STARTUP_GRACE_PERIOD, DEFAULT_MONITOR_PERIOD);
  }

  public NodeLifecycleController(KubernetesClient client, Duration gracePeriod, Duration startupGracePeriod,
      Duration monitorPeriod) {
    super("nodelifecycle", 2);
    this.client = client;
    this.gracePeriod = gracePeriod;
    this.startupGracePeriod = startupGracePeriod;
    this.monitorPeriod = monitorPeriod;
  }

  @Override
  protected String eventSource() {
    return "node-controller";
  }

  @Override
  protected void register(Informers informers) {
    nodes = informers.informer(Node.class);
    leases = informers.informer(Lease.class);
    pods = informers.informer(Pod.class);
    nodes.addEventHandler(handler(n -> enqueue(n.getMetadata().getName())));
    leases.addEventHandler(handler(l -> {
      if (LEASE_NAMESPACE.equals(l.getMetadata().getNamespace())) enqueue(l.getMetadata().getName());
    }));
  }

  @Override
  protected void reconcile(String name) throws Requeue {
    Node node = nodes.getStore().getByKey(name);
    if (node == null) {
      probes.remove(name);
      String uid = known.remove(name);
      if (uid != null) recordNodeEvent(name, uid, "RemovingNode", "Removing Node " + name + " from Controller");
      return;
    }
    if (known.put(name, node.getMetadata().getUid()) == null) {
      recordNodeEvent(name, node.getMetadata().getUid(), "RegisteredNode", "Registered Node " + name + " in Controller");
    }
    Instant now = Instant.now();
    Instant probe = probe(node, now);
    NodeCondition ready = condition(node, "Ready");
    Duration grace = ready == null ? startupGracePeriod : gracePeriod;
    if (now.isAfter(probe.plus(grace)) && (ready == null || !"Unknown".equals(ready.getStatus()))) {
      boolean wasReady = ready != null && "True".equals(ready.getStatus());
      node = markUnknown(node, ready == null, now);
      if (wasReady) {
        // upstream's RecordNodeStatusChange
        events().normal(node, "NodeNotReady", "Node %s status is now: %s", name, "NodeNotReady");
        markPodsNotReady(name, now);
      }
    }
    syncTaints(node, now);
    Duration untilExpiry = Duration.between(now, probe.plus(grace));
    throw new Requeue(untilExpiry.isNegative() || untilExpiry.compareTo(monitorPeriod) > 0 ? monitorPeriod
        : untilExpiry.plusMillis(100));
  }

  /**
   * The local time the node was last seen alive: its lease renewed or its Ready heartbeat moved. A node not seen
   * before counts as alive now.
   */
  private Instant probe(Node node, Instant now) {
    String name = node.getMetadata().getName();
    Lease lease = leases.getStore().getByKey(LEASE_NAMESPACE + "/" + name);
    NodeCondition ready = condition(node, "Ready");
    String renew = (lease == null || lease.getSpec() == null ? null : lease.getSpec().getRenewTime()) + "|"
        + (ready == null ? null : ready.getLastHeartbeatTime());
    Observed o = probes.compute(name, (k, old) ->
        old == null || !Objects.equals(old.renewTime(), renew) ? new Observed(renew, now) : old);
    return o.seenAt();
  }

  /** What upstream writes when the kubelet goes silent: every kubelet-owned condition Unknown. */
  private Node markUnknown(Node node, boolean neverUpdated, Instant now) {
    String t = timestamp(now);
    String reason = neverUpdated ? "NodeStatusNeverUpdated" : "NodeStatusUnknown";
    String message = neverUpdated ? "Kubelet never posted node status." : "Kubelet stopped posting node status.";
    log.info("node {}: {}", node.getMetadata().getName(), message);
    return client.nodes().withName(node.getMetadata().getName()).editStatus(n -> {
      List<NodeCondition> conditions = n.getStatus().getConditions() == null ? new ArrayList<>()
          : new ArrayList<>(n.getStatus().getConditions());
      for (String type : CONDITIONS) {
        NodeCondition c = conditions.stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
        if (c == null) {
          conditions.add(new NodeConditionBuilder().withType(type).withStatus("Unknown").withReason(reason)
              .withMessage(message).withLastHeartbeatTime(t).withLastTransitionTime(t).build());
        } else if (!"Unknown".equals(c.getStatus())) {
          c.setStatus("Unknown");
          c.setReason(reason);
          c.setMessage(message);
          c.setLastTransitionTime(t);
        }
      }
      n.getStatus().setConditions(conditions);
      return n;
    });
  }

  /** Upstream's RecordNodeEvent: a Normal event on the node, its message prefixed with the node's name. */
  private void recordNodeEvent(String name, String uid, String reason, String event) {
    events().event(new ObjectReferenceBuilder().withKind("Node").withName(name).withUid(uid).build(), "Normal", reason,
        "Node " + name + " event: " + event);
  }

  /** Upstream's MarkPodsNotReady: the node cannot vouch for its pods any more. */
  private void markPodsNotReady(String nodeName, Instant now) {
    for (Pod p : pods.getStore().list()) {
      if (p.getSpec() == null || !nodeName.equals(p.getSpec().getNodeName()) || !PodStatus.ready(p)) continue;
      try {
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(fresh -> {
          for (PodCondition c : fresh.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && !"False".equals(c.getStatus())) {
              c.setStatus("False");
              c.setLastTransitionTime(timestamp(now));
            }
          }
          return fresh;
        });
        events().warning(p, "NodeNotReady", "Node is not ready");
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e;
      }
    }
  }

  /** NoSchedule and NoExecute taints that say what the Ready condition says (none when it is True). */
  private void syncTaints(Node node, Instant now) {
    String wanted = wantedTaint(node);
    List<Taint> current = NodeTaints.of(node);
    if (desiredTaints(current, wanted, now).equals(current)) return;
    client.nodes().withName(node.getMetadata().getName()).edit(n -> {
      // computed again on the fresh object, so that taints others added meanwhile stay
      List<Taint> desired = desiredTaints(NodeTaints.of(n), wantedTaint(n), now);
      log.info("node {}: taints {}", n.getMetadata().getName(),
          desired.stream().map(t -> t.getKey() + ":" + t.getEffect()).toList());
      if (n.getSpec() == null) n.setSpec(new NodeSpec());
      n.getSpec().setTaints(desired.isEmpty() ? null : desired);
      return n;
    });
  }

  private static String wantedTaint(Node node) {
    NodeCondition ready = condition(node, "Ready");
    if (ready == null) return null;
    return switch (ready.getStatus()) {
      case "False" -> NodeTaints.NOT_READY;
      case "Unknown" -> NodeTaints.UNREACHABLE;
      default -> null;
    };
  }

  private static List<Taint> desiredTaints(List<Taint> current, String wanted, Instant now) {
    List<Taint> desired = new ArrayList<>();
    for (Taint t : current) {
      boolean ours = NodeTaints.UNREACHABLE.equals(t.getKey()) || NodeTaints.NOT_READY.equals(t.getKey());
      boolean ourEffect = "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect());
      if (!ours || !ourEffect || t.getKey().equals(wanted)) desired.add(t);
    }
    if (wanted != null) {
      for (String effect : List.of("NoSchedule", "NoExecute")) {
        if (desired.stream().noneMatch(t -> wanted.equals(t.getKey()) && effect.equals(t.getEffect()))) {
          TaintBuilder b = new TaintBuilder().withKey(wanted).withEffect(effect);
          if (effect.equals("NoExecute")) b.withTimeAdded(timestamp(now));
          desired.add(b.build());
        }
      }
    }
    return desired;
  }

  private static NodeCondition condition(Node n, String type) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) return null;
    return n.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
