package io.planet.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.planet.client.events.EventRecorder;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller: informer handlers enqueue keys ("namespace/name", or "name" for cluster objects), workers call the
 * idempotent {@link #reconcile}; a failure re-queues the key with back-off. Up to {@code workers} reconciles run at
 * once (upstream's concurrent syncs), on threads of a pool all controllers share that run only while there is work:
 * an idle controller-manager with dozens of controllers holds no worker threads.
 */
public abstract class Controller {
  /** Threads for the workers of every controller; idle ones end after a while. */
  private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "controller-worker");
        t.setDaemon(true);
        return t;
      });

  protected final Logger log = LoggerFactory.getLogger(getClass());
  private final String name;
  private final int workers;
  /** Guards {@link #active} and {@link #running}: not {@code this}, which subclasses may lock while they enqueue. */
  private final Object workersLock = new Object();
  /** Workers running now (at most {@link #workers}). */
  private int active;
  private boolean running;
  private WorkQueue queue;
  private Timer reconcileTimer;
  private EventRecorder events;

  protected Controller(String name, int workers) {
    this.name = name;
    this.workers = workers;
  }

  public String name() {
    return name;
  }

  /** Creates the queue and registers the informers; called before informers start, so no event is missed. */
  public final void setUp(Informers informers) {
    initQueue(informers.registry());
    events = informers.events(eventSource());
    register(informers);
  }

  /** Upstream's source.component of this controller's events; most are the short name plus "-controller". */
  protected String eventSource() {
    return name + "-controller";
  }

  /** Records Events about the objects this controller acts on (available once set up). */
  protected final EventRecorder events() {
    return events;
  }

  /** Registers this controller's informers and handlers on the shared factory. */
  protected abstract void register(Informers informers);

  /** Brings the world in line with the desired state for one key; must be safe to call any number of times. */
  protected abstract void reconcile(String key) throws Exception;

  /** Starts the workers; informers are already synced. */
  public final synchronized void start(MeterRegistry registry) {
    initQueue(registry);
    reconcileTimer = Timer.builder("controller.reconcile.duration").tag("controller", name)
        .description("Time one reconcile takes").register(registry);
    synchronized (workersLock) {
      running = true;
    }
    queue.onReady(this::startWorker);
    log.info("started {} with up to {} workers", name, workers);
    // keys queued before the start (the informers' initial lists)
    for (int i = Math.min(workers, queue.depth()); i > 0; i--) startWorker();
  }

  /** Stops taking keys and waits briefly for in-flight reconciles. */
  public final synchronized void stop() {
    if (queue != null) queue.shutDown();
    synchronized (workersLock) {
      running = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (active > 0 && System.nanoTime() < deadline) {
        try {
          workersLock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** A key is ready: one more worker, unless as many as allowed already run (they will take it). */
  private void startWorker() {
    synchronized (workersLock) {
      if (!running || active >= workers) return;
      active++;
    }
    WORKERS.execute(this::work);
  }

  private void initQueue(MeterRegistry registry) {
    if (queue == null) queue = new WorkQueue(name, RateLimiter.controllerDefault(), registry);
  }

  public void enqueue(String key) {
    queue.add(key);
  }

  public void enqueueAfter(String key, Duration delay) {
    queue.addAfter(key, delay);
  }

  public static String key(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? o.getMetadata().getName() : ns + "/" + o.getMetadata().getName();
  }

  /** A handler that enqueues the object's own key on every change. */
  protected final <T extends HasMetadata> ResourceEventHandler<T> enqueueing() {
    return handler(o -> enqueue(key(o)));
  }

  /** A handler that calls {@code f} with the object for add, update (new object) and delete. */
  protected static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> f) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        f.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        f.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        f.accept(obj);
      }
    };
  }

  /** Takes keys until none is ready, then ends (a key that becomes ready later starts a worker again). */
  private void work() {
    Thread.currentThread().setName(name + "-worker");
    try {
      String key;
      while (!queue.isShuttingDown() && (key = queue.poll()) != null) {
        if (queue.depth() > 0) startWorker(); // more waiting: a second worker, up to the limit
        reconcileOnce(key);
      }
    } finally {
      Thread.currentThread().setName("controller-worker");
      synchronized (workersLock) {
        active--;
        workersLock.notifyAll();
      }
    }
    // a key that became ready while this worker was leaving found it still counted: look once more
    if (queue.depth() > 0) startWorker();
  }

  private void reconcileOnce(String key) {
    long start = System.nanoTime();
    try {
      reconcile(key);
      queue.forget(key);
    } catch (Requeue r) {
      queue.forget(key);
      queue.addAfter(key, r.after);
    } catch (Exception | Error e) {
      if (e instanceof KubernetesClientException k && k.getCode() == 409) {
        // a write raced another: normal for optimistic concurrency, the retry reads again
        log.debug("{}: reconcile {} conflicted: {}", name, key, describe(e));
      } else {
        log.warn("{}: reconcile {} failed (retry {}): {}", name, key, queue.numRequeues(key), describe(e));
      }
      queue.addRateLimited(key);
    } finally {
      reconcileTimer.record(Duration.ofNanos(System.nanoTime() - start));
      queue.done(key);
    }
  }

  /** The API server's own message when there is one; fabric8's exception text repeats the whole Status. */
  private static String describe(Throwable e) {
    if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
      return k.getCode() + " " + k.getStatus().getMessage();
    }
    return e.toString();
  }

  /** Thrown by reconcile to look at the key again after a known delay, without counting a failure. */
  public static final class Requeue extends Exception {
    final Duration after;

    public Requeue(Duration after) {
      super("requeue after " + after, null, false, false);
      this.after = after;
    }
  }
}
