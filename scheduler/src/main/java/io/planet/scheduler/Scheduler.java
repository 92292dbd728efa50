package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.client.events.EventRecorder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler: informers on pods and nodes feed the cache and the queue all the time; while {@link #startScheduling}
 * is in effect (the leader), one loop takes pending pods, picks a node and binds them.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final KubernetesClient client;
  private final ClusterCache cache = new ClusterCache();
  private final SchedulingQueue queue = new SchedulingQueue();
  private final StorageInformers storage;
  private final ScheduleAlgorithm algorithm;
  private final DefaultPreemption preemption;
  private final SchedulerMetrics metrics = new SchedulerMetrics(queue);
  private final Binder binder;
  private final PodConditions conditions;
  private final EventRecorder events;
  /** PodScheduled condition writes after a failed attempt run here, off the scheduling loop. */
  private final ExecutorService writers = Executors.newFixedThreadPool(4, daemon("scheduler-writer"));
  /**
   * Bindings in flight. Like upstream, the loop goes on to the next pod while a binding is written (the pod is assumed in
   * the cache meanwhile); the bound keeps the loop from running arbitrarily far ahead of an API server that lags.
   */
  private final Semaphore bindings = new Semaphore(MAX_BINDINGS_IN_FLIGHT);
  static final int MAX_BINDINGS_IN_FLIGHT = 32;
  private static final int EVENT_WRITERS = 4;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("scheduler-timer"));
  private SharedIndexInformer<Pod> podInformer;
  private SharedIndexInformer<Node> nodeInformer;
  private SharedIndexInformer<Namespace> namespaceInformer;
  private volatile Thread loop;

  public Scheduler(KubernetesClient client, String identity) {
    this.client = client;
    this.storage = new StorageInformers(client, queue::moveAllToActive);
    this.algorithm = new ScheduleAlgorithm(new VolumeBinding(storage, storage));
    this.preemption = new DefaultPreemption(algorithm);
    this.binder = new Binder(client);
    this.conditions = new PodConditions(client);
    // events come in bursts as fast as pods are bound: a few writers keep up where one request at a time would not
    this.events = new EventRecorder(client, Pods.DEFAULT_SCHEDULER, null, identity, EVENT_WRITERS);
  }

  public SchedulerMetrics metrics() {
    return metrics;
  }

  /** Starts the informers and waits until they have listed everything. */
  public Scheduler start(Duration syncTimeout) {
    nodeInformer = client.nodes().inform(new NodeHandler(), 0);
    podInformer = client.pods().inAnyNamespace().inform(new PodHandler(), 0);
    namespaceInformer = client.namespaces().inform(new NamespaceHandler(), 0);
    var storageSynced = storage.start();
    try {
      CompletableFuture.allOf(nodeInformer.start().toCompletableFuture(), podInformer.start().toCompletableFuture(),
              namespaceInformer.start().toCompletableFuture(), CompletableFuture.allOf(storageSynced.toArray(CompletableFuture[]::new)))
          .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("informers did not sync: " + e.getMessage(), e);
    }
    timers.scheduleWithFixedDelay(queue::flushUnschedulableLeftover, 30, 30, TimeUnit.SECONDS);
    return this;
  }

  /** Begins assigning pods (on becoming the leader). */
  public synchronized void startScheduling() {
    if (loop != null) return;
    loop = new Thread(this::run, "scheduler-loop");
    loop.setDaemon(true);
    loop.start();
    log.info("scheduling started");
  }

  /** Stops assigning pods (on losing leadership); the informers keep the cache warm. */
  public synchronized void stopScheduling() {
    Thread t = loop;
    loop = null;
    if (t == null) return;
    t.interrupt();
    try {
      t.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("scheduling stopped");
  }

  public boolean isScheduling() {
    return loop != null;
  }

  private void run() {
    while (loop == Thread.currentThread()) {
      SchedulingQueue.Entry e;
      try {
        e = queue.pop(500);
      } catch (InterruptedException ie) {
        return;
      }
      if (e == null) continue;
      try {
        scheduleOne(e);
      } catch (InterruptedException ie) {
        queue.retry(e);
        return;
      } catch (RuntimeException ex) {
        log.warn("scheduling {} failed: {}", Pods.key(e.pod()), ex.toString());
        metrics.error();
        queue.retry(e);
      }
    }
  }

  private void scheduleOne(SchedulingQueue.Entry e) throws InterruptedException {
    Pod pod = e.pod();
    if (!Pods.needsScheduling(pod)) {
      queue.done(e);
      return;
    }
    long started = System.nanoTime();
    PodContext ctx = new PodContext(pod);
    ScheduleAlgorithm.Result result = cache.withSnapshot(s -> {
      ScheduleAlgorithm.Result r = algorithm.schedule(ctx, s);
      // upstream's PostFilter: a pod no node fits may make room by evicting pods of lower priority
      if (r instanceof ScheduleAlgorithm.Unschedulable u && u.error().numAllNodes() > 0
          && u.error().preFilterMessage() == null) {
        DefaultPreemption.Outcome o = preemption.preempt(ctx, s);
        return new ScheduleAlgorithm.Unschedulable(u.error(), o.candidate(), o.message(), o.clearNomination());
      }
      return r;
    });
    if (result instanceof ScheduleAlgorithm.Chosen chosen) {
      String node = chosen.node();
      cache.assume(ctx.info(), node);
      try {
        bindings.acquire();
      } catch (InterruptedException ie) {
        cache.forget(pod);
        throw ie;
      }
      CompletableFuture<Void> bound;
      try {
        // upstream's PreBind: WaitForFirstConsumer claims learn their node, and the pod is bound once they are
        bound = algorithm.preBind(pod, node)
            ? claimsBound(pod).thenCompose(v -> binder.bind(pod, node)) : binder.bind(pod, node);
      } catch (RuntimeException ex) {
        bindings.release();
        cache.forget(pod);
        throw ex;
      }
      // the follow-up is cheap (no API call waits in it), so it runs where the response completes
      bound.whenComplete((ok, err) -> {
        bindings.release();
        if (err == null) {
          queue.done(e);
          long now = System.nanoTime();
          metrics.scheduled(Duration.ofNanos(now - started), Duration.ofNanos(now - e.addedNanos()));
          events.event(EventRecorder.reference(pod), "Normal", "Scheduled", "Binding",
              "Successfully assigned " + Pods.key(pod) + " to " + node);
          return;
        }
        cache.forget(pod);
        metrics.error();
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause() : err;
        int code = cause instanceof KubernetesClientException k ? k.getCode() : 0;
        if (code == 404 || code == 409) {
          // deleted, or bound by someone else: the informer brings the news
          queue.done(e);
        } else {
          log.warn("binding {} to {} failed: {}", Pods.key(pod), node, cause.getMessage());
          queue.retry(e);
        }
      });
      return;
    }
    ScheduleAlgorithm.Unschedulable unschedulable = (ScheduleAlgorithm.Unschedulable) result;
    String message = unschedulable.message();
    DefaultPreemption.Candidate candidate = unschedulable.preemption();
    // the room is kept for the pod from now on, before the victims are even gone
    if (candidate != null) {
      cache.nominate(ctx.info(), candidate.node());
      for (PodInfo p : candidate.lowerNominated()) cache.unnominate(p.key());
    }
    boolean withdraw = unschedulable.clearNomination() && cache.nominatedNode(ctx.info().key()) != null;
    if (withdraw) cache.unnominate(ctx.info().key());
    String nominated = candidate != null ? candidate.node() : withdraw ? "" : null;
    metrics.unschedulable(Duration.ofNanos(System.nanoTime() - started));
    queue.unschedulable(e);
    writers.execute(() -> {
      if (candidate != null) evict(pod, candidate);
      try {
        conditions.unschedulable(pod, message, nominated);
      } catch (RuntimeException ex) {
        log.debug("could not update the PodScheduled condition of {}: {}", Pods.key(pod), ex.getMessage());
      }
      events.event(EventRecorder.reference(pod), "Warning", "FailedScheduling", "Scheduling", message);
    });
  }

  /** Completes once the pod's claims are bound (provisioned for the chosen node); fails after upstream's 600 s. */
  private CompletableFuture<Void> claimsBound(Pod pod) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + CLAIM_BINDING_TIMEOUT.toNanos();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (algorithm.claimsBound(pod)) {
        done.complete(null);
      } else if (System.nanoTime() > deadline) {
        done.completeExceptionally(new java.util.concurrent.TimeoutException("binding volumes: timed out waiting for the condition"));
      } else {
        timers.schedule(check[0], 100, TimeUnit.MILLISECONDS);
      }
    };
    timers.execute(check[0]);
    return done;
  }

  static final Duration CLAIM_BINDING_TIMEOUT = Duration.ofSeconds(600);

  /**
   * Upstream's prepareCandidate: each victim gets DisruptionTarget, a Preempted event, and is deleted; pods of lower
   * priority nominated to the node lose their nomination.
   */
  private void evict(Pod preemptor, DefaultPreemption.Candidate candidate) {
    for (PodInfo p : candidate.lowerNominated()) {
      try {
        conditions.clearNomination(p.pod());
      } catch (RuntimeException ex) {
        log.debug("could not clear the nomination of {}: {}", p.key(), ex.getMessage());
      }
    }
    for (PodInfo victim : candidate.victims()) {
      Pod v = victim.pod();
      try {
        conditions.preempted(v);
      } catch (RuntimeException ex) {
        log.debug("could not mark {} as a disruption target: {}", victim.key(), ex.getMessage());
      }
      try {
        client.pods().inNamespace(v.getMetadata().getNamespace()).withName(v.getMetadata().getName()).delete();
        events.event(EventRecorder.reference(v), "Normal", "Preempted", "Preempting",
            "Preempted by pod " + preemptor.getMetadata().getUid() + " on node " + candidate.node());
        log.info("preempted {} on {} for {}", victim.key(), candidate.node(), Pods.key(preemptor));
      } catch (RuntimeException ex) {
        log.warn("could not preempt {}: {}", victim.key(), ex.getMessage());
      }
    }
  }

  @Override
  public void close() {
    stopScheduling();
    queue.close();
    if (podInformer != null) podInformer.close();
    if (nodeInformer != null) nodeInformer.close();
    if (namespaceInformer != null) namespaceInformer.close();
    storage.close();
    timers.shutdownNow();
    events.close();
    writers.shutdown();
    try {
      writers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private final class PodHandler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      if (Pods.isAssigned(pod)) {
        cache.addOrUpdatePod(pod);
      } else if (Pods.needsScheduling(pod) && !cache.isAssumed(Pods.key(pod))) {
        nominated(pod);
        queue.add(pod);
      }
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {
      String key = Pods.key(pod);
      if (Pods.isAssigned(pod)) {
        cache.unnominate(key);
        boolean freed = !Pods.isTerminal(old) && Pods.isTerminal(pod);
        cache.addOrUpdatePod(pod);
        queue.delete(key);
        if (freed || !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels())) queue.moveAllToActive();
      } else if (Pods.needsScheduling(pod)) {
        if (cache.isAssumed(key)) return;
        nominated(pod);
        if (changedBeyondStatus(old, pod)) queue.add(pod);
        else queue.refresh(pod);
      } else {
        queue.delete(key);
        cache.unnominate(key);
        cache.addOrUpdatePod(pod);
      }
    }

    /** A pending pod's status.nominatedNodeName (a preemption's, perhaps an earlier scheduler's) keeps its room. */
    private void nominated(Pod pod) {
      String node = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
      if (node != null && !node.isEmpty()) cache.nominate(new PodInfo(pod), node);
    }

    @Override
    public void onDelete(Pod pod, boolean unknownFinalState) {
      String key = Pods.key(pod);
      queue.delete(key);
      cache.unnominate(key);
      boolean wasAccounted = Pods.isAssigned(pod) || cache.isAssumed(key);
      cache.removePod(key);
      if (wasAccounted) queue.moveAllToActive();
    }
  }

  /** Our own status writes must not wake a parked pod; a changed spec, labels or annotations may. */
  private static boolean changedBeyondStatus(Pod old, Pod pod) {
    ObjectMeta a = old.getMetadata();
    ObjectMeta b = pod.getMetadata();
    return !Objects.equals(old.getSpec(), pod.getSpec()) || !Objects.equals(a.getLabels(), b.getLabels())
        || !Objects.equals(a.getAnnotations(), b.getAnnotations());
  }

  private final class NodeHandler implements ResourceEventHandler<Node> {
    @Override
    public void onAdd(Node node) {
      cache.addOrUpdateNode(node);
      queue.moveAllToActive();
    }

    @Override
    public void onUpdate(Node old, Node node) {
      cache.addOrUpdateNode(node);
      // heartbeats change only conditions and timestamps: wake parked pods only for what filters look at
      boolean relevant = !Objects.equals(old.getSpec(), node.getSpec())
          || !Objects.equals(old.getMetadata().getLabels(), node.getMetadata().getLabels())
          || !Objects.equals(old.getStatus() == null ? null : old.getStatus().getAllocatable(),
              node.getStatus() == null ? null : node.getStatus().getAllocatable());
      if (relevant) queue.moveAllToActive();
    }

    @Override
    public void onDelete(Node node, boolean unknownFinalState) {
      cache.removeNode(node.getMetadata().getName());
    }
  }

  /** Namespace labels, for pod affinity terms with a namespaceSelector. */
  private final class NamespaceHandler implements ResourceEventHandler<Namespace> {
    @Override
    public void onAdd(Namespace ns) {
      cache.addOrUpdateNamespace(ns.getMetadata().getName(), ns.getMetadata().getLabels());
    }

    @Override
    public void onUpdate(Namespace old, Namespace ns) {
      cache.addOrUpdateNamespace(ns.getMetadata().getName(), ns.getMetadata().getLabels());
      if (!Objects.equals(old.getMetadata().getLabels(), ns.getMetadata().getLabels())) queue.moveAllToActive();
    }

    @Override
    public void onDelete(Namespace ns, boolean unknownFinalState) {
      cache.removeNamespace(ns.getMetadata().getName());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
