package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.runtime.Controller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CronJobControllerIT {
  static TestCluster cluster;
  static CronJobController cronJobs;
  static final MovableClock clock = new MovableClock();

  /** A clock the test moves; the controller is told to look again with resync(). */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @BeforeAll
  static void start() {
    Map<String, Function<KubernetesClient, Controller>> controllers = new LinkedHashMap<>();
    controllers.put("job-controller", JobController::new);
    controllers.put("cronjob-controller", c -> cronJobs = new CronJobController(c, clock));
    cluster = new TestCluster(controllers);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Moves the clock to {@code seconds} past the {@code n}-th minute boundary after {@code from} and resyncs. */
  private static Instant tick(Instant from, int n, int seconds) {
    Instant t = from.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(n)).plusSeconds(seconds);
    clock.now = t;
    cronJobs.resync();
    return t;
  }

  private static CronJob cronJob(String ns, String name, String policy) {
    return new CronJobBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withSchedule("*/1 * * * *").withConcurrencyPolicy(policy).withSuccessfulJobsHistoryLimit(1)
        .withNewJobTemplate().withNewSpec().withTemplate(Jobs.template(name)).endSpec().endJobTemplate()
        .endSpec().build();
  }

  private static List<Job> jobs(KubernetesClient c, String ns) {
    return c.batch().v1().jobs().inNamespace(ns).list().getItems().stream()
        .filter(j -> j.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private static void finishJob(KubernetesClient c, String ns, String app) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, app).size() == 1);
    Jobs.finish(c, Jobs.activePods(c, ns, app).get(0), "Succeeded");
  }

  @Test
  void createsJobsOnScheduleForbidsOverlapAndKeepsHistory() {
    String ns = cluster.namespace("cron-forbid");
    var c = cluster.client;
    clock.now = Instant.now();
    CronJob cj = c.batch().v1().cronjobs().inNamespace(ns).resource(cronJob(ns, "tick", "Forbid")).create();
    Instant created = Instant.parse(cj.getMetadata().getCreationTimestamp());

    // the first activation after creation
    Instant first = tick(created, 1, 5).truncatedTo(ChronoUnit.MINUTES);
    String firstName = "tick-" + first.getEpochSecond() / 60;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job j = c.batch().v1().jobs().inNamespace(ns).withName(firstName).get();
      assertThat(j).isNotNull();
      assertThat(j.getMetadata().getAnnotations()).containsEntry(CronJobController.SCHEDULED_TIMESTAMP, first.toString());
      assertThat(j.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
        assertThat(r.getKind()).isEqualTo("CronJob");
        assertThat(r.getUid()).isEqualTo(cj.getMetadata().getUid());
        assertThat(r.getController()).isTrue();
      });
      var s = c.batch().v1().cronjobs().inNamespace(ns).withName("tick").get().getStatus();
      assertThat(s.getLastScheduleTime()).isEqualTo(first.toString());
      assertThat(s.getActive()).singleElement().satisfies(r -> assertThat(r.getName()).isEqualTo(firstName));
    });

    // Forbid: the next activation is skipped while the first job runs
    Instant second = tick(created, 2, 5).truncatedTo(ChronoUnit.MINUTES);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> jobs(c, ns).size() == 1);

    // once it finishes, the missed run starts late (no startingDeadlineSeconds), as upstream
    finishJob(c, ns, "tick");
    String secondName = "tick-" + second.getEpochSecond() / 60;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(c.batch().v1().jobs().inNamespace(ns).withName(secondName).get()).isNotNull();
      var s = c.batch().v1().cronjobs().inNamespace(ns).withName("tick").get().getStatus();
      assertThat(s.getLastSuccessfulTime()).isNotNull();
      assertThat(s.getLastScheduleTime()).isEqualTo(second.toString());
      assertThat(s.getActive()).singleElement().satisfies(r -> assertThat(r.getName()).isEqualTo(secondName));
    });

    // successfulJobsHistoryLimit 1: when the second succeeds, the first is deleted
    finishJob(c, ns, "tick");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(jobs(c, ns)).extracting(j -> j.getMetadata().getName()).containsExactly(secondName);
      assertThat(c.batch().v1().cronjobs().inNamespace(ns).withName("tick").get().getStatus().getActive()).isNullOrEmpty();
    });

    // what `kubectl describe cronjob tick` shows under Events
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<String> described = Fixtures.described(Fixtures.events(c, ns, "CronJob", "tick"));
      assertThat(described).contains(
          "SuccessfulCreate: Created job " + firstName + " (1)",
          "SuccessfulCreate: Created job " + secondName + " (1)",
          "SuccessfulDelete: Deleted job " + firstName + " (1)");
      // a sync on a cache that still lists the finished job as active may say it twice (upstream too): count 1 or 2
      for (String job : List.of(firstName, secondName)) {
        assertThat(described).anyMatch(e -> e.startsWith("SawCompletedJob: Saw completed job: " + job + ", condition: Complete ("));
      }
      assertThat(described).anyMatch(e -> e.startsWith(
          "JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid"));
      assertThat(Fixtures.events(c, ns, "CronJob", "tick"))
          .allSatisfy(e -> assertThat(e.getSource().getComponent()).isEqualTo("cronjob-controller"));
    });
  }

  @Test
  void allowRunsConcurrentlyAndReplaceDeletesTheRunningJob() {
    String ns = cluster.namespace("cron-replace");
    var c = cluster.client;
    clock.now = Instant.now();
    CronJob allow = c.batch().v1().cronjobs().inNamespace(ns).resource(cronJob(ns, "allow", "Allow")).create();
    c.batch().v1().cronjobs().inNamespace(ns).resource(cronJob(ns, "replace", "Replace")).create();
    Instant created = Instant.parse(allow.getMetadata().getCreationTimestamp());

    tick(created, 1, 5);
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs(c, ns).size() == 2);
    Instant second = tick(created, 2, 5).truncatedTo(ChronoUnit.MINUTES);
    String replacement = "replace-" + second.getEpochSecond() / 60;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<String> names = jobs(c, ns).stream().map(j -> j.getMetadata().getName()).toList();
      assertThat(names.stream().filter(n -> n.startsWith("allow-"))).hasSize(2);
      assertThat(names.stream().filter(n -> n.startsWith("replace-"))).containsExactly(replacement);
    });
  }

  @Test
  void suspendedCronJobsAndMissedStartingDeadlinesCreateNothing() {
    String ns = cluster.namespace("cron-suspend");
    var c = cluster.client;
    clock.now = Instant.now();
    CronJob suspended = cronJob(ns, "paused", "Allow");
    suspended.getSpec().setSuspend(true);
    CronJob cj = c.batch().v1().cronjobs().inNamespace(ns).resource(suspended).create();
    CronJob late = cronJob(ns, "late", "Allow");
    late.getSpec().setStartingDeadlineSeconds(10L);
    c.batch().v1().cronjobs().inNamespace(ns).resource(late).create();
    Instant created = Instant.parse(cj.getMetadata().getCreationTimestamp());

    // 30 s after the activation: too late for a 10 s starting deadline
    tick(created, 1, 30);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> jobs(c, ns).isEmpty());
    // within the deadline of the next one, only the not-suspended CronJob starts
    tick(created, 2, 5);
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs(c, ns).size() == 1
        && jobs(c, ns).get(0).getMetadata().getName().startsWith("late-"));
  }

  @Test
  void keepsFailedJobsHistoryLimitAndSchedulesInTheTimeZone() {
    String ns = cluster.namespace("cron-failed");
    var c = cluster.client;
    clock.now = Instant.now();
    CronJob spec = cronJob(ns, "berlin", "Allow");
    spec.getSpec().setSchedule("0 9 * * *");
    spec.getSpec().setTimeZone("Europe/Berlin");
    spec.getSpec().setFailedJobsHistoryLimit(1);
    spec.getSpec().getJobTemplate().getSpec().setBackoffLimit(0);
    CronJob cj = c.batch().v1().cronjobs().inNamespace(ns).resource(spec).create();
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    ZonedDateTime first = Instant.parse(cj.getMetadata().getCreationTimestamp()).atZone(berlin)
        .truncatedTo(ChronoUnit.DAYS).plusDays(1).withHour(9);
    ZonedDateTime second = first.plusDays(1);

    clock.now = first.toInstant().plusSeconds(5);
    cronJobs.resync();
    String firstName = "berlin-" + first.toEpochSecond() / 60;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Job j = c.batch().v1().jobs().inNamespace(ns).withName(firstName).get();
      assertThat(j).isNotNull();
      // RFC 3339 in the CronJob's zone
      assertThat(j.getMetadata().getAnnotations().get(CronJobController.SCHEDULED_TIMESTAMP))
          .isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(first));
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "berlin").size() == 1);
    Jobs.finish(c, Jobs.activePods(c, ns, "berlin").get(0), "Failed");

    clock.now = second.toInstant().plusSeconds(5);
    cronJobs.resync();
    String secondName = "berlin-" + second.toEpochSecond() / 60;
    await().atMost(Duration.ofSeconds(10)).until(() -> Jobs.activePods(c, ns, "berlin").size() == 1);
    Jobs.finish(c, Jobs.activePods(c, ns, "berlin").get(0), "Failed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(jobs(c, ns)).extracting(j -> j.getMetadata().getName()).containsExactly(secondName);
      assertThat(Jobs.condition(jobs(c, ns).get(0), "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
      var s = c.batch().v1().cronjobs().inNamespace(ns).withName("berlin").get().getStatus();
      assertThat(s.getLastScheduleTime()).isEqualTo(second.toInstant().toString());
      assertThat(s.getLastSuccessfulTime()).isNull();
    });
  }
}
