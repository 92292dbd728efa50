package io.planet.controllers;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Upstream's ttl-after-finished controller: a Job with {@code spec.ttlSecondsAfterFinished} is deleted that many
 * seconds after its Complete or Failed condition turned True, with foreground propagation so its pods go first.
 * A job not yet expired is looked at again when it expires, not by polling.
 */
public final class TTLAfterFinishedController extends Controller {
  private final KubernetesClient client;
  private final Clock clock;
  private SharedIndexInformer<Job> jobs;

  public TTLAfterFinishedController(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  TTLAfterFinishedController(KubernetesClient client, Clock clock) {
    super("ttlafterfinished", 2);
    this.client = client;
    this.clock = clock;
  }

  @Override
  protected void register(Informers informers) {
    jobs = informers.informer(Job.class);
    jobs.addEventHandler(handler(job -> {
      if (job.getMetadata().getDeletionTimestamp() == null && expiresAt(job) != null) enqueue(key(job));
    }));
  }

  /** When the job is due for deletion: its finish time plus the TTL; null when it has no TTL or is not finished. */
  static Instant expiresAt(Job job) {
    Integer ttl = job.getSpec() == null ? null : job.getSpec().getTtlSecondsAfterFinished();
    if (ttl == null || job.getStatus() == null || job.getStatus().getConditions() == null) return null;
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())
          && c.getLastTransitionTime() != null) {
        return Instant.parse(c.getLastTransitionTime()).plusSeconds(ttl);
      }
    }
    return null;
  }

  @Override
  protected void reconcile(String key) throws Exception {
    Job cached = jobs.getStore().getByKey(key);
    if (cached == null || cached.getMetadata().getDeletionTimestamp() != null) return;
    Duration left = timeLeft(cached);
    if (left == null) return;
    if (left.compareTo(Duration.ZERO) > 0) throw new Requeue(left);
    // the cache may be behind (the TTL raised, the job restarted): decide on what the API server has now
    String ns = cached.getMetadata().getNamespace();
    String name = cached.getMetadata().getName();
    Job fresh = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    if (fresh == null || fresh.getMetadata().getDeletionTimestamp() != null) return;
    left = timeLeft(fresh);
    if (left == null) return;
    if (left.compareTo(Duration.ZERO) > 0) throw new Requeue(left);
    // foreground, so the job stays visible until its pods are gone; the uid precondition spares a job recreated
    // under the same name meanwhile (fabric8's delete has no uid precondition, hence the raw request)
    String options = """
        {"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground","preconditions":{"uid":"%s"}}"""
        .formatted(fresh.getMetadata().getUid());
    try {
      client.raw("/apis/batch/v1/namespaces/" + ns + "/jobs/" + name, "DELETE", options);
      log.info("deleted job {} {}s after it finished", key, fresh.getSpec().getTtlSecondsAfterFinished());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e; // 409: changed meanwhile, the retry reads it again
    }
  }

  private Duration timeLeft(Job job) {
    Instant at = expiresAt(job);
    return at == null ? null : Duration.between(clock.instant(), at);
  }
}
