package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JobControllerIT {
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    // a one-second pod failure back-off (upstream's is ten) so retries show within the test
    cluster = new TestCluster(Map.of("job-controller",
        c -> new JobController(c, Clock.systemUTC(), Duration.ofSeconds(1))));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Job create(KubernetesClient c, String ns, String name, JobSpec spec) {
    return c.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).endMetadata().withSpec(spec).build()).create();
  }

  private static Job get(KubernetesClient c, String ns, String name) {
    return c.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  @Test
  void runsAtMostParallelismPodsUntilCompletionsSucceed() {
    String ns = cluster.namespace("job-complete");
    var c = cluster.client;
    Job job = create(c, ns, "pi", Jobs.spec("pi", 3, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "pi").size() == 2);
    List<Pod> first = Jobs.activePods(c, ns, "pi");
    for (Pod p : first) {
      assertThat(Fixtures.controllerRef(p).getUid()).isEqualTo(job.getMetadata().getUid());
      assertThat(Fixtures.controllerRef(p).getKind()).isEqualTo("Job");
      assertThat(p.getMetadata().getLabels()).containsEntry("job-name", "pi")
          .containsEntry("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var s = get(c, ns, "pi").getStatus();
      assertThat(s.getActive()).isEqualTo(2);
      assertThat(s.getStartTime()).isNotNull();
    });

    // one finishes: a third pod starts, never more than two at once
    Jobs.finish(c, first.get(0), "Succeeded");
    await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.livePods(c, ns, "pi").size() == 3);
    assertThat(Jobs.activePods(c, ns, "pi")).hasSize(2);
    for (Pod p : Jobs.activePods(c, ns, "pi")) Jobs.finish(c, p, "Succeeded");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job done = get(c, ns, "pi");
      assertThat(Jobs.conditionStatus(done, "Complete")).isEqualTo("True");
      assertThat(Jobs.conditionStatus(done, "SuccessCriteriaMet")).isEqualTo("True");
      assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
      assertThat(done.getStatus().getActive()).isIn(null, 0);
      assertThat(done.getStatus().getCompletionTime()).isNotNull();
    });
    assertThat(Fixtures.livePods(c, ns, "pi")).hasSize(3);
    // what kubectl describe job shows
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<String> events = Fixtures.described(Fixtures.events(c, ns, "Job", "pi"));
      assertThat(events).filteredOn(e -> e.startsWith("SuccessfulCreate: Created pod: pi-")).hasSize(3);
      // once, or twice when a sync sees the Job before its Complete condition reached the cache (count 2)
      assertThat(events).anyMatch(e -> e.startsWith("Completed: Job completed ("));
    });
  }

  @Test
  void failsWithBackoffLimitExceededAndDeletesActivePods() {
    String ns = cluster.namespace("job-backoff");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("flaky", 3, 3);
    spec.setBackoffLimit(1);
    create(c, ns, "flaky", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "flaky").size() == 3);
    List<Pod> pods = Jobs.activePods(c, ns, "flaky");
    Jobs.finish(c, pods.get(0), "Failed");
    await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(1).equals(get(c, ns, "flaky").getStatus().getFailed()));
    assertThat(Jobs.condition(get(c, ns, "flaky"), "Failed")).isNull();
    Jobs.finish(c, pods.get(1), "Failed");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job failed = get(c, ns, "flaky");
      JobCondition cond = Jobs.condition(failed, "Failed");
      assertThat(cond).isNotNull();
      assertThat(cond.getStatus()).isEqualTo("True");
      assertThat(cond.getReason()).isEqualTo("BackoffLimitExceeded");
      assertThat(Jobs.conditionReason(failed, "FailureTarget")).isEqualTo("BackoffLimitExceeded");
      assertThat(failed.getStatus().getFailed()).isEqualTo(2);
      assertThat(failed.getStatus().getActive()).isIn(null, 0);
      assertThat(failed.getStatus().getCompletionTime()).isNull();
      assertThat(Jobs.activePods(c, ns, "flaky")).isEmpty();
    });
  }

  @Test
  void replacesAFailedPodAfterTheBackOff() {
    String ns = cluster.namespace("job-retry");
    var c = cluster.client;
    create(c, ns, "retry", Jobs.spec("retry", 1, 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "retry").size() == 1);
    Jobs.finish(c, Jobs.activePods(c, ns, "retry").get(0), "Failed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Jobs.activePods(c, ns, "retry")).hasSize(1);
      assertThat(get(c, ns, "retry").getStatus().getFailed()).isEqualTo(1);
    });
    Jobs.finish(c, Jobs.activePods(c, ns, "retry").get(0), "Succeeded");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job done = get(c, ns, "retry");
      assertThat(Jobs.conditionStatus(done, "Complete")).isEqualTo("True");
      assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
      assertThat(done.getStatus().getFailed()).isEqualTo(1);
    });
  }

  @Test
  void failsWithDeadlineExceededAfterActiveDeadlineSeconds() {
    String ns = cluster.namespace("job-deadline");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("slow", 1, 1);
    spec.setActiveDeadlineSeconds(1L);
    create(c, ns, "slow", spec);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job failed = get(c, ns, "slow");
      JobCondition cond = Jobs.condition(failed, "Failed");
      assertThat(cond).isNotNull();
      assertThat(cond.getReason()).isEqualTo("DeadlineExceeded");
      assertThat(Jobs.activePods(c, ns, "slow")).isEmpty();
    });
  }

  @Test
  void suspendDeletesActivePodsAndResumeStartsThemAgain() {
    String ns = cluster.namespace("job-suspend");
    var c = cluster.client;
    create(c, ns, "batch", Jobs.spec("batch", 4, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "batch").size() == 2);

    // a merge patch, as kubectl sends: no resourceVersion to conflict with the controller's status writes
    c.batch().v1().jobs().inNamespace(ns).withName("batch")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job j = get(c, ns, "batch");
      assertThat(Jobs.conditionStatus(j, "Suspended")).isEqualTo("True");
      assertThat(Jobs.conditionReason(j, "Suspended")).isEqualTo("JobSuspended");
      assertThat(j.getStatus().getActive()).isIn(null, 0);
      assertThat(Jobs.activePods(c, ns, "batch")).isEmpty();
    });

    // a merge patch, as kubectl sends: no resourceVersion to conflict with the controller's status writes
    c.batch().v1().jobs().inNamespace(ns).withName("batch")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":false}}");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job j = get(c, ns, "batch");
      assertThat(Jobs.conditionStatus(j, "Suspended")).isEqualTo("False");
      assertThat(Jobs.conditionReason(j, "Suspended")).isEqualTo("JobResumed");
      assertThat(Jobs.activePods(c, ns, "batch")).hasSize(2);
      assertThat(Jobs.condition(j, "Failed")).isNull();
    });
  }

  @Test
  void indexedJobsRunOnePodPerCompletionIndex() {
    String ns = cluster.namespace("job-indexed");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("idx", 3, 2);
    spec.setCompletionMode("Indexed");
    create(c, ns, "idx", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "idx").size() == 2);
    List<Pod> first = Jobs.activePods(c, ns, "idx");
    assertThat(first).extracting(p -> p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index"))
        .containsExactlyInAnyOrder("0", "1");
    Pod zero = first.stream().filter(p -> "0".equals(p.getMetadata().getAnnotations()
        .get("batch.kubernetes.io/job-completion-index"))).findFirst().orElseThrow();
    assertThat(zero.getMetadata().getName()).startsWith("idx-0-");
    assertThat(zero.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-completion-index", "0");
    assertThat(zero.getSpec().getHostname()).isEqualTo("idx-0");
    assertThat(zero.getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath())
          .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    });

    // index 0 succeeds: index 2 starts, index 0 is not run again
    Jobs.finish(c, zero, "Succeeded");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Jobs.activePods(c, ns, "idx"))
          .extracting(p -> p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index"))
          .containsExactlyInAnyOrder("1", "2");
      assertThat(get(c, ns, "idx").getStatus().getCompletedIndexes()).isEqualTo("0");
    });
    for (Pod p : Jobs.activePods(c, ns, "idx")) Jobs.finish(c, p, "Succeeded");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job done = get(c, ns, "idx");
      assertThat(Jobs.conditionStatus(done, "Complete")).isEqualTo("True");
      assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0-2");
      assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
    });
  }

  @Test
  void adoptsMatchingOrphansAndReleasesNonMatchingPods() {
    String ns = cluster.namespace("job-adopt");
    var c = cluster.client;
    Job job = create(c, ns, "adopt", Jobs.spec("adopt", 4, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "adopt").size() == 2);
    Pod pod = Jobs.activePods(c, ns, "adopt").get(0);
    String name = pod.getMetadata().getName();

    // orphaned by hand: the job takes it back, with blockOwnerDeletion, and starts no replacement
    OwnerRefs.orphan(c, pod);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var ref = OwnerRefs.controllerOf(c, ns, name);
      assertThat(ref).isNotNull();
      assertThat(ref.getUid()).isEqualTo(job.getMetadata().getUid());
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
    assertThat(Jobs.activePods(c, ns, "adopt")).hasSize(2);

    // its labels no longer match: released, and a new pod takes its place
    OwnerRefs.relabel(c, pod);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(c.pods().inNamespace(ns).withName(name).get().getMetadata().getOwnerReferences()).isNullOrEmpty();
      assertThat(Jobs.activePods(c, ns, "adopt")).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(name));
    });
  }

  private static String indexOf(Pod p) {
    return p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index");
  }

  private static Pod activeAt(KubernetesClient c, String ns, String app, String index) {
    return Jobs.activePods(c, ns, app).stream().filter(p -> index.equals(indexOf(p))).findFirst().orElse(null);
  }

  @Test
  void podFailurePolicyIgnoresDisruptionsAndFailsTheJobOnAnExitCode() {
    String ns = cluster.namespace("job-pfp");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("pfp", 3, 2);
    spec.setPodFailurePolicy(new PodFailurePolicyBuilder()
        .addNewRule().withAction("FailJob").withNewOnExitCodes().withOperator("In").withValues(42).endOnExitCodes().endRule()
        .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").withStatus("True")
        .endOnPodCondition().endRule().build());
    create(c, ns, "pfp", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "pfp").size() == 2);

    // an evicted pod is replaced and not counted as a failure
    Pod evicted = Jobs.activePods(c, ns, "pfp").get(0);
    Jobs.failByDisruption(c, evicted);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Jobs.activePods(c, ns, "pfp")).hasSize(2)
          .noneMatch(p -> p.getMetadata().getName().equals(evicted.getMetadata().getName()));
      assertThat(get(c, ns, "pfp").getStatus().getFailed()).isIn(null, 0);
    });

    // exit code 42 fails the whole job at once, far below the backoff limit
    Pod failing = Jobs.activePods(c, ns, "pfp").get(0);
    Jobs.failWithExitCode(c, failing, 42);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job failed = get(c, ns, "pfp");
      JobCondition cond = Jobs.condition(failed, "Failed");
      assertThat(cond).isNotNull();
      assertThat(cond.getReason()).isEqualTo("PodFailurePolicy");
      assertThat(cond.getMessage()).isEqualTo("Container c for pod " + ns + "/" + failing.getMetadata().getName()
          + " failed with exit code 42 matching FailJob rule at index 0");
      assertThat(Jobs.conditionReason(failed, "FailureTarget")).isEqualTo("PodFailurePolicy");
      assertThat(failed.getStatus().getFailed()).isEqualTo(1);
      assertThat(Jobs.activePods(c, ns, "pfp")).isEmpty();
    });
  }

  @Test
  void backoffLimitPerIndexFailsOnlyTheIndexesThatFailed() {
    String ns = cluster.namespace("job-per-index");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("pi", 3, 3);
    spec.setCompletionMode("Indexed");
    spec.setBackoffLimitPerIndex(1);
    spec.setPodFailurePolicy(new PodFailurePolicyBuilder().addNewRule().withAction("FailIndex").withNewOnExitCodes()
        .withOperator("In").withValues(3).endOnExitCodes().endRule().build());
    create(c, ns, "pi", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "pi").size() == 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> "".equals(get(c, ns, "pi").getStatus().getFailedIndexes()));

    // index 0 fails once (within its limit of one): retried, the new pod knowing the failure
    Jobs.failWithExitCode(c, activeAt(c, ns, "pi", "0"), 1);
    // index 1 fails with an exit code its FailIndex rule matches: failed for good at once
    Jobs.failWithExitCode(c, activeAt(c, ns, "pi", "1"), 3);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Pod retry = activeAt(c, ns, "pi", "0");
      assertThat(retry).isNotNull();
      assertThat(retry.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-index-failure-count", "1");
      assertThat(get(c, ns, "pi").getStatus().getFailedIndexes()).isEqualTo("1");
      assertThat(Jobs.activePods(c, ns, "pi")).extracting(JobControllerIT::indexOf).containsExactlyInAnyOrder("0", "2");
      assertThat(Jobs.condition(get(c, ns, "pi"), "Failed")).isNull();
    });

    // the other indexes succeed: the job fails for its failed index
    for (Pod p : Jobs.activePods(c, ns, "pi")) Jobs.finish(c, p, "Succeeded");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job done = get(c, ns, "pi");
      assertThat(Jobs.condition(done, "Failed")).isNotNull();
      assertThat(Jobs.conditionReason(done, "Failed")).isEqualTo("FailedIndexes");
      assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0,2");
      assertThat(done.getStatus().getFailedIndexes()).isEqualTo("1");
      assertThat(done.getStatus().getFailed()).isEqualTo(2);
    });
  }

  @Test
  void maxFailedIndexesFailsTheJobOnceExceeded() {
    String ns = cluster.namespace("job-max-failed");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("mfi", 3, 3);
    spec.setCompletionMode("Indexed");
    spec.setBackoffLimitPerIndex(0);
    spec.setMaxFailedIndexes(0);
    create(c, ns, "mfi", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "mfi").size() == 3);
    Jobs.finish(c, activeAt(c, ns, "mfi", "2"), "Failed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job failed = get(c, ns, "mfi");
      assertThat(Jobs.condition(failed, "Failed")).isNotNull();
      assertThat(Jobs.conditionReason(failed, "Failed")).isEqualTo("MaxFailedIndexesExceeded");
      assertThat(failed.getStatus().getFailedIndexes()).isEqualTo("2");
      assertThat(Jobs.activePods(c, ns, "mfi")).isEmpty();
    });
  }

  @Test
  void successPolicyCompletesTheJobOnceItsIndexesSucceeded() {
    String ns = cluster.namespace("job-success-policy");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("leader", 3, 3);
    spec.setCompletionMode("Indexed");
    spec.setSuccessPolicy(new SuccessPolicyBuilder().addNewRule().withSucceededIndexes("0").endRule().build());
    create(c, ns, "leader", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "leader").size() == 3);
    Jobs.finish(c, activeAt(c, ns, "leader", "0"), "Succeeded");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job done = get(c, ns, "leader");
      JobCondition met = Jobs.condition(done, "SuccessCriteriaMet");
      assertThat(met).isNotNull();
      assertThat(met.getReason()).isEqualTo("SuccessPolicy");
      assertThat(met.getMessage()).isEqualTo("Matched rules at index 0");
      assertThat(Jobs.conditionReason(done, "Complete")).isEqualTo("SuccessPolicy");
      assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0");
      assertThat(Jobs.activePods(c, ns, "leader")).isEmpty();
    });
  }

  @Test
  void podReplacementPolicyFailedWaitsForATerminatingPodToFail() {
    String ns = cluster.namespace("job-replacement");
    var c = cluster.client;
    JobSpec spec = Jobs.spec("hold", 2, 1);
    spec.setPodReplacementPolicy("Failed");
    // a finalizer keeps a deleted pod terminating, as a slow container shutdown would
    spec.getTemplate().getMetadata().setFinalizers(List.of("example.com/hold"));
    create(c, ns, "hold", spec);
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "hold").size() == 1);
    Pod first = Jobs.activePods(c, ns, "hold").get(0);
    c.pods().inNamespace(ns).withName(first.getMetadata().getName()).delete();

    // terminating but not failed yet: counted, not replaced
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(c, ns, "hold").getStatus().getTerminating()).isEqualTo(1));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> Jobs.activePods(c, ns, "hold").isEmpty());

    // once it has failed, the replacement starts
    Jobs.finish(c, first, "Failed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Jobs.activePods(c, ns, "hold")).hasSize(1);
      assertThat(get(c, ns, "hold").getStatus().getFailed()).isEqualTo(1);
      assertThat(get(c, ns, "hold").getStatus().getTerminating()).isIn(null, 0);
    });
    for (Pod p : c.pods().inNamespace(ns).list().getItems()) {
      c.pods().inNamespace(ns).withName(p.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }
  }
}
