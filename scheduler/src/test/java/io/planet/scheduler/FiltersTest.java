package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.bound;
import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiltersTest {
  private static NodeInfo info(Node node, Pod... pods) {
    NodeInfo n = new NodeInfo(node);
    for (Pod p : pods) n.addPod(bound(p, node.getMetadata().getName()));
    return n;
  }

  private static List<String> run(FilterPlugin f, Pod pod, NodeInfo node) {
    return f.filter(new PodContext(pod), node);
  }

  @Test
  void requestsCountTheLargestInitContainerAndTheOverhead() {
    Pod pod = pod("p", "200m", "100Mi").editSpec()
        .addNewInitContainer().withName("init").withNewResources().addToRequests("cpu", new Quantity("500m")).endResources()
        .endInitContainer()
        .addToOverhead("cpu", new Quantity("50m")).endSpec().build();
    Resources r = Resources.requests(pod);
    assertThat(r.milliCpu()).isEqualTo(550);
    assertThat(r.memory()).isEqualTo(100L * 1024 * 1024);
    assertThat(r.pods()).isEqualTo(1);
  }

  @Test
  void podsWithoutRequestsScoreAsUpstreamDefaults() {
    Resources r = Resources.nonZeroRequests(pod("p", null, null).build());
    assertThat(r.milliCpu()).isEqualTo(100);
    assertThat(r.memory()).isEqualTo(200L * 1024 * 1024);
  }

  @Test
  void resourcesFitNamesEachInsufficientResource() {
    NodeInfo n = info(node("n1", "1", "1Gi", 2), pod("a", "800m", "512Mi").build());
    assertThat(run(new NodeResourcesFit(), pod("p", "300m", "100Mi").build(), n)).containsExactly("Insufficient cpu");
    assertThat(run(new NodeResourcesFit(), pod("p", "300m", "600Mi").build(), n))
        .containsExactly("Insufficient cpu", "Insufficient memory");
    assertThat(run(new NodeResourcesFit(), pod("p", "100m", "100Mi").build(), n)).isEmpty();
    NodeInfo full = info(node("n2", "4", "4Gi", 1), pod("a", null, null).build());
    assertThat(run(new NodeResourcesFit(), pod("p", null, null).build(), full)).containsExactly("Too many pods");
  }

  @Test
  void removedPodsGiveTheirResourcesBack() {
    NodeInfo n = info(node("n1", "1", "1Gi", 10), pod("a", "800m", "512Mi").build());
    n.removePod("default/a");
    assertThat(n.requested()).isEqualTo(Resources.ZERO);
    assertThat(run(new NodeResourcesFit(), pod("p", "900m", "100Mi").build(), n)).isEmpty();
  }

  @Test
  void nodeSelectorAndRequiredAffinity() {
    Node node = new NodeBuilder(node("n1", "1", "1Gi", 10)).editMetadata().addToLabels("disk", "ssd")
        .addToLabels("gen", "5").endMetadata().build();
    NodeInfo n = info(node);
    NodeAffinity f = new NodeAffinity();
    assertThat(run(f, pod("p", null, null).editSpec().withNodeSelector(Map.of("disk", "ssd")).endSpec().build(), n)).isEmpty();
    assertThat(run(f, pod("p", null, null).editSpec().withNodeSelector(Map.of("disk", "hdd")).endSpec().build(), n))
        .containsExactly("node(s) didn't match Pod's node affinity/selector");
    assertThat(run(f, affinity("gen", "Gt", "4"), n)).isEmpty();
    assertThat(run(f, affinity("gen", "Lt", "4"), n)).hasSize(1);
    assertThat(run(f, affinity("disk", "NotIn", "ssd"), n)).hasSize(1);
    assertThat(run(f, affinity("zone", "DoesNotExist", null), n)).isEmpty();
    assertThat(run(f, affinity("disk", "Exists", null), n)).isEmpty();
    Pod byName = pod("p", null, null).editSpec().withNewAffinity().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchField()
        .withKey("metadata.name").withOperator("In").withValues("n2").endMatchField().endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
    assertThat(run(f, byName, n)).hasSize(1);
  }

  private static Pod affinity(String key, String op, String value) {
    return pod("p", null, null).editSpec().withNewAffinity().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchExpression()
        .withKey(key).withOperator(op).withValues(value == null ? List.of() : List.of(value)).endMatchExpression()
        .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
        .endSpec().build();
  }

  @Test
  void untoleratedTaintsAreNamed() {
    Node node = new NodeBuilder(node("n1", "1", "1Gi", 10)).editOrNewSpec().addNewTaint().withKey("dedicated")
        .withValue("gpu").withEffect("NoSchedule").endTaint().endSpec().build();
    NodeInfo n = info(node);
    TaintToleration f = new TaintToleration();
    assertThat(run(f, pod("p", null, null).build(), n)).containsExactly("node(s) had untolerated taint {dedicated: gpu}");
    Pod equal = pod("p", null, null).editSpec().addNewToleration().withKey("dedicated").withValue("gpu")
        .withEffect("NoSchedule").endToleration().endSpec().build();
    assertThat(run(f, equal, n)).isEmpty();
    Pod exists = pod("p", null, null).editSpec().addNewToleration().withOperator("Exists").endToleration().endSpec().build();
    assertThat(run(f, exists, n)).isEmpty();
    Pod wrongValue = pod("p", null, null).editSpec().addNewToleration().withKey("dedicated").withValue("cpu")
        .endToleration().endSpec().build();
    assertThat(run(f, wrongValue, n)).hasSize(1);
  }

  @Test
  void cordonedNodesTakeOnlyTolerantPods() {
    NodeInfo n = info(new NodeBuilder(node("n1", "1", "1Gi", 10)).editOrNewSpec().withUnschedulable(true).endSpec().build());
    assertThat(run(new NodeUnschedulable(), pod("p", null, null).build(), n)).containsExactly("node(s) were unschedulable");
    Pod tolerant = pod("p", null, null).editSpec().addNewToleration().withKey("node.kubernetes.io/unschedulable")
        .withOperator("Exists").withEffect("NoSchedule").endToleration().endSpec().build();
    assertThat(run(new NodeUnschedulable(), tolerant, n)).isEmpty();
  }

  @Test
  void hostPortsConflict() {
    Pod web = withPort(pod("a", null, null), 8080, null);
    NodeInfo n = info(node("n1", "1", "1Gi", 10), web);
    assertThat(run(new NodePorts(), withPort(pod("p", null, null), 8080, null), n))
        .containsExactly("node(s) didn't have free ports for the requested pod ports");
    assertThat(run(new NodePorts(), withPort(pod("p", null, null), 8080, "10.0.0.1"), n)).hasSize(1);
    assertThat(run(new NodePorts(), withPort(pod("p", null, null), 8081, null), n)).isEmpty();
  }

  private static Pod withPort(PodBuilder b, int port, String ip) {
    return b.editSpec().editFirstContainer().addNewPort().withContainerPort(80).withHostPort(port).withHostIP(ip)
        .endPort().endContainer().endSpec().build();
  }

  @Test
  void requiredAntiAffinityKeepsMatchingPodsOffTheSameHost() {
    Pod web = antiAffine(pod("web-1", null, null).editMetadata().addToLabels("app", "web").endMetadata());
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "1", "1Gi", 10));
    cache.addOrUpdateNode(node("n2", "1", "1Gi", 10));
    cache.addOrUpdatePod(bound(web, "n1"));
    Pod web2 = antiAffine(pod("web-2", null, null).editMetadata().addToLabels("app", "web").endMetadata());
    List<List<String>> results = cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(web2);
      InterPodAffinity.prepare(ctx, s);
      return List.of(new InterPodAffinity().filter(ctx, s.node("n1")), new InterPodAffinity().filter(ctx, s.node("n2")));
    });
    assertThat(results.get(0)).containsExactly("node(s) didn't satisfy existing pods anti-affinity rules");
    assertThat(results.get(1)).isEmpty();
    // a pod without anti-affinity of its own, that the existing pod's term selects
    Pod plain = pod("plain", null, null).editMetadata().addToLabels("app", "web").endMetadata().build();
    List<String> r = cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(plain);
      InterPodAffinity.prepare(ctx, s);
      return new InterPodAffinity().filter(ctx, s.node("n1"));
    });
    assertThat(r).hasSize(1);
  }

  @Test
  void ownAntiAffinityTermsAreChecked() {
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "1", "1Gi", 10));
    cache.addOrUpdatePod(bound(pod("db", null, null).editMetadata().addToLabels("app", "web").endMetadata().build(), "n1"));
    Pod web = antiAffine(pod("web", null, null));
    List<String> r = cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(web);
      InterPodAffinity.prepare(ctx, s);
      return new InterPodAffinity().filter(ctx, s.node("n1"));
    });
    assertThat(r).containsExactly("node(s) didn't match pod anti-affinity rules");
  }

  private static Pod antiAffine(PodBuilder b) {
    return b.editSpec().withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector().addToMatchLabels("app", "web").endLabelSelector()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
  }

  @Test
  void fitErrorSummarizesReasonsLikeUpstream() {
    FitError e = new FitError(3, Map.of("node(s) didn't match Pod's node affinity/selector", 2, "Insufficient cpu", 1));
    assertThat(e.message())
        .isEqualTo("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
    assertThat(new FitError(3, Map.of("Insufficient cpu", 3)).message()).isEqualTo("0/3 nodes are available: 3 Insufficient cpu.");
    assertThat(new FitError(0, Map.of()).message()).isEqualTo("no nodes available to schedule pods");
  }

  @Test
  void onlyUngatedPendingPodsOfTheDefaultSchedulerAreQueued() {
    assertThat(Pods.needsScheduling(pod("p", null, null).build())).isTrue();
    assertThat(Pods.needsScheduling(bound(pod("p", null, null).build(), "n1"))).isFalse();
    assertThat(Pods.needsScheduling(pod("p", null, null).editSpec().withSchedulerName("other").endSpec().build())).isFalse();
    assertThat(Pods.needsScheduling(pod("p", null, null).editSpec().addNewSchedulingGate().withName("wait").endSchedulingGate()
        .endSpec().build())).isFalse();
    assertThat(Pods.needsScheduling(pod("p", null, null).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
        .endMetadata().build())).isFalse();
  }
}
