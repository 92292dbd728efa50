package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.bound;
import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class DefaultPreemptionTest {
  private final ClusterCache cache = new ClusterCache();
  private final ScheduleAlgorithm algorithm = new ScheduleAlgorithm();
  private final DefaultPreemption preemption = new DefaultPreemption(algorithm);

  private static Pod prio(String name, String cpu, int priority) {
    return pod(name, cpu, null).editSpec().withPriority(priority).endSpec().build();
  }

  private void run(String node, Pod... pods) {
    for (Pod p : pods) cache.addOrUpdatePod(bound(p, node));
  }

  /** Schedules the pod and, when nothing fits, asks for a preemption as the scheduler does. */
  private DefaultPreemption.Outcome attempt(Pod pod) {
    return cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(pod);
      ScheduleAlgorithm.Result r = algorithm.schedule(ctx, s);
      assertThat(r).isInstanceOf(ScheduleAlgorithm.Unschedulable.class);
      return preemption.preempt(ctx, s);
    });
  }

  private DefaultPreemption.Candidate preempt(Pod pod) {
    return attempt(pod).candidate();
  }

  @Test
  void evictsOnlyTheLeastImportantPodsThatMakeRoom() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    cache.addOrUpdateNode(node("n2", "1", "8Gi", 110));
    run("n1", prio("low", "600m", 1), prio("mid", "300m", 5));
    run("n2", prio("critical", "800m", 100));
    cache.addOrUpdateNode(new NodeBuilder(node("tainted", "1", "8Gi", 110)).editOrNewSpec().addNewTaint().withKey("k")
        .withEffect("NoSchedule").endTaint().endSpec().build());
    DefaultPreemption.Candidate c = preempt(prio("preemptor", "600m", 10));
    assertThat(c.node()).isEqualTo("n1");
    assertThat(attempt(prio("preemptor", "600m", 10)).message()).isNull();
    // mid is given back: 300m + 600m still fits
    assertThat(c.victims()).extracting(PodInfo::key).containsExactly("default/low");
  }

  @Test
  void podsOfLowerPriorityNominatedToTheNodeLoseTheirNomination() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    run("n1", prio("low", "800m", 1));
    cache.nominate(new PodInfo(prio("waiting", "100m", 3)), "n1");
    DefaultPreemption.Candidate c = preempt(prio("preemptor", "600m", 10));
    assertThat(c.victims()).extracting(PodInfo::key).containsExactly("default/low");
    assertThat(c.lowerNominated()).extracting(PodInfo::key).containsExactly("default/waiting");
  }

  @Test
  void prefersTheNodeWhoseVictimsMatterLeast() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    cache.addOrUpdateNode(node("n2", "1", "8Gi", 110));
    run("n1", prio("five", "800m", 5));
    run("n2", prio("one-a", "400m", 1), prio("one-b", "400m", 1));
    DefaultPreemption.Candidate c = preempt(prio("preemptor", "900m", 10));
    assertThat(c.node()).isEqualTo("n2");
    assertThat(c.victims()).hasSize(2);
  }

  @Test
  void noVictimsWhenOnlyEqualOrHigherPrioritiesRun() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    run("n1", prio("same", "800m", 10));
    assertThat(attempt(prio("preemptor", "600m", 10)).message())
        .isEqualTo("preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
  }

  @Test
  void preemptionPolicyNeverWaits() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    run("n1", prio("low", "800m", 1));
    Pod polite = new PodBuilder(prio("polite", "600m", 10)).editSpec().withPreemptionPolicy("Never").endSpec().build();
    assertThat(attempt(polite).message()).isEqualTo("preemption: not eligible due to preemptionPolicy=Never.");
  }

  @Test
  void evictionCannotCureATaint() {
    cache.addOrUpdateNode(new NodeBuilder(node("n1", "1", "8Gi", 110)).editOrNewSpec().addNewTaint().withKey("k")
        .withEffect("NoSchedule").endTaint().endSpec().build());
    run("n1", prio("low", "800m", 1).toBuilder().editSpec().addNewToleration().withOperator("Exists").endToleration()
        .endSpec().build());
    assertThat(attempt(prio("preemptor", "600m", 10)).message())
        .isEqualTo("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  }

  @Test
  void theNominatedNodeKeepsItsRoomForThePreemptor() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    run("n1", prio("low", "800m", 1));
    Pod preemptor = prio("preemptor", "600m", 10);
    DefaultPreemption.Candidate c = preempt(preemptor);
    cache.nominate(new PodInfo(preemptor), c.node());
    // while the victim terminates, the preemptor does not preempt again
    cache.addOrUpdatePod(bound(prio("low", "800m", 1).toBuilder().editMetadata()
        .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().editOrNewStatus().addNewCondition()
        .withType("DisruptionTarget").withStatus("True").withReason("PreemptionByScheduler").endCondition().endStatus()
        .build(), "n1"));
    assertThat(attempt(preemptor).message())
        .isEqualTo("preemption: not eligible due to a terminating pod on the nominated node.");
    cache.removePod("default/low");
    // a nominated pod is no victim: nothing on the node has a lower priority
    assertThat(attempt(prio("after", "900m", 5)).message()).isEqualTo(
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
    // a pod of lower priority may not take the room; the preemptor gets its nominated node
    ScheduleAlgorithm.Result other = cache.withSnapshot(s -> algorithm.schedule(new PodContext(prio("other", "600m", 5)), s));
    assertThat(other).isInstanceOf(ScheduleAlgorithm.Unschedulable.class);
    ScheduleAlgorithm.Result r = cache.withSnapshot(s -> algorithm.schedule(new PodContext(preemptor), s));
    assertThat(r).isEqualTo(new ScheduleAlgorithm.Chosen("n1", 1));
  }
}
