package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.planet.controllers.hollow.HollowNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
      patchNode("node-3", "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}]}}");
      patchNode("node-1", "{\"spec\":{\"unschedulable\":true}}");
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
        assertThat(Fixtures.described(Fixtures.events(c, ns, "DaemonSet", "agent")))
            .filteredOn(e -> e.startsWith("SuccessfulCreate: Created pod: agent-")).hasSize(3);
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
        c.apps().daemonSets().inNamespace(ns).withName("agent").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), NEW_IMAGE);
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
        patchNode("extra-0", "{\"spec\":{\"taints\":[{\"key\":\"maintenance\",\"effect\":\"NoExecute\"}]}}");
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
      c.apps().daemonSets().inNamespace(ns).withName("agent").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), NEW_IMAGE);
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

  @Test
  void surgesANewPodOntoEachNodeBeforeDeletingTheOldOne() throws Exception {
    String ns = cluster.namespace("ds-surge");
    try (HollowNodes nodes = new HollowNodes(c, new HollowNodes.Options("surge", 2, "4", "16Gi", 110, 40,
        Duration.ofSeconds(10))).start()) {
      DaemonSet ds = new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
          .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endUpdateStrategy()
          .endSpec().build();
      ds.getSpec().getTemplate().getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchExpression()
          .withKey("kubernetes.io/hostname").withOperator("In").withValues("surge-0", "surge-1").endMatchExpression()
          .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
      c.apps().daemonSets().inNamespace(ns).resource(ds).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(status(ns).getNumberAvailable()).isEqualTo(2));

      // follow every pod change: an old pod may only go once a new, ready pod is on its node,
      // and at most one node (maxSurge) runs two pods at a time
      Map<String, Pod> live = new ConcurrentHashMap<>();
      List<String> violations = new CopyOnWriteArrayList<>();
      try (Watch w = c.pods().inNamespace(ns).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, Pod p) {
          boolean gone = action == Action.DELETED || p.getMetadata().getDeletionTimestamp() != null;
          if (gone && isOld(p) && live.containsKey(p.getMetadata().getName())) {
            boolean replaced = live.values().stream().anyMatch(n -> !isOld(n) && PodStatus.ready(n)
                && n.getSpec().getNodeName().equals(p.getSpec().getNodeName()));
            if (!replaced) violations.add("old pod " + p.getMetadata().getName() + " went before its replacement was ready");
          }
          if (gone) live.remove(p.getMetadata().getName());
          else live.put(p.getMetadata().getName(), p);
          long doubled = live.values().stream().collect(Collectors.groupingBy(x -> x.getSpec().getNodeName(),
              Collectors.counting())).values().stream().filter(n -> n > 1).count();
          if (doubled > 1) violations.add(doubled + " nodes with two pods");
        }

        @Override
        public void onClose(WatcherException cause) {}
      })) {
        await().atMost(WAIT).until(() -> live.size() == 2);
        c.apps().daemonSets().inNamespace(ns).withName("agent").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), NEW_IMAGE);
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(Fixtures.livePods(c, ns, "agent")).hasSize(2)
              .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2"));
          DaemonSetStatus s = status(ns);
          assertThat(s.getUpdatedNumberScheduled()).isEqualTo(2);
          assertThat(s.getNumberAvailable()).isEqualTo(2);
          assertThat(s.getNumberUnavailable()).isIn(null, 0);
        });
      }
      assertThat(violations).isEmpty();
    } finally {
      c.nodes().withName("surge-0").delete();
      c.nodes().withName("surge-1").delete();
    }
  }

  /** The template's container image changed to nginx:2, as {@code kubectl set image} patches it. */
  static final String NEW_IMAGE = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\"}]}}}}";

  private static boolean isOld(Pod p) {
    return p.getSpec().getContainers().get(0).getImage().equals("nginx");
  }

  /** A node object no agent runs: its pods stay as the test leaves them. */
  private static void plainNode(String name, Map<String, String> labels) {
    c.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build()).create();
  }

  @Test
  void retriesFailedDaemonPods() {
    String ns = cluster.namespace("ds-retry");
    plainNode("plain-retry", Map.of("kubernetes.io/hostname", "plain-retry"));
    try {
      DaemonSet ds = new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).endSpec().build();
      ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("kubernetes.io/hostname", "plain-retry"));
      c.apps().daemonSets().inNamespace(ns).resource(ds).create();
      await().atMost(WAIT).until(() -> Fixtures.livePods(c, ns, "agent").size() == 1);
      Pod pod = Fixtures.livePods(c, ns, "agent").get(0);
      Jobs.finish(c, pod, "Failed");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(c.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get()).isNull();
        assertThat(Fixtures.livePods(c, ns, "agent")).hasSize(1)
            .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("plain-retry"));
      });
    } finally {
      c.nodes().withName("plain-retry").delete();
    }
  }

  @Test
  void runsAndStopsAComplexDaemonAsNodeLabelsAndTheNodeSelectorChange() {
    String ns = cluster.namespace("ds-complex");
    // a hollow node, so that pods taken off it go at once as a kubelet would see to
    try (HollowNodes nodes = new HollowNodes(c, new HollowNodes.Options("color", 1, "4", "16Gi", 110, 40,
        Duration.ofSeconds(10))).start()) {
      DaemonSet ds = new DaemonSetBuilder()
          .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
          .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
          .withTemplate(Fixtures.template("agent")).endSpec().build();
      ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("color", "blue"));
      c.apps().daemonSets().inNamespace(ns).resource(ds).create();
      await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> Fixtures.livePods(c, ns, "agent").isEmpty());

      // the node turns blue: it gets a pod; green: the pod goes
      relabel("color-0", "blue");
      await().atMost(WAIT).until(() -> nodesOf(ns).equals(List.of("color-0")));
      relabel("color-0", "green");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(Fixtures.livePods(c, ns, "agent")).isEmpty();
        assertThat(status(ns).getDesiredNumberScheduled()).isZero();
      });

      // the DaemonSet follows to green nodes
      // patches without a resourceVersion, as kubectl sends them: no conflict with the controller's status writes
      c.apps().daemonSets().inNamespace(ns).withName("agent").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
          "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"color\":\"green\"}}}}}");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(nodesOf(ns)).containsExactly("color-0");
        assertThat(status(ns).getDesiredNumberScheduled()).isEqualTo(1);
        assertThat(status(ns).getNumberMisscheduled()).isZero();
      });
    } finally {
      c.nodes().withName("color-0").delete();
    }
  }

  private static void relabel(String node, String color) {
    patchNode(node, "{\"metadata\":{\"labels\":{\"color\":\"" + color + "\"}}}");
  }

  /** A merge patch without resourceVersion: the hollow nodes write their status meanwhile. */
  private static void patchNode(String node, String mergePatch) {
    c.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static DaemonSetStatus status(String ns) {
    DaemonSetStatus s = c.apps().daemonSets().inNamespace(ns).withName("agent").get().getStatus();
    return s == null ? new DaemonSetStatus() : s;
  }

  private static List<String> nodesOf(String ns) {
    return Fixtures.livePods(c, ns, "agent").stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toList());
  }
}
