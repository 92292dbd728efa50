package io.planet.controllers.hollow;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hollow nodes: a named fake of the node agent, like KWOK, for controller tests and scale benchmarks only. Each
 * registers a Node with the configured capacity, renews its Lease in kube-node-lease, and moves the pods bound to it
 * to Running/Ready with a pod IP (no containers run); pods being deleted are removed at once. It never stands in for
 * the real node agent in user-facing features.
 */
public final class HollowNodes implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HollowNodes.class);
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);

  /** What each hollow node reports. */
  public record Options(String namePrefix, int count, String cpu, String memory, int pods, int leaseDurationSeconds,
      Duration renewInterval) {
    public static Options defaults(int count) {
      return new Options("hollow", count, "4", "16Gi", 110, 40, Duration.ofSeconds(10));
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final Set<String> names = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> nextIp = new ConcurrentHashMap<>();
  private final Map<String, Integer> nodeIndex = new ConcurrentHashMap<>();
  private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hollow-leases"));
  private final ExecutorService writers = Executors.newFixedThreadPool(4, r -> daemon(r, "hollow-pods"));
  private final Map<String, Lease> lastLeases = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Node> nodes;

  public HollowNodes(KubernetesClient client, Options options) {
    this.client = client;
    this.options = options;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public List<String> nodeNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < options.count(); i++) out.add(options.namePrefix() + "-" + i);
    return out;
  }

  /** Registers the nodes, starts renewing their leases and serving their pods. */
  public HollowNodes start() {
    int i = 0;
    for (String name : nodeNames()) {
      nodeIndex.put(name, i++);
      register(name);
      names.add(name);
    }
    renewLeases();
    long every = options.renewInterval().toMillis();
    leases.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    nodes = client.nodes().withLabel("type", "hollow").inform();
    pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        handle(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        handle(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {}
    }, 0);
    return this;
  }

  private static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  private void register(String name) {
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity(options.cpu()), "memory", new Quantity(options.memory()),
        "pods", new Quantity(Integer.toString(options.pods())), "ephemeral-storage", new Quantity("100Gi"));
    Node node = new NodeBuilder()
        .withNewMetadata().withName(name)
          .addToLabels("kubernetes.io/hostname", name)
          .addToLabels("kubernetes.io/os", "linux")
          .addToLabels("kubernetes.io/arch", "amd64")
          .addToLabels("type", "hollow")
          .addToAnnotations("planet.io/hollow-node", "true")
        .endMetadata()
        .withNewStatus()
          .withCapacity(capacity)
          .withAllocatable(capacity)
          .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
            .withMessage("hollow node is posting ready status").withLastHeartbeatTime(now()).withLastTransitionTime(now()).endCondition()
          .addNewCondition().withType("MemoryPressure").withStatus("False").withReason("KubeletHasSufficientMemory")
            .withLastHeartbeatTime(now()).withLastTransitionTime(now()).endCondition()
          .addNewCondition().withType("DiskPressure").withStatus("False").withReason("KubeletHasNoDiskPressure")
            .withLastHeartbeatTime(now()).withLastTransitionTime(now()).endCondition()
          .addNewCondition().withType("PIDPressure").withStatus("False").withReason("KubeletHasSufficientPID")
            .withLastHeartbeatTime(now()).withLastTransitionTime(now()).endCondition()
          .addNewAddress().withType("InternalIP").withAddress(nodeAddress(name)).endAddress()
          .addNewAddress().withType("Hostname").withAddress(name).endAddress()
          .withNewNodeInfo().withKubeletVersion("v1.32.0-hollow").withContainerRuntimeVersion("hollow://0")
            .withOperatingSystem("linux").withArchitecture("amd64").withOsImage("hollow").withKernelVersion("hollow")
            .withKubeProxyVersion("").withMachineID(name).withSystemUUID(name).withBootID(name).endNodeInfo()
        .endStatus()
        .build();
    try {
      client.nodes().resource(node).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      // registered before: bring its status back to Ready
      client.nodes().withName(name).editStatus(n -> {
        n.setStatus(node.getStatus());
        return n;
      });
    }
  }

  /** Documentation range addresses (192.0.2.0/24 family is too small): node i gets 10.255.x.y. */
  private String nodeAddress(String name) {
    int i = nodeIndex.getOrDefault(name, 0);
    return "10.255." + (i / 250) + "." + (i % 250 + 1);
  }

  private void renewLeases() {
    for (String name : names) {
      try {
        renewLease(name);
      } catch (RuntimeException e) {
        logger.warn("renewing the lease of hollow node {} failed: {}", name, e.toString());
      }
    }
  }

  /** Like the kubelet: update the lease last written, and read it again only when that fails. */
  private void renewLease(String name) {
    String renew = MICRO.format(Instant.now());
    var leasesApi = client.resources(Lease.class).inNamespace("kube-node-lease");
    Lease last = lastLeases.get(name);
    if (last != null) {
      last.getSpec().setRenewTime(java.time.ZonedDateTime.parse(renew));
      try {
        lastLeases.put(name, leasesApi.resource(last).update());
        return;
      } catch (KubernetesClientException e) {
        lastLeases.remove(name);
      }
    }
    Lease current = leasesApi.withName(name).get();
    if (current == null) {
      Node node = client.nodes().withName(name).get();
      LeaseBuilder b = new LeaseBuilder().withNewMetadata().withName(name).withNamespace("kube-node-lease").endMetadata()
          .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(options.leaseDurationSeconds())
          .withRenewTime(java.time.ZonedDateTime.parse(renew)).endSpec();
      if (node != null) {
        b.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
            .withName(name).withUid(node.getMetadata().getUid()).build()).endMetadata();
      }
      lastLeases.put(name, leasesApi.resource(b.build()).create());
      return;
    }
    current.getSpec().setRenewTime(java.time.ZonedDateTime.parse(renew));
    lastLeases.put(name, leasesApi.resource(current).update());
  }

  private void handle(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (node == null || !names.contains(node)) return;
    boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
    boolean running = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    if (!deleting && running) return;
    writers.execute(() -> {
      try {
        if (deleting) {
          client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
              .withGracePeriod(0).delete();
        } else {
          start(pod, node);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 409) {
          logger.warn("hollow node {}: pod {}/{}: {}", node, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.toString());
        }
      }
    });
  }

  /** Running and Ready, with an IP: what a kubelet would report once every container started. */
  private void start(Pod pod, String node) {
    String ip = podIp(node);
    String t = now();
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
      if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) return p;
      List<PodCondition> conditions = new ArrayList<>();
      for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
        conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(t).build());
      }
      List<ContainerStatus> statuses = new ArrayList<>();
      p.getSpec().getContainers().forEach(c -> statuses.add(new ContainerStatusBuilder().withName(c.getName())
          .withImage(c.getImage()).withImageID("hollow://" + c.getImage()).withContainerID("hollow://" + p.getMetadata().getUid() + "/" + c.getName())
          .withReady(true).withStarted(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt(t).endRunning().endState()
          .build()));
      p.getStatus().setPhase("Running");
      p.getStatus().setConditions(conditions);
      p.getStatus().setContainerStatuses(statuses);
      p.getStatus().setHostIP(nodeAddress(node));
      p.getStatus().setPodIP(ip);
      p.getStatus().setPodIPs(List.of(new PodIPBuilder().withIp(ip).build()));
      p.getStatus().setStartTime(t);
      return p;
    });
  }

  /** An address from the node's podCIDR when IPAM gave it one, else from 10.(200+i/256).(i%256).0/24. */
  private String podIp(String node) {
    Node n = nodes.getStore().getByKey(node);
    String cidr = n == null || n.getSpec() == null ? null : n.getSpec().getPodCIDR();
    int host = nextIp.computeIfAbsent(node, k -> new AtomicInteger(1)).getAndIncrement() % 254 + 1;
    if (cidr != null && cidr.endsWith("/24")) {
      String base = cidr.substring(0, cidr.lastIndexOf('.'));
      return base + "." + host;
    }
    int i = nodeIndex.getOrDefault(node, 0);
    return "10." + (200 + i / 256) + "." + (i % 256) + "." + host;
  }

  /** Stops heartbeats and pod handling; the Nodes stay registered (their leases expire, as a dead node's do). */
  @Override
  public void close() {
    leases.shutdownNow();
    if (pods != null) pods.close();
    if (nodes != null) nodes.close();
    writers.shutdownNow();
  }
}
