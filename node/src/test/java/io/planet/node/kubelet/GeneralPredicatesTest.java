package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The kubelet's admission checks, with upstream's reasons and messages. */
class GeneralPredicatesTest {
  static Node node(Map<String, String> allocatable) {
    Map<String, Quantity> q = new LinkedHashMap<>();
    allocatable.forEach((k, v) -> q.put(k, new Quantity(v)));
    return new NodeBuilder().withNewMetadata().withName("n1").withLabels(Map.of("kubernetes.io/hostname", "n1", "disk", "hdd"))
        .endMetadata().withNewStatus().withAllocatable(q).endStatus().build();
  }

  static Node node() {
    return node(Map.of("cpu", "2", "memory", "4Gi", "pods", "110", "ephemeral-storage", "10Gi"));
  }

  static PodBuilder pod(String name, Map<String, String> requests) {
    Map<String, Quantity> q = new LinkedHashMap<>();
    requests.forEach((k, v) -> q.put(k, new Quantity(v)));
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name).endMetadata()
        .withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("busybox").withNewResources()
        .withRequests(q).endResources().endContainer().endSpec();
  }

  @Test
  void cpuAboveWhatIsLeftIsOutOfcpuWithUpstreamsMessage() {
    Pod running = pod("a", Map.of("cpu", "100m")).build();
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod("b", Map.of("cpu", "4")).build(), node(), List.of(running));
    assertThat(r.reason()).isEqualTo("OutOfcpu");
    assertThat(r.message()).isEqualTo("Node didn't have enough resource: cpu, requested: 4000, used: 100, capacity: 2000");
  }

  @Test
  void fitsExactlyThenNotAtAll() {
    Pod half = pod("a", Map.of("cpu", "1", "memory", "2Gi")).build();
    assertThat(GeneralPredicates.check(pod("b", Map.of("cpu", "1", "memory", "2Gi")).build(), node(), List.of(half))).isNull();
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod("c", Map.of("memory", "3Gi")).build(), node(), List.of(half));
    assertThat(r.reason()).isEqualTo("OutOfmemory");
    assertThat(r.message()).isEqualTo("Node didn't have enough resource: memory, requested: 3221225472, used: 2147483648, "
        + "capacity: 4294967296");
  }

  @Test
  void podCountComesFirst() {
    Node small = node(Map.of("cpu", "2", "pods", "1"));
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod("b", Map.of("cpu", "4")).build(), small,
        List.of(pod("a", Map.of()).build()));
    assertThat(r.reason()).isEqualTo("OutOfpods");
    assertThat(r.message()).isEqualTo("Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1");
  }

  @Test
  void ephemeralStorageAndExtendedResources() {
    Node gpu = node(Map.of("cpu", "2", "pods", "110", "ephemeral-storage", "1Gi", "example.com/gpu", "1"));
    assertThat(GeneralPredicates.check(pod("a", Map.of("ephemeral-storage", "2Gi")).build(), gpu, List.of()).reason())
        .isEqualTo("OutOfephemeral-storage");
    assertThat(GeneralPredicates.check(pod("b", Map.of("example.com/gpu", "2")).build(), gpu, List.of()).message())
        .isEqualTo("Node didn't have enough resource: example.com/gpu, requested: 2, used: 0, capacity: 1");
    // an extended resource the node does not know at all is not counted (a cluster-level one, upstream says)
    assertThat(GeneralPredicates.check(pod("c", Map.of("other.io/thing", "5")).build(), gpu, List.of())).isNull();
    // hugepages the node has none of do not fit
    assertThat(GeneralPredicates.check(pod("d", Map.of("hugepages-2Mi", "4Mi")).build(), gpu, List.of()).reason())
        .isEqualTo("OutOfhugepages-2Mi");
  }

  @Test
  void initContainersCountAsUpstreamsResourceHelper() {
    // app 500m; a regular init container of 1500m runs alone: the pod needs max(500, 1500) = 1500m
    Pod pod = pod("a", Map.of("cpu", "500m")).editSpec().addNewInitContainer().withName("i").withImage("busybox")
        .withNewResources().withRequests(Map.of("cpu", new Quantity("1500m"))).endResources().endInitContainer().endSpec().build();
    assertThat(PodRequests.of(pod)).containsEntry("cpu", 1500L);
    // a sidecar (restartable init container) of 200m runs beside everything after it: 500 + 200 = 700, or 1500 + 200
    Pod sidecar = pod("b", Map.of("cpu", "500m")).editSpec()
        .addNewInitContainer().withName("s").withImage("busybox").withRestartPolicy("Always").withNewResources()
        .withRequests(Map.of("cpu", new Quantity("200m"))).endResources().endInitContainer()
        .addNewInitContainer().withName("i").withImage("busybox").withNewResources()
        .withRequests(Map.of("cpu", new Quantity("1500m"))).endResources().endInitContainer()
        .withOverhead(Map.of("cpu", new Quantity("10m"))).endSpec().build();
    assertThat(PodRequests.of(sidecar)).containsEntry("cpu", 1710L);
  }

  @Test
  void hostPortsClashByIpAndProtocol() {
    Pod web = withPort(pod("a", Map.of()), 8080, null, null);
    GeneralPredicates.Rejection r = GeneralPredicates.check(withPort(pod("b", Map.of()), 8080, null, null), node(), List.of(web));
    assertThat(r.reason()).isEqualTo("NodePorts");
    assertThat(r.message()).isEqualTo("Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    // another protocol, or two distinct IPs, do not clash; 0.0.0.0 clashes with any IP
    assertThat(GeneralPredicates.check(withPort(pod("c", Map.of()), 8080, null, "UDP"), node(), List.of(web))).isNull();
    Pod onIp = withPort(pod("d", Map.of()), 9090, "10.0.0.1", null);
    assertThat(GeneralPredicates.check(withPort(pod("e", Map.of()), 9090, "10.0.0.2", null), node(), List.of(onIp))).isNull();
    assertThat(GeneralPredicates.check(withPort(pod("f", Map.of()), 9090, null, null), node(), List.of(onIp))).isNotNull();
  }

  static Pod withPort(PodBuilder b, int port, String ip, String protocol) {
    return b.editSpec().editFirstContainer().addToPorts(new ContainerPortBuilder().withContainerPort(80).withHostPort(port)
        .withHostIP(ip).withProtocol(protocol).build()).endContainer().endSpec().build();
  }

  @Test
  void nodeSelectorAndRequiredAffinity() {
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod("a", Map.of()).editSpec().withNodeSelector(Map.of("disk", "ssd"))
        .endSpec().build(), node(), List.of());
    assertThat(r.reason()).isEqualTo("NodeAffinity");
    assertThat(r.message()).isEqualTo("Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
    assertThat(GeneralPredicates.check(pod("b", Map.of()).editSpec().withNodeSelector(Map.of("disk", "hdd")).endSpec().build(),
        node(), List.of())).isNull();
    Pod affinity = pod("c", Map.of()).editSpec().withNewAffinity().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm().addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey("disk").withOperator("In")
            .withValues("ssd").build()).endNodeSelectorTerm()
        .addNewNodeSelectorTerm().addToMatchFields(new NodeSelectorRequirementBuilder().withKey("metadata.name")
            .withOperator("In").withValues("n1").build()).endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
    assertThat(GeneralPredicates.check(affinity, node(), List.of())).isNull();
  }

  @Test
  void onlyNoExecuteTaintsAndNotForStaticPods() {
    Node tainted = node();
    tainted.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
    tainted.getSpec().setTaints(List.of(new TaintBuilder().withKey("k").withValue("v").withEffect("NoSchedule").build()));
    assertThat(GeneralPredicates.check(pod("a", Map.of()).build(), tainted, List.of())).isNull();
    tainted.getSpec().setTaints(List.of(new TaintBuilder().withKey("k").withValue("v").withEffect("NoExecute").build()));
    GeneralPredicates.Rejection r = GeneralPredicates.check(pod("b", Map.of()).build(), tainted, List.of());
    assertThat(r.reason()).isEqualTo("TaintToleration");
    assertThat(r.message()).isEqualTo("Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate");
    assertThat(GeneralPredicates.check(pod("c", Map.of()).editSpec().addToTolerations(new TolerationBuilder().withKey("k")
        .withOperator("Exists").build()).endSpec().build(), tainted, List.of())).isNull();
    assertThat(GeneralPredicates.check(pod("d", Map.of()).editMetadata()
        .addToAnnotations("kubernetes.io/config.mirror", "x").endMetadata().build(), tainted, List.of())).isNull();
  }

  @Test
  void podOsMustBeLinux() {
    assertThat(GeneralPredicates.check(pod("a", Map.of()).editSpec().withNewOs("windows").endSpec().build(), node(), List.of())
        .reason()).isEqualTo("PodOSNotSupported");
  }

  @Test
  void admissionCountsAdmittedPodsUntilForgotten() {
    AtomicReference<Node> n = new AtomicReference<>(node());
    PodAdmission admission = new PodAdmission(n::get);
    assertThat(admission.admit(pod("a", Map.of("cpu", "1500m")).build())).isNull();
    assertThat(admission.admit(pod("b", Map.of("cpu", "1")).build()).reason()).isEqualTo("OutOfcpu");
    admission.forget("uid-a");
    assertThat(admission.admit(pod("b", Map.of("cpu", "1")).build())).isNull();
    // a started pod (an earlier agent ran it) is admitted whatever it asks for, and counts
    Pod started = pod("c", Map.of("cpu", "8")).withNewStatus().withPhase("Running").withStartTime("2024-01-01T00:00:00Z")
        .endStatus().build();
    assertThat(admission.admit(started)).isNull();
    assertThat(admission.admit(pod("d", Map.of("cpu", "100m")).build()).message())
        .isEqualTo("Node didn't have enough resource: cpu, requested: 100, used: 9000, capacity: 2000");
  }

  @Test
  void rejectedStatusIsUpstreams() {
    Pod p = pod("a", Map.of()).withNewStatus().withPhase("Pending").withQosClass("BestEffort")
        .addNewCondition().withType("PodScheduled").withStatus("True").endCondition().endStatus().build();
    var s = PodAdmission.rejectedStatus(p, new GeneralPredicates.Rejection("OutOfcpu", "Node didn't have enough resource: cpu, "
        + "requested: 4000, used: 0, capacity: 2000"), Instant.parse("2024-05-01T10:00:00.5Z"));
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(s.getReason()).isEqualTo("OutOfcpu");
    assertThat(s.getMessage()).isEqualTo("Pod was rejected: Node didn't have enough resource: cpu, requested: 4000, used: 0, "
        + "capacity: 2000");
    assertThat(s.getQosClass()).isEqualTo("BestEffort");
    assertThat(s.getStartTime()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(s.getConditions()).extracting("type").containsExactly("PodScheduled");
  }

  @Test
  void additionsInCreationOrderStartedFirst() {
    Pod older = pod("old", Map.of()).editMetadata().withCreationTimestamp("2024-01-01T00:00:00Z").endMetadata().build();
    Pod newer = pod("new", Map.of()).editMetadata().withCreationTimestamp("2024-01-02T00:00:00Z").endMetadata().build();
    Pod running = pod("run", Map.of()).editMetadata().withCreationTimestamp("2024-01-03T00:00:00Z").endMetadata()
        .withNewStatus().withPhase("Running").withStartTime("2024-01-03T00:00:01Z").endStatus().build();
    List<Pod> pods = new java.util.ArrayList<>(List.of(newer, running, older));
    pods.sort(PodAdmission.ADDITION_ORDER);
    assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("run", "old", "new");
  }
}
