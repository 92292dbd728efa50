package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.planet.client.events.EventRecorder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * batch/v1 Job: runs pods from the template until {@code completions} have succeeded (in Indexed mode: one pod per
 * completion index, with the index in annotation, label, hostname and JOB_COMPLETION_INDEX), at most
 * {@code parallelism} at once; fails the job when failed pods exceed {@code backoffLimit}, a podFailurePolicy rule
 * says FailJob, indexes fail beyond backoffLimitPerIndex/maxFailedIndexes, or it runs longer than
 * {@code activeDeadlineSeconds}; succeeds early by a successPolicy; {@code suspend} deletes the active pods. Matching
 * orphans are adopted, pods that stop matching released. Succeeded and failed are counted from the phases of the
 * job's pods (no job-tracking finalizer), so a finished pod deleted by hand leaves the count.
 */
public final class JobController extends Controller {
  /** Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
  static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(6);
  private static final int BURST = 500;

  private final KubernetesClient client;
  private final Clock clock;
  private final Duration backoff;
  private final Expectations expectations = new Expectations();
  private final PodControllerRefManager refs;
  /** Per job: failed pods seen and when that count last grew, to delay replacements of failing pods. */
  private final Map<String, FailureMark> failures = new ConcurrentHashMap<>();
  private SharedIndexInformer<Job> jobs;
  private SharedIndexInformer<Pod> pods;

  private record FailureMark(int failed, Instant at) {}

  public JobController(KubernetesClient client) {
    this(client, Clock.systemUTC(), DEFAULT_BACKOFF);
  }

  JobController(KubernetesClient client, Clock clock, Duration backoff) {
    super("job", 5);
    this.client = client;
    this.clock = clock;
    this.backoff = backoff;
    this.refs = new PodControllerRefManager(client);
  }

  @Override
  protected void register(Informers informers) {
    jobs = informers.informer(Job.class);
    pods = informers.informer(Pod.class);
    jobs.addEventHandler(enqueueing());
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        Job job = controllerOf(pod);
        if (job == null) {
          // an orphan: the jobs selecting it may adopt it
          if (ReplicaController.controllerRef(pod) == null) enqueueSelecting(pod);
          return;
        }
        expectations.creationObserved(key(job));
        enqueue(key(job));
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) return;
        Job oldJob = controllerOf(old);
        Job job = controllerOf(pod);
        if (oldJob != null && (job == null || !key(oldJob).equals(key(job)))) enqueue(key(oldJob));
        if (job == null) {
          if (ReplicaController.controllerRef(pod) == null
              && (!Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels()) || oldJob != null)) {
            enqueueSelecting(pod);
          }
          return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) expectations.deletionObserved(key(job), pod.getMetadata().getUid());
        enqueue(key(job));
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        Job job = controllerOf(pod);
        if (job == null) return;
        expectations.deletionObserved(key(job), pod.getMetadata().getUid());
        enqueue(key(job));
      }
    });
  }

  private void enqueueSelecting(Pod pod) {
    for (Job job : jobs.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
      if (Selectors.matches(job.getSpec().getSelector(), pod.getMetadata().getLabels())) enqueue(key(job));
    }
  }

  private Job controllerOf(Pod pod) {
    OwnerReference ref = ReplicaController.controllerRef(pod);
    if (ref == null || !"Job".equals(ref.getKind())) return null;
    Job job = jobs.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + ref.getName());
    return job != null && job.getMetadata().getUid().equals(ref.getUid()) ? job : null;
  }

  @Override
  protected void reconcile(String key) throws Exception {
    Job job = jobs.getStore().getByKey(key);
    if (job == null) {
      expectations.forget(key);
      failures.remove(key);
      return;
    }
    String ns = job.getMetadata().getNamespace();
    List<Pod> owned = refs.claim(job, ownerRef(job),
        p -> Selectors.matches(job.getSpec().getSelector(), p.getMetadata().getLabels()),
        pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns),
        // a finished job adopts nothing (upstream does not sync it at all): it would only delete what it adopted
        () -> finished(job.getStatus()) ? null : client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get());
    Tally t = tally(job, owned);
    List<Pod> active = t.active();
    int succeeded = t.succeeded();
    int failed = t.failed();
    JobStatus old = job.getStatus() == null ? new JobStatus() : job.getStatus();
    JobStatus status = copy(old);
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode()) && job.getSpec().getCompletions() != null;
    SortedSet<Integer> succeededIndexes = null;
    SortedSet<Integer> failedIndexes = new TreeSet<>();
    Integer perIndexLimit = job.getSpec().getBackoffLimitPerIndex();
    if (indexed) {
      // an index counts once however many of its pods succeeded
      succeededIndexes = CompletionIndexes.succeeded(owned, job.getSpec().getCompletions());
      succeeded = succeededIndexes.size();
      status.setCompletedIndexes(CompletionIndexes.format(succeededIndexes));
      if (perIndexLimit != null) {
        failedIndexes = CompletionIndexes.failed(t.indexFailures(), t.failIndex(), perIndexLimit, succeededIndexes,
            job.getSpec().getCompletions());
        String formatted = CompletionIndexes.format(failedIndexes);
        status.setFailedIndexes(formatted == null ? "" : formatted);
      }
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Duration requeue = null;

    if (finished(old)) {
      // a finished job keeps no running pods (e.g. ones created just before it failed)
      deleteAll(key, active);
      active.clear();
    } else if (job.getMetadata().getDeletionTimestamp() == null) {
      boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
      Integer completions = job.getSpec().getCompletions();
      int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
      Long deadline = job.getSpec().getActiveDeadlineSeconds();
      if (suspended) {
        deleteAll(key, active);
        active.clear();
        if (!conditionTrue(old, "Suspended")) {
          setCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
          events().normal(job, "Suspended", "Job suspended");
        }
      } else {
        if (conditionTrue(old, "Suspended")) {
          // resuming restarts the clock that activeDeadlineSeconds measures
          setCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
          events().normal(job, "Resumed", "Job resumed");
          status.setStartTime(now.toString());
        }
        if (status.getStartTime() == null) status.setStartTime(now.toString());
      }
      Instant started = status.getStartTime() == null ? null : Instant.parse(status.getStartTime());
      String failReason = null;
      String failMessage = null;
      // upstream's order: a FailJob rule, the backoff limit, the deadline, then the failed indexes
      if (t.failJobMessage() != null) {
        failReason = "PodFailurePolicy";
        failMessage = t.failJobMessage();
      } else if (failed > backoffLimit) {
        failReason = "BackoffLimitExceeded";
        failMessage = "Job has reached the specified backoff limit";
      } else if (!suspended && deadline != null && started != null
          && !started.plusSeconds(deadline).isAfter(clock.instant())) {
        failReason = "DeadlineExceeded";
        failMessage = "Job was active longer than specified deadline";
      } else if (job.getSpec().getMaxFailedIndexes() != null && failedIndexes.size() > job.getSpec().getMaxFailedIndexes()) {
        failReason = "MaxFailedIndexesExceeded";
        failMessage = "Job has exceeded the specified maximal number of failed indexes";
      } else if (!failedIndexes.isEmpty() && completions != null && failedIndexes.size() + succeeded >= completions) {
        failReason = "FailedIndexes";
        failMessage = "Job has failed indexes";
      }
      String successReason = null;
      String successMessage = null;
      String matched = failReason == null && indexed
          ? SuccessPolicies.match(job.getSpec().getSuccessPolicy(), completions, succeededIndexes) : null;
      if (matched != null) {
        successReason = "SuccessPolicy";
        successMessage = matched;
      } else if (completions != null ? succeeded >= completions : succeeded > 0 && active.isEmpty()) {
        successReason = "CompletionsReached";
        successMessage = "Reached expected number of succeeded pods";
      }
      if (failReason != null) {
        deleteAll(key, active);
        active.clear();
        setCondition(status, "FailureTarget", "True", failReason, failMessage, now);
        setCondition(status, "Failed", "True", failReason, failMessage, now);
        if (!conditionTrue(old, "Failed")) events().warning(job, failReason, "%s", failMessage);
      } else if (successReason != null) {
        deleteAll(key, active);
        active.clear();
        setCondition(status, "SuccessCriteriaMet", "True", successReason, successMessage, now);
        setCondition(status, "Complete", "True", successReason, successMessage, now);
        status.setCompletionTime(now.toString());
        if (!conditionTrue(old, "Complete")) events().normal(job, "Completed", "Job completed");
      } else if (!suspended) {
        // podReplacementPolicy Failed: a terminating pod still holds its place until it has failed
        int holding = "Failed".equals(job.getSpec().getPodReplacementPolicy()) ? t.terminating() : 0;
        requeue = indexed ? manageIndexed(key, job, active, succeededIndexes, failedIndexes, t.indexFailures(), failed)
            : manage(key, job, active, holding, succeeded, failed);
        if (deadline != null && started != null) {
          Duration left = Duration.between(clock.instant(), started.plusSeconds(deadline)).plusMillis(100);
          if (requeue == null || left.compareTo(requeue) < 0) requeue = left;
        }
      }
    }

    status.setActive(active.size());
    status.setReady((int) active.stream().filter(PodStatus::ready).count());
    status.setSucceeded(succeeded);
    status.setFailed(failed);
    status.setTerminating(t.terminating());
    if (!status.equals(copy(old))) writeStatus(job, status);
    if (requeue != null) throw new Requeue(requeue);
  }

  /**
   * The job's pods sorted out: active ones, how many are terminating, succeeded, and failed as spec.podFailurePolicy
   * counts them (Ignore leaves a failure out), the first FailJob message, and per completion index the failures and
   * the indexes a FailIndex rule failed.
   */
  private record Tally(List<Pod> active, int terminating, int succeeded, int failed, String failJobMessage,
      Map<Integer, Integer> indexFailures, Set<Integer> failIndex) {}

  private static Tally tally(Job job, List<Pod> owned) {
    List<Pod> active = new ArrayList<>();
    int terminating = 0;
    int succeeded = 0;
    int failed = 0;
    String failJob = null;
    Map<Integer, Integer> indexFailures = new HashMap<>();
    Set<Integer> failIndex = new HashSet<>();
    for (Pod p : owned) {
      String phase = PodStatus.phase(p);
      if ("Succeeded".equals(phase)) {
        succeeded++;
      } else if ("Failed".equals(phase)) {
        PodFailurePolicies.Match m = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p);
        if (!m.counts()) continue;
        failed++;
        if (m.action() == PodFailurePolicies.Action.FAIL_JOB && failJob == null) failJob = m.message();
        Integer index = CompletionIndexes.of(p);
        if (index != null) {
          // the annotation remembers failures of pods since deleted
          int counted = indexFailures.merge(index, 1, Integer::sum);
          indexFailures.put(index, Math.max(counted, CompletionIndexes.failuresBefore(p) + 1));
          if (m.action() == PodFailurePolicies.Action.FAIL_INDEX) failIndex.add(index);
        }
      } else if (p.getMetadata().getDeletionTimestamp() == null) {
        active.add(p);
      } else {
        terminating++;
      }
    }
    return new Tally(active, terminating, succeeded, failed, failJob, indexFailures, failIndex);
  }

  /** Creates or deletes pods toward the wanted number active; returns when to look again, if a backoff delays creates. */
  private Duration manage(String key, Job job, List<Pod> active, int holding, int succeeded, int failed) {
    if (!expectations.satisfied(key)) return null;
    int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
    Integer completions = job.getSpec().getCompletions();
    int want;
    if (completions == null) {
      // a work queue: once one pod succeeded, no new pods start
      want = succeeded > 0 ? active.size() : parallelism;
    } else {
      want = Math.min(parallelism, Math.max(0, completions - succeeded));
    }
    if (active.size() > want) {
      deleteAll(key, PodRanking.toDelete(active, Math.min(active.size() - want, BURST)));
      return null;
    }
    int diff = want - active.size() - holding;
    if (diff <= 0) return null;
    Duration wait = backoffRemaining(key, failed);
    if (wait != null) return wait;
    int n = Math.min(diff, BURST);
    expectations.expectCreations(key, n);
    for (int i = 0; i < n; i++) {
      try {
        createPod(job, null, 0);
      } catch (KubernetesClientException e) {
        for (int j = i; j < n; j++) expectations.creationObserved(key);
        throw e;
      }
    }
    return null;
  }

  /**
   * Indexed: one active pod per index neither succeeded nor failed (backoffLimitPerIndex), lowest indexes first;
   * duplicates and strays deleted.
   */
  private Duration manageIndexed(String key, Job job, List<Pod> active, SortedSet<Integer> succeeded,
      SortedSet<Integer> failedIndexes, Map<Integer, Integer> indexFailures, int failed) {
    if (!expectations.satisfied(key)) return null;
    int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
    int completions = job.getSpec().getCompletions();
    List<Pod> excess = new ArrayList<>();
    SortedMap<Integer, Pod> byIndex = new TreeMap<>();
    for (Pod p : active) {
      Integer i = CompletionIndexes.of(p);
      if (i == null || i >= completions || succeeded.contains(i) || failedIndexes.contains(i) || byIndex.containsKey(i)) {
        excess.add(p);
      }
      else byIndex.put(i, p);
    }
    int want = Math.min(parallelism, completions - succeeded.size() - failedIndexes.size());
    // beyond parallelism (it was lowered): the highest indexes go
    while (byIndex.size() > want) excess.add(byIndex.remove(byIndex.lastKey()));
    if (!excess.isEmpty()) {
      deleteAll(key, excess);
      active.removeAll(excess);
      return null;
    }
    int diff = Math.min(want - byIndex.size(), BURST);
    if (diff <= 0) return null;
    Duration wait = backoffRemaining(key, failed);
    if (wait != null) return wait;
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < completions && indexes.size() < diff; i++) {
      if (!succeeded.contains(i) && !failedIndexes.contains(i) && !byIndex.containsKey(i)) indexes.add(i);
    }
    expectations.expectCreations(key, indexes.size());
    for (int n = 0; n < indexes.size(); n++) {
      try {
        createPod(job, indexes.get(n), indexFailures.getOrDefault(indexes.get(n), 0));
      } catch (KubernetesClientException e) {
        for (int j = n; j < indexes.size(); j++) expectations.creationObserved(key);
        throw e;
      }
    }
    return null;
  }

  /** Upstream delays new pods after failures: backoff * 2^(failures-1), capped at six minutes. */
  private Duration backoffRemaining(String key, int failed) {
    if (failed == 0 || backoff.isZero()) {
      failures.remove(key);
      return null;
    }
    FailureMark mark = failures.get(key);
    if (mark == null || mark.failed() != failed) {
      mark = new FailureMark(failed, clock.instant());
      failures.put(key, mark);
    }
    Duration delay = backoff.multipliedBy(1L << Math.min(failed - 1, 20));
    if (delay.compareTo(MAX_BACKOFF) > 0) delay = MAX_BACKOFF;
    Duration left = Duration.between(clock.instant(), mark.at().plus(delay));
    return left.isNegative() || left.isZero() ? null : left;
  }

  /** A pod from the template; an indexed one carries its index and, with backoffLimitPerIndex, its failures so far. */
  private void createPod(Job job, Integer index, int indexFailures) {
    PodTemplateSpec t = job.getSpec().getTemplate();
    Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getLabels());
    Map<String, String> annotations = t.getMetadata() == null || t.getMetadata().getAnnotations() == null
        ? new HashMap<>() : new HashMap<>(t.getMetadata().getAnnotations());
    OwnerReference ref = ownerRef(job);
    PodSpec spec = t.getSpec();
    String generateName = job.getMetadata().getName() + "-";
    if (index != null) {
      labels.put(CompletionIndexes.KEY, index.toString());
      annotations.put(CompletionIndexes.KEY, index.toString());
      if (job.getSpec().getBackoffLimitPerIndex() != null) {
        annotations.put(CompletionIndexes.FAILURE_COUNT_KEY, Integer.toString(indexFailures));
      }
      generateName = job.getMetadata().getName() + "-" + index + "-";
      spec = indexedSpec(spec, job.getMetadata().getName() + "-" + index);
    }
    Pod pod = new PodBuilder().withNewMetadata()
        .withGenerateName(generateName)
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(labels).withAnnotations(annotations)
        .withFinalizers(t.getMetadata() == null ? null : t.getMetadata().getFinalizers())
        .withOwnerReferences(ref)
        .endMetadata().withSpec(spec).build();
    try {
      Pod created = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
      events().normal(job, "SuccessfulCreate", "Created pod: %s", created.getMetadata().getName());
    } catch (KubernetesClientException e) {
      events().warning(job, "FailedCreate", "Error creating: %s", EventRecorder.errorMessage(e));
      throw e;
    }
  }

  private static OwnerReference ownerRef(Job job) {
    return new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
        .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  /** A copy of the template's spec with the hostname and JOB_COMPLETION_INDEX an indexed pod gets upstream. */
  private static PodSpec indexedSpec(PodSpec template, String hostname) {
    PodSpecBuilder b = new PodSpecBuilder(template);
    if (template.getHostname() == null) b.withHostname(hostname);
    b.withContainers(withIndexEnv(template.getContainers()));
    b.withInitContainers(withIndexEnv(template.getInitContainers()));
    return b.build();
  }

  private static List<Container> withIndexEnv(List<Container> containers) {
    if (containers == null) return null;
    List<Container> out = new ArrayList<>();
    for (Container c : containers) {
      boolean has = c.getEnv() != null && c.getEnv().stream().anyMatch(e -> "JOB_COMPLETION_INDEX".equals(e.getName()));
      ContainerBuilder b = new ContainerBuilder(c);
      if (!has) {
        b.addNewEnv().withName("JOB_COMPLETION_INDEX").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.annotations['" + CompletionIndexes.KEY + "']").endFieldRef().endValueFrom().endEnv();
      }
      out.add(b.build());
    }
    return out;
  }

  private void deleteAll(String key, List<Pod> victims) {
    Job owner = jobs.getIndexer().getByKey(key);
    PodDeletions.delete(client, expectations, key, victims, p -> {
      if (owner != null) events().normal(owner, "SuccessfulDelete", "Deleted pod: %s", p.getMetadata().getName());
    }, (p, e) -> { });
  }

  private void writeStatus(Job job, JobStatus status) {
    Job fresh = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).get();
    if (fresh == null || !fresh.getMetadata().getUid().equals(job.getMetadata().getUid())) return;
    if (!Objects.equals(fresh.getMetadata().getResourceVersion(), job.getMetadata().getResourceVersion())) {
      // the cache is behind: the informer brings the new version and this key is looked at again
      return;
    }
    fresh.setStatus(status);
    try {
      client.batch().v1().jobs().inNamespace(fresh.getMetadata().getNamespace()).resource(fresh).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e; // deleted meanwhile: no status to keep
    }
  }

  static boolean finished(JobStatus s) {
    return conditionTrue(s, "Complete") || conditionTrue(s, "Failed");
  }

  static boolean conditionTrue(JobStatus s, String type) {
    if (s == null || s.getConditions() == null) return false;
    return s.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Sets a condition, keeping its transition time when the status does not change. */
  private static void setCondition(JobStatus s, String type, String value, String reason, String message, Instant now) {
    List<JobCondition> conditions = s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
    JobCondition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition = existing != null && value.equals(existing.getStatus()) ? existing.getLastTransitionTime() : now.toString();
    conditions.remove(existing);
    conditions.add(new JobConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastProbeTime(now.toString()).withLastTransitionTime(transition).build());
    s.setConditions(conditions);
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  private static JobStatus copy(JobStatus s) {
    JobStatus c = new JobStatus();
    // the API server leaves zero counts out: null and 0 are the same count
    c.setActive(orZero(s.getActive()));
    c.setReady(orZero(s.getReady()));
    c.setSucceeded(orZero(s.getSucceeded()));
    c.setFailed(orZero(s.getFailed()));
    c.setTerminating(orZero(s.getTerminating()));
    c.setStartTime(s.getStartTime());
    c.setCompletionTime(s.getCompletionTime());
    c.setCompletedIndexes(s.getCompletedIndexes());
    c.setFailedIndexes(s.getFailedIndexes());
    c.setUncountedTerminatedPods(s.getUncountedTerminatedPods());
    c.setConditions(s.getConditions() == null ? null : new ArrayList<>(s.getConditions()));
    return c;
  }
}
