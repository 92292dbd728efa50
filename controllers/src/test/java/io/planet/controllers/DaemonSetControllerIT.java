package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DaemonSetControllerIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  static TestCluster cluster;
  static KubernetesClient c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("daemonset");
    c = cluster.client;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void runsOnePodPerEligibleNodeFollowsNodesAndRollsOut() {
    String ns = cluster.namespace("ds");
    try (HollowNodes nodes = new HollowNodes(c, new HollowNodes.Options("node", 4, "4", "16Gi", 110, 40,
        Duration.ofSeconds(10))).start()) {
      // node-3 carries a taint the DaemonSet does not tolerate; cordoning node-1 does not matter to DaemonSets
      c.nodes().withName("node-3").edit(n -> {
        if (n.getSpec() == null) n.setSpec(new NodeSpec());
        n.getSpec().setTaints(List.of(new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build()));
        return n;
      });
      c.nodes().withName("node-1").edit(n -> {
        if (n.getSpec() == null) n.setSpec(new NodeSpec());
        n.getSpec().setUnschedulable(true);
        return n;
      });
      DaemonSet ds = c.apps().daemonSets().inNamespace(ns).resource(new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).endSpec().build()).create();

      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(nodesOf(ns)).containsExactlyInAnyOrder("node-0", "node-1", "node-2");
        DaemonSetStatus s = status(ns);
        assertThat(s.getDesiredNumberScheduled()).isEqualTo(3);
        assertThat(s.getCurrentNumberScheduled()).isEqualTo(3);
        assertThat(s.getNumberReady()).isEqualTo(3);
        assertThat(s.getNumberAvailable()).isEqualTo(3);
        assertThat(s.getUpdatedNumberScheduled()).isEqualTo(3);
        assertThat(s.getNumberMisscheduled()).isZero();
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
      });
      List<ControllerRevision> revisions = c.apps().controllerRevisions().inNamespace(ns).list().getItems();
      assertThat(revisions).hasSize(1);
      String hash = revisions.get(0).getMetadata().getLabels().get("controller-revision-hash");
      assertThat(revisions.get(0).getMetadata().getName()).isEqualTo("agent-" + hash);
      assertThat(revisions.get(0).getRevision()).isEqualTo(1L);
      for (Pod p : Fixtures.livePods(c, ns, "agent")) {
        assertThat(p.getMetadata().getName()).startsWith("agent-");
        assertThat(p.getMetadata().getLabels()).containsEntry("controller-revision-hash", hash);
        assertThat(Fixtures.controllerRef(p).getUid()).isEqualTo(ds.getMetadata().getUid());
        var term = p.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms().get(0).getMatchFields().get(0);
        assertThat(term.getKey()).isEqualTo("metadata.name");
        assertThat(term.getValues()).containsExactly(p.getSpec().getNodeName());
        assertThat(p.getSpec().getTolerations()).anySatisfy(t -> {
          assertThat(t.getKey()).isEqualTo("node.kubernetes.io/unschedulable");
          assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
      }

      // a node joins: it gets a pod; a node leaves: its pod goes
      try (HollowNodes extra = new HollowNodes(c, new HollowNodes.Options("extra", 1, "4", "16Gi", 110, 40,
          Duration.ofSeconds(10))).start()) {
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(nodesOf(ns)).containsExactlyInAnyOrder("node-0", "node-1", "node-2", "extra-0");
          assertThat(status(ns).getNumberReady()).isEqualTo(4);
        });
        c.nodes().withName("node-2").delete();
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(nodesOf(ns)).containsExactlyInAnyOrder("node-0", "node-1", "extra-0");
          assertThat(status(ns).getDesiredNumberScheduled()).isEqualTo(3);
        });

        // a new template rolls out node by node, and the history keeps both revisions
        c.apps().daemonSets().inNamespace(ns).withName("agent").edit(d -> {
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
          return d;
        });
        await().atMost(WAIT).untilAsserted(() -> {
          List<Pod> pods = Fixtures.livePods(c, ns, "agent");
          assertThat(pods).hasSize(3).allSatisfy(p -> {
            assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2");
            assertThat(p.getMetadata().getLabels().get("controller-revision-hash")).isNotEqualTo(hash);
          });
          DaemonSetStatus s = status(ns);
          assertThat(s.getObservedGeneration()).isEqualTo(2L);
          assertThat(s.getUpdatedNumberScheduled()).isEqualTo(3);
          assertThat(s.getNumberAvailable()).isEqualTo(3);
        });
        assertThat(c.apps().controllerRevisions().inNamespace(ns).list().getItems())
            .extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 2L);

        // a NoExecute taint the pod does not tolerate takes its pod away
        c.nodes().withName("extra-0").edit(n -> {
          if (n.getSpec() == null) n.setSpec(new NodeSpec());
          n.getSpec().setTaints(List.of(new TaintBuilder().withKey("maintenance").withEffect("NoExecute").build()));
          return n;
        });
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(nodesOf(ns)).containsExactlyInAnyOrder("node-0", "node-1");
          assertThat(status(ns).getDesiredNumberScheduled()).isEqualTo(2);
        });
        c.nodes().withName("extra-0").delete();
      }
    }
  }

  @Test
  void onDeleteReplacesOnlyPodsTheUserDeletes() {
    String ns = cluster.namespace("ds-ondelete");
    try (HollowNodes nodes = new HollowNodes(c, new HollowNodes.Options("ondel", 2, "4", "16Gi", 110, 40,
        Duration.ofSeconds(10))).start()) {
      // required node affinity keeps this DaemonSet to its own two nodes
      DaemonSet ds = new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().endSpec().build();
      ds.getSpec().getTemplate().getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchExpression()
          .withKey("kubernetes.io/hostname").withOperator("In").withValues("ondel-0", "ondel-1").endMatchExpression()
          .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
      c.apps().daemonSets().inNamespace(ns).resource(ds).create();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(nodesOf(ns)).containsExactlyInAnyOrder("ondel-0", "ondel-1");
        assertThat(status(ns).getNumberReady()).isEqualTo(2);
      });
      c.apps().daemonSets().inNamespace(ns).withName("agent").edit(d -> {
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        return d;
      });
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(status(ns).getObservedGeneration()).isEqualTo(2L);
        assertThat(status(ns).getUpdatedNumberScheduled()).isZero();
      });
      assertThat(Fixtures.livePods(c, ns, "agent")).allSatisfy(p ->
          assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx"));
      Pod victim = Fixtures.livePods(c, ns, "agent").stream()
          .filter(p -> p.getSpec().getNodeName().equals("ondel-1")).findFirst().get();
      c.pods().inNamespace(ns).withName(victim.getMetadata().getName()).delete();
      await().atMost(WAIT).untilAsserted(() -> {
        Map<String, String> images = Fixtures.livePods(c, ns, "agent").stream().collect(Collectors.toMap(
            p -> p.getSpec().getNodeName(), p -> p.getSpec().getContainers().get(0).getImage()));
        assertThat(images).containsExactlyInAnyOrderEntriesOf(Map.of("ondel-0", "nginx", "ondel-1", "nginx:2"));
        assertThat(status(ns).getUpdatedNumberScheduled()).isEqualTo(1);
      });
    } finally {
      // these nodes must not show up in the other test's DaemonSet
      c.nodes().withName("ondel-0").delete();
      c.nodes().withName("ondel-1").delete();
    }
  }

  @Test
  void adoptsMatchingOrphansAndReleasesNonMatchingPods() {
    String ns = cluster.namespace("ds-adopt");
    try (HollowNodes nodes = new HollowNodes(c, new HollowNodes.Options("adopt", 1, "4", "16Gi", 110, 40,
        Duration.ofSeconds(10))).start()) {
      DaemonSet ds = new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).endSpec().build();
      ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("kubernetes.io/hostname", "adopt-0"));
      String uid = c.apps().daemonSets().inNamespace(ns).resource(ds).create().getMetadata().getUid();
      await().atMost(WAIT).until(() -> status(ns).getNumberReady() != null && status(ns).getNumberReady() == 1);
      Pod pod = Fixtures.livePods(c, ns, "agent").get(0);
      String name = pod.getMetadata().getName();

      // orphaned: adopted again rather than replaced
      OwnerRefs.orphan(c, pod);
      await().atMost(WAIT).untilAsserted(() -> assertThat(OwnerRefs.controllerUid(c, ns, name)).isEqualTo(uid));
      assertThat(Fixtures.livePods(c, ns, "agent")).extracting(p -> p.getMetadata().getName()).containsExactly(name);

      // relabelled: released, and the node gets a new daemon pod
      OwnerRefs.relabel(c, pod);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(OwnerRefs.controllerOf(c, ns, name)).isNull();
        assertThat(Fixtures.livePods(c, ns, "agent")).hasSize(1)
            .allSatisfy(p -> assertThat(p.getMetadata().getName()).isNotEqualTo(name));
      });
    } finally {
      c.nodes().withName("adopt-0").delete();
    }
  }

  private static DaemonSetStatus status(String ns) {
    DaemonSetStatus s = c.apps().daemonSets().inNamespace(ns).withName("agent").get().getStatus();
    return s == null ? new DaemonSetStatus() : s;
  }

  private static List<String> nodesOf(String ns) {
    return Fixtures.livePods(c, ns, "agent").stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toList());
  }
}
