package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonPlacementTest {
  private static Node node(String name, Map<String, String> labels, String taintKey, String effect) {
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata();
    if (taintKey != null) b.withNewSpec().addToTaints(new TaintBuilder().withKey(taintKey).withEffect(effect).build()).endSpec();
    return b.build();
  }

  private static final PodSpec PLAIN = new PodSpecBuilder().addNewContainer().withName("c").withImage("i").endContainer().build();

  @Test
  void untoleratedTaintsKeepNewPodsOffAndNoExecuteEvictsRunningOnes() {
    assertThat(DaemonPlacement.verdict(PLAIN, node("a", Map.of(), null, null)))
        .isEqualTo(new DaemonPlacement.Verdict(true, true));
    assertThat(DaemonPlacement.verdict(PLAIN, node("a", Map.of(), "dedicated", "NoSchedule")))
        .isEqualTo(new DaemonPlacement.Verdict(false, true));
    assertThat(DaemonPlacement.verdict(PLAIN, node("a", Map.of(), "dedicated", "NoExecute")))
        .isEqualTo(new DaemonPlacement.Verdict(false, false));
    assertThat(DaemonPlacement.verdict(PLAIN, node("a", Map.of(), "dedicated", "PreferNoSchedule")).shouldRun()).isTrue();
    PodSpec tolerant = new PodSpecBuilder(PLAIN).addToTolerations(new TolerationBuilder().withKey("dedicated")
        .withOperator("Exists").build()).build();
    assertThat(DaemonPlacement.verdict(tolerant, node("a", Map.of(), "dedicated", "NoExecute")).shouldRun()).isTrue();
  }

  @Test
  void defaultTolerationsCoverNodeConditionsAndCordoning() {
    for (String[] t : new String[][] {{"node.kubernetes.io/not-ready", "NoExecute"}, {"node.kubernetes.io/unreachable", "NoExecute"},
        {"node.kubernetes.io/disk-pressure", "NoSchedule"}, {"node.kubernetes.io/memory-pressure", "NoSchedule"},
        {"node.kubernetes.io/pid-pressure", "NoSchedule"}, {"node.kubernetes.io/unschedulable", "NoSchedule"}}) {
      assertThat(DaemonPlacement.verdict(PLAIN, node("a", Map.of(), t[0], t[1])).shouldRun()).as(t[0]).isTrue();
    }
    assertThat(DaemonPlacement.withDefaultTolerations(null)).hasSize(6)
        .allSatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
  }

  @Test
  void nodeSelectorAndRequiredAffinityChooseNodes() {
    PodSpec selective = new PodSpecBuilder(PLAIN).withNodeSelector(Map.of("disk", "ssd")).build();
    assertThat(DaemonPlacement.verdict(selective, node("a", Map.of("disk", "ssd"), null, null)).shouldRun()).isTrue();
    assertThat(DaemonPlacement.verdict(selective, node("b", Map.of("disk", "hdd"), null, null)))
        .isEqualTo(new DaemonPlacement.Verdict(false, false));
    Affinity zoneA = new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm().addNewMatchExpression().withKey("zone").withOperator("In").withValues("a").endMatchExpression()
        .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    PodSpec affine = new PodSpecBuilder(PLAIN).withAffinity(zoneA).build();
    assertThat(DaemonPlacement.verdict(affine, node("a", Map.of("zone", "a"), null, null)).shouldRun()).isTrue();
    assertThat(DaemonPlacement.verdict(affine, node("b", Map.of("zone", "b"), null, null)).shouldRun()).isFalse();
  }

  @Test
  void podsArePinnedToTheirNodeByMatchFields() {
    Affinity own = new AffinityBuilder().withNewNodeAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(1).withNewPreference().addNewMatchExpression().withKey("zone").withOperator("Exists").endMatchExpression()
        .endPreference().endPreferredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    Affinity pinned = DaemonPlacement.pinnedTo(own, "n1");
    assertThat(pinned.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
    var terms = pinned.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    assertThat(terms).hasSize(1);
    assertThat(terms.get(0).getMatchFields().get(0).getKey()).isEqualTo("metadata.name");
    assertThat(terms.get(0).getMatchFields().get(0).getValues()).containsExactly("n1");
    var pod = new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withSpec(new PodSpecBuilder(PLAIN).withAffinity(pinned).build()).build();
    assertThat(DaemonPlacement.targetNode(pod)).isEqualTo("n1");
    assertThat(DaemonPlacement.verdict(new PodSpecBuilder(PLAIN).withAffinity(pinned).build(), node("n2", Map.of(), null, null))
        .shouldRun()).isFalse();
  }
}
