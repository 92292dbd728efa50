package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.bound;
import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.ownedBy;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream's PodTopologySpread examples: two zones, two nodes each. */
class PodTopologySpreadTest {
  private static final String ZONE = "topology.kubernetes.io/zone";
  private static final String HOST = "kubernetes.io/hostname";
  private final ClusterCache cache = new ClusterCache();
  private int seq;

  private void zones(String... nodeZone) {
    for (int i = 0; i < nodeZone.length; i += 2) cache.addOrUpdateNode(zoned(nodeZone[i], nodeZone[i + 1]));
  }

  static Node zoned(String name, String zone) {
    NodeBuilder b = new NodeBuilder(node(name, "32", "64Gi", 110));
    if (zone != null) b.editMetadata().addToLabels(ZONE, zone).endMetadata();
    return b.build();
  }

  /** Places existing pods labelled foo="" on the named nodes. */
  private void foo(String... nodes) {
    for (String n : nodes) {
      cache.addOrUpdatePod(bound(pod("p" + seq++, null, null).editMetadata().addToLabels("foo", "").endMetadata().build(), n));
    }
  }

  static TopologySpreadConstraint constraint(int maxSkew, String key, String when) {
    return new TopologySpreadConstraintBuilder().withMaxSkew(maxSkew).withTopologyKey(key).withWhenUnsatisfiable(when)
        .withLabelSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("foo").withOperator("Exists")
            .endMatchExpression().build()).build();
  }

  private static Pod incoming(TopologySpreadConstraint... cs) {
    return pod("incoming", null, null).editMetadata().addToLabels("foo", "").endMetadata().editSpec()
        .withTopologySpreadConstraints(cs).endSpec().build();
  }

  /** The filter's verdict per node: "" when it fits. */
  private Map<String, String> filter(Pod pod) {
    return cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(pod);
      PodTopologySpread.prepare(ctx, s);
      Map<String, String> out = new LinkedHashMap<>();
      for (NodeInfo n : s.nodes()) out.put(n.name(), String.join(",", new PodTopologySpread().filter(ctx, n)));
      return out;
    });
  }

  private Map<String, Long> score(Pod pod) {
    return cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(pod);
      ctx.snapshot = s;
      List<NodeInfo> nodes = s.nodes();
      long[] scores = new PodTopologySpread().score(ctx, nodes);
      Map<String, Long> out = new LinkedHashMap<>();
      for (int i = 0; i < scores.length; i++) out.put(nodes.get(i).name(), scores[i]);
      return out;
    });
  }

  @Test
  void zoneSkewOverMaxSkewRejectsTheCrowdedZone() {
    zones("node-a", "zone1", "node-b", "zone1", "node-x", "zone2", "node-y", "zone2");
    foo("node-a", "node-a", "node-b", "node-x");
    assertThat(filter(incoming(constraint(1, ZONE, "DoNotSchedule")))).containsExactly(
        Map.entry("node-a", PodTopologySpread.REASON), Map.entry("node-b", PodTopologySpread.REASON),
        Map.entry("node-x", ""), Map.entry("node-y", ""));
  }

  @Test
  void zoneAndHostnameConstraintsMustBothHold() {
    zones("node-a", "zone1", "node-b", "zone1", "node-x", "zone2", "node-y", "zone2");
    foo("node-a", "node-a", "node-b", "node-x");
    Map<String, String> r = filter(incoming(constraint(1, ZONE, "DoNotSchedule"), constraint(1, HOST, "DoNotSchedule")));
    assertThat(r).containsEntry("node-y", "").containsEntry("node-x", PodTopologySpread.REASON)
        .containsEntry("node-a", PodTopologySpread.REASON);
  }

  @Test
  void aNodeWithoutTheTopologyKeyIsRejected() {
    zones("node-a", "zone1", "bare", null);
    assertThat(filter(incoming(constraint(1, ZONE, "DoNotSchedule"))))
        .containsEntry("node-a", "").containsEntry("bare", PodTopologySpread.MISSING_LABEL_REASON);
  }

  @Test
  void fewerDomainsThanMinDomainsMeasureFromZero() {
    zones("node-a", "zone1", "node-x", "zone2");
    foo("node-a", "node-x");
    TopologySpreadConstraint c = new TopologySpreadConstraintBuilder(constraint(1, ZONE, "DoNotSchedule"))
        .withMinDomains(3).build();
    // 1 + 1 - 0 > 1 everywhere: the pod waits for a third zone
    assertThat(filter(incoming(c)).values()).containsOnly(PodTopologySpread.REASON);
    assertThat(filter(incoming(constraint(1, ZONE, "DoNotSchedule"))).values()).containsOnly("");
  }

  @Test
  void nodeAffinityPolicyDecidesWhichDomainsCount() {
    zones("node-a", "zone1", "node-x", "zone2");
    foo("node-a");
    PodBuilder onlyZone1 = new PodBuilder(incoming(constraint(1, ZONE, "DoNotSchedule"))).editSpec()
        .withNodeSelector(Map.of(ZONE, "zone1")).endSpec();
    // Honor (the default): zone2 is not eligible, so zone1's own count is the minimum
    assertThat(filter(onlyZone1.build())).containsEntry("node-a", "");
    TopologySpreadConstraint ignore = new TopologySpreadConstraintBuilder(constraint(1, ZONE, "DoNotSchedule"))
        .withNodeAffinityPolicy("Ignore").build();
    Pod ignoring = new PodBuilder(onlyZone1.build()).editSpec().withTopologySpreadConstraints(ignore).endSpec().build();
    assertThat(filter(ignoring)).containsEntry("node-a", PodTopologySpread.REASON);
  }

  @Test
  void nodeTaintsPolicyHonorLeavesOutUntoleratedNodes() {
    zones("node-a", "zone1");
    cache.addOrUpdateNode(new NodeBuilder(zoned("node-x", "zone2")).editOrNewSpec().addNewTaint().withKey("k")
        .withEffect("NoSchedule").endTaint().endSpec().build());
    foo("node-a");
    assertThat(filter(incoming(constraint(1, ZONE, "DoNotSchedule")))).containsEntry("node-a", PodTopologySpread.REASON);
    TopologySpreadConstraint honor = new TopologySpreadConstraintBuilder(constraint(1, ZONE, "DoNotSchedule"))
        .withNodeTaintsPolicy("Honor").build();
    assertThat(filter(incoming(honor))).containsEntry("node-a", "");
  }

  @Test
  void matchLabelKeysCountOnlyTheSameRevision() {
    zones("node-a", "zone1", "node-x", "zone2");
    for (int i = 0; i < 2; i++) {
      cache.addOrUpdatePod(bound(pod("old" + i, null, null).editMetadata().addToLabels("foo", "")
          .addToLabels("pod-template-hash", "v1").endMetadata().build(), "node-a"));
    }
    TopologySpreadConstraint c = new TopologySpreadConstraintBuilder(constraint(1, ZONE, "DoNotSchedule"))
        .withMatchLabelKeys("pod-template-hash").build();
    Pod v2 = new PodBuilder(incoming(c)).editMetadata().addToLabels("pod-template-hash", "v2").endMetadata().build();
    assertThat(filter(v2).values()).containsOnly("");
    assertThat(filter(incoming(constraint(1, ZONE, "DoNotSchedule")))).containsEntry("node-a", PodTopologySpread.REASON);
  }

  @Test
  void podsOfOtherNamespacesAndTerminatingPodsDoNotCount() {
    zones("node-a", "zone1", "node-x", "zone2");
    cache.addOrUpdatePod(bound(pod("elsewhere", null, null).editMetadata().withNamespace("other").addToLabels("foo", "")
        .endMetadata().build(), "node-a"));
    cache.addOrUpdatePod(bound(pod("leaving", null, null).editMetadata().addToLabels("foo", "")
        .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build(), "node-a"));
    assertThat(filter(incoming(constraint(0 + 1, ZONE, "DoNotSchedule"))).values()).containsOnly("");
  }

  @Test
  void scheduleAnywayPrefersTheEmptierDomains() {
    zones("node-a", "zone1", "node-b", "zone1", "node-x", "zone2");
    foo("node-a", "node-a", "node-b");
    Map<String, Long> s = score(incoming(constraint(1, ZONE, "ScheduleAnyway")));
    assertThat(s.get("node-x")).isEqualTo(100);
    assertThat(s.get("node-a")).isEqualTo(s.get("node-b")).isLessThan(100);
  }

  @Test
  void systemDefaultsSpreadAControllersPodsOverHostsAndZones() {
    zones("a1", "zone-a", "a2", "zone-a", "b1", "zone-b");
    cache.addOrUpdatePod(bound(ownedBy(pod("r0", null, null), "rs-uid").build(), "a1"));
    Map<String, Long> s = score(ownedBy(pod("r1", null, null), "rs-uid").build());
    // hostname weight ln 5, zone weight ln 4; maxSkew 3 and 5 add 2 and 4: a1 9, a2 7, b1 6
    assertThat(s).containsExactly(Map.entry("a1", 66L), Map.entry("a2", 88L), Map.entry("b1", 100L));
    // pods without a spreading owner (here a Job) get no default constraints
    Pod job = new PodBuilder(ownedBy(pod("j", null, null), "rs-uid").build()).editMetadata().editFirstOwnerReference()
        .withKind("Job").endOwnerReference().endMetadata().build();
    assertThat(score(job).values()).containsOnly(0L);
  }

  @Test
  void systemDefaultsStillSpreadOverHostsWithoutZones() {
    zones("n1", null, "n2", null);
    cache.addOrUpdatePod(bound(ownedBy(pod("r0", null, null), "rs-uid").build(), "n1"));
    Map<String, Long> s = score(ownedBy(pod("r1", null, null), "rs-uid").build());
    assertThat(s.get("n2")).isEqualTo(100);
    assertThat(s.get("n1")).isLessThan(100);
  }

  @Test
  void explicitSoftConstraintsIgnoreNodesWithoutTheKey() {
    zones("node-a", "zone1", "bare", null);
    Map<String, Long> s = score(incoming(constraint(1, ZONE, "ScheduleAnyway")));
    assertThat(s).containsEntry("bare", 0L).containsEntry("node-a", 100L);
  }
}
