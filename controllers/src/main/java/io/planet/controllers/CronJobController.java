package io.planet.controllers;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.planet.client.events.EventRecorder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * batch/v1 CronJob (upstream's cronjob controller v2): at each activation of {@code spec.schedule} creates a Job
 * named {@code <cronjob>-<scheduled minutes since the epoch>} from the job template, honouring concurrencyPolicy
 * (Allow, Forbid, Replace), startingDeadlineSeconds and suspend; tracks active jobs and the last schedule and
 * success times in status; deletes finished jobs beyond the history limits. Each CronJob is looked at again at its
 * next activation. The clock is injectable so tests need not wait for real minutes.
 */
public final class CronJobController extends Controller {
  static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
  /** Upstream gives up counting missed activations past this many. */
  private static final int MAX_MISSED = 100;
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
  /** Go's time.RFC1123Z, which upstream's MissSchedule event uses. */
  private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US);

  private final KubernetesClient client;
  private final Clock clock;
  private SharedIndexInformer<CronJob> cronJobs;
  private SharedIndexInformer<Job> jobs;

  public CronJobController(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public CronJobController(KubernetesClient client, Clock clock) {
    super("cronjob", 5);
    this.client = client;
    this.clock = clock;
  }

  @Override
  protected void register(Informers informers) {
    cronJobs = informers.informer(CronJob.class);
    jobs = informers.informer(Job.class);
    cronJobs.addEventHandler(enqueueing());
    jobs.addEventHandler(handler(job -> {
      OwnerReference ref = ReplicaController.controllerRef(job);
      if (ref != null && "CronJob".equals(ref.getKind())) enqueue(job.getMetadata().getNamespace() + "/" + ref.getName());
    }));
  }

  /** Looks at every CronJob now (for a clock that moves by other means than time passing). */
  public void resync() {
    cronJobs.getStore().list().forEach(cj -> enqueue(key(cj)));
  }

  @Override
  protected void reconcile(String key) throws Exception {
    CronJob cj = cronJobs.getStore().getByKey(key);
    if (cj == null) return;
    List<Job> owned = new ArrayList<>();
    for (Job j : jobs.getIndexer().byIndex(Cache.NAMESPACE_INDEX, cj.getMetadata().getNamespace())) {
      OwnerReference ref = ReplicaController.controllerRef(j);
      if (ref != null && cj.getMetadata().getUid().equals(ref.getUid())) owned.add(j);
    }
    CronJobStatus old = cj.getStatus() == null ? new CronJobStatus() : cj.getStatus();
    CronJobStatus status = new CronJobStatus(activeRefs(old), old.getLastScheduleTime(), old.getLastSuccessfulTime());
    Instant now = clock.instant();

    trackActive(cj, status, owned);
    Duration requeue = null;
    if (cj.getMetadata().getDeletionTimestamp() == null) {
      requeue = schedule(cj, status, owned, now);
      cleanUpHistory(cj, owned);
    }
    if (!sameStatus(status, old)) writeStatus(cj, status);
    if (requeue != null) throw new Requeue(requeue);
  }

  /** Keeps status.active to the owned jobs that are still running; records the latest success. */
  private void trackActive(CronJob cj, CronJobStatus status, List<Job> owned) {
    List<ObjectReference> active = new ArrayList<>();
    Map<String, Job> byUid = new HashMap<>();
    owned.forEach(j -> byUid.put(j.getMetadata().getUid(), j));
    for (ObjectReference ref : status.getActive()) {
      Job j = byUid.get(ref.getUid());
      if (j == null) {
        // the job cache may be behind: only a job the server does not have either went missing
        Job live = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(ref.getName()).get();
        if (live != null && ref.getUid().equals(live.getMetadata().getUid())) {
          active.add(ref);
        } else {
          events().normal(cj, "MissingJob", "Active job went missing: %s", ref.getName());
        }
      } else if (JobController.finished(j.getStatus())) {
        events().normal(cj, "SawCompletedJob", "Saw completed job: %s, condition: %s", j.getMetadata().getName(),
            JobController.conditionTrue(j.getStatus(), "Complete") ? "Complete" : "Failed");
      } else {
        active.add(ref);
      }
    }
    List<ObjectReference> listedNow = null;
    for (Job j : owned) {
      boolean listed = active.stream().anyMatch(r -> r.getUid().equals(j.getMetadata().getUid()));
      if (!listed && !JobController.finished(j.getStatus()) && j.getMetadata().getDeletionTimestamp() == null) {
        if (listedNow == null) listedNow = activeOnServer(cj);
        if (listedNow.stream().noneMatch(r -> r.getUid().equals(j.getMetadata().getUid()))) {
          events().warning(cj, "UnexpectedJob", "Saw a job that the controller did not create or forgot: %s",
              j.getMetadata().getName());
        }
        active.add(ref(j));
      }
      if (JobController.conditionTrue(j.getStatus(), "Complete") && j.getStatus().getCompletionTime() != null) {
        Instant done = Instant.parse(j.getStatus().getCompletionTime());
        if (status.getLastSuccessfulTime() == null || Instant.parse(status.getLastSuccessfulTime()).isBefore(done)) {
          status.setLastSuccessfulTime(j.getStatus().getCompletionTime());
        }
      }
    }
    status.setActive(active);
  }

  /** status.active as the server has it now: our cached CronJob may not show a job we just started. */
  private List<ObjectReference> activeOnServer(CronJob cj) {
    CronJob fresh = client.batch().v1().cronjobs().inNamespace(cj.getMetadata().getNamespace())
        .withName(cj.getMetadata().getName()).get();
    return fresh == null || fresh.getStatus() == null ? List.of() : activeRefs(fresh.getStatus());
  }

  /** Starts the job for the most recent missed activation if policy allows; returns the wait until the next one. */
  private Duration schedule(CronJob cj, CronJobStatus status, List<Job> owned, Instant now) {
    ZoneId zone;
    try {
      zone = cj.getSpec().getTimeZone() == null ? ZoneOffset.UTC : ZoneId.of(cj.getSpec().getTimeZone());
    } catch (DateTimeException e) {
      log.info("cronjob {}: unknown time zone {}", key(cj), cj.getSpec().getTimeZone());
      events().warning(cj, "UnknownTimeZone", "invalid timeZone: \"%s\": %s", cj.getSpec().getTimeZone(), e.getMessage());
      return null;
    }
    if (Boolean.TRUE.equals(cj.getSpec().getSuspend())) return null;
    CronSchedule sched;
    try {
      sched = CronSchedule.parse(cj.getSpec().getSchedule());
    } catch (IllegalArgumentException e) {
      // as upstream: an event, and no retry until the spec changes
      log.info("cronjob {}: unparseable schedule {}: {}", key(cj), cj.getSpec().getSchedule(), e.getMessage());
      events().warning(cj, "UnparseableSchedule", "unparseable schedule: \"%s\" : %s", cj.getSpec().getSchedule(),
          e.getMessage());
      return null;
    }
    ZonedDateTime nowZ = now.atZone(sched.zone(zone));
    Instant scheduled = mostRecentMissed(cj, status, sched, nowZ);
    Duration untilNext = untilNext(sched, nowZ);
    if (scheduled == null) return untilNext;
    Long deadline = cj.getSpec().getStartingDeadlineSeconds();
    if (deadline != null && scheduled.plusSeconds(deadline).isBefore(now)) {
      log.info("cronjob {}: missed the starting window for {}", key(cj), scheduled);
      events().warning(cj, "MissSchedule", "Missed scheduled time to start a job: %s",
          RFC1123Z.format(scheduled.atZone(ZoneOffset.UTC)));
      return untilNext;
    }
    String name = jobName(cj, scheduled);
    if (owned.stream().anyMatch(j -> j.getMetadata().getName().equals(name))) {
      // started before; the status write that recorded it may have been lost
      if (status.getLastScheduleTime() == null || Instant.parse(status.getLastScheduleTime()).isBefore(scheduled)) {
        status.setLastScheduleTime(scheduled.toString());
      }
      return untilNext;
    }
    String policy = cj.getSpec().getConcurrencyPolicy() == null ? "Allow" : cj.getSpec().getConcurrencyPolicy();
    if ("Forbid".equals(policy) && !status.getActive().isEmpty()) {
      // upstream leaves lastScheduleTime alone: the run starts late when the active job finishes, within the deadline
      events().normal(cj, "JobAlreadyActive",
          "Not starting job because prior execution is running and concurrency policy is Forbid");
      return untilNext;
    }
    if ("Replace".equals(policy)) {
      for (ObjectReference ref : List.copyOf(status.getActive())) {
        deleteJob(cj, ref.getName());
        status.getActive().remove(ref);
      }
    }
    Job created;
    try {
      created = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace())
          .resource(job(cj, name, scheduled, zone)).create();
      events().normal(cj, "SuccessfulCreate", "Created job %s", created.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        if (!ReplicaController.namespaceTerminating(e)) {
          events().warning(cj, "FailedCreate", "Error creating job: %s", EventRecorder.errorMessage(e));
        }
        throw e;
      }
      // created before (our cache is behind) or by someone else: only ours counts as this activation
      Job existing = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(name).get();
      OwnerReference ref = existing == null ? null : ReplicaController.controllerRef(existing);
      if (ref == null || !cj.getMetadata().getUid().equals(ref.getUid())) {
        log.info("cronjob {}: job {} exists and is not ours", key(cj), name);
        return untilNext;
      }
      created = existing;
    }
    Job j = created;
    if (status.getActive().stream().noneMatch(r -> r.getUid().equals(j.getMetadata().getUid()))) {
      status.getActive().add(ref(j));
    }
    status.setLastScheduleTime(scheduled.toString());
    return untilNext;
  }

  /** The latest activation after the last scheduled run (or creation) and at or before now, or null. */
  private Instant mostRecentMissed(CronJob cj, CronJobStatus status, CronSchedule sched, ZonedDateTime now) {
    Instant earliest = Instant.parse(status.getLastScheduleTime() != null ? status.getLastScheduleTime()
        : cj.getMetadata().getCreationTimestamp());
    Long deadline = cj.getSpec().getStartingDeadlineSeconds();
    if (deadline != null) {
      Instant windowStart = now.toInstant().minusSeconds(deadline);
      if (windowStart.isAfter(earliest)) earliest = windowStart;
    }
    ZonedDateTime t = sched.next(earliest.atZone(now.getZone()));
    Instant latest = null;
    int missed = 0;
    while (t != null && !t.isAfter(now)) {
      latest = t.toInstant();
      if (++missed == MAX_MISSED + 1) {
        log.info("cronjob {}: too many missed start times (> {})", key(cj), MAX_MISSED);
      }
      if (missed > 100_000) break;
      t = sched.next(t);
    }
    if (missed > MAX_MISSED) {
      events().warning(cj, "TooManyMissedTimes", "too many missed start times: %d. Set or decrease "
          + ".spec.startingDeadlineSeconds or check clock skew", missed);
    }
    return latest;
  }

  private static Duration untilNext(CronSchedule sched, ZonedDateTime now) {
    ZonedDateTime next = sched.next(now);
    if (next == null) return null;
    // a little past the minute, as upstream, so the activation is due when looked at
    return Duration.between(now.toInstant(), next.toInstant()).plusMillis(100);
  }

  static String jobName(CronJob cj, Instant scheduled) {
    return cj.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
  }

  private Job job(CronJob cj, String name, Instant scheduled, ZoneId zone) {
    JobTemplateSpec t = cj.getSpec().getJobTemplate();
    Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getLabels());
    Map<String, String> annotations = t.getMetadata() == null || t.getMetadata().getAnnotations() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getAnnotations());
    // RFC 3339 in the CronJob's time zone, as upstream
    annotations.put(SCHEDULED_TIMESTAMP, RFC3339.format(scheduled.atZone(zone).truncatedTo(ChronoUnit.SECONDS)));
    OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("CronJob")
        .withName(cj.getMetadata().getName()).withUid(cj.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
    return new JobBuilder().withNewMetadata().withName(name).withNamespace(cj.getMetadata().getNamespace())
        .withLabels(labels).withAnnotations(annotations).withOwnerReferences(owner).endMetadata()
        .withSpec(t.getSpec()).build();
  }

  private static ObjectReference ref(Job j) {
    return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
        .withNamespace(j.getMetadata().getNamespace()).withName(j.getMetadata().getName())
        .withUid(j.getMetadata().getUid()).withResourceVersion(j.getMetadata().getResourceVersion()).build();
  }

  /** Deletes the oldest finished jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  private void cleanUpHistory(CronJob cj, List<Job> owned) {
    Integer okLimit = cj.getSpec().getSuccessfulJobsHistoryLimit();
    Integer failLimit = cj.getSpec().getFailedJobsHistoryLimit();
    List<Job> ok = new ArrayList<>();
    List<Job> failed = new ArrayList<>();
    for (Job j : owned) {
      if (j.getMetadata().getDeletionTimestamp() != null) continue;
      if (JobController.conditionTrue(j.getStatus(), "Complete")) ok.add(j);
      else if (JobController.conditionTrue(j.getStatus(), "Failed")) failed.add(j);
    }
    if (okLimit != null) deleteOldest(cj, ok, okLimit);
    if (failLimit != null) deleteOldest(cj, failed, failLimit);
  }

  private void deleteOldest(CronJob cj, List<Job> finished, int keep) {
    if (finished.size() <= keep) return;
    // upstream orders by start time; a job that never started sorts first
    Comparator<Job> byStart = Comparator.comparing(j -> j.getStatus() == null || j.getStatus().getStartTime() == null
        ? Instant.MIN : Instant.parse(j.getStatus().getStartTime()));
    List<Job> sorted = new ArrayList<>(finished);
    sorted.sort(byStart.thenComparing(j -> j.getMetadata().getName()));
    for (Job j : sorted.subList(0, sorted.size() - keep)) deleteJob(cj, j.getMetadata().getName());
  }

  private void deleteJob(CronJob cj, String name) {
    try {
      if (!client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(name)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty()) {
        events().normal(cj, "SuccessfulDelete", "Deleted job %s", name);
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        events().warning(cj, "FailedDelete", "Deleted job: %s", EventRecorder.errorMessage(e));
        throw e;
      }
    }
  }

  private static List<ObjectReference> activeRefs(CronJobStatus s) {
    return s.getActive() == null ? new ArrayList<>() : new ArrayList<>(s.getActive());
  }

  private static boolean sameStatus(CronJobStatus a, CronJobStatus b) {
    return uids(a.getActive()).equals(uids(b.getActive()))
        && Objects.equals(a.getLastScheduleTime(), b.getLastScheduleTime())
        && Objects.equals(a.getLastSuccessfulTime(), b.getLastSuccessfulTime());
  }

  private static List<String> uids(List<ObjectReference> refs) {
    return refs == null ? List.of() : refs.stream().map(ObjectReference::getUid).toList();
  }

  private void writeStatus(CronJob cj, CronJobStatus status) {
    CronJob fresh = client.batch().v1().cronjobs().inNamespace(cj.getMetadata().getNamespace())
        .withName(cj.getMetadata().getName()).get();
    if (fresh == null || !fresh.getMetadata().getUid().equals(cj.getMetadata().getUid())) return;
    // a cache behind the server would write an older status back; the informer brings the news and this key again
    if (!Objects.equals(fresh.getMetadata().getResourceVersion(), cj.getMetadata().getResourceVersion())) return;
    fresh.setStatus(status);
    try {
      client.batch().v1().cronjobs().inNamespace(fresh.getMetadata().getNamespace()).resource(fresh).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }
}
