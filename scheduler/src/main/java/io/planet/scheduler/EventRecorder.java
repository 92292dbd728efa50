package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core/v1 Events about pods, from component default-scheduler. A repeat of the same event (same pod, reason and message)
 * bumps the count of the one already written, as upstream's event correlator does, so a pod retried many times does not
 * flood its namespace. Best effort and off the scheduling path, like upstream's broadcaster: events wait in a bounded
 * queue for a few writer threads, and when the API server falls that far behind, new events are dropped rather than
 * slowing scheduling down.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  /** Upstream's broadcaster queues 1000 events before it drops. */
  static final int MAX_QUEUED = 1000;
  private static final int WRITERS = 4;
  private static final long WRITE_TIMEOUT_SECONDS = 30;

  private final ApiWrites writes;
  private final String instance;
  private final ThreadPoolExecutor pool;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  /** Recent events by pod uid, type, reason and message: their names and counts. */
  private final Map<String, Recorded> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > 4096;
    }
  };

  private record Recorded(String name, int count) {}

  public EventRecorder(KubernetesClient client, String instance) {
    this.writes = new ApiWrites(client);
    this.instance = instance;
    this.pool = new ThreadPoolExecutor(WRITERS, WRITERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
      Thread t = new Thread(r, "scheduler-events");
      t.setDaemon(true);
      return t;
    }, (r, executor) -> {
      if (!closed && dropped.incrementAndGet() % 1000 == 1) {
        log.info("event queue full ({} events): dropping events ({} so far)", MAX_QUEUED, dropped.get());
      }
    });
  }

  public void normal(Pod pod, String reason, String message) {
    record(pod, "Normal", reason, message);
  }

  public void warning(Pod pod, String reason, String message) {
    record(pod, "Warning", reason, message);
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Queues the event; returns at once. */
  private void record(Pod pod, String type, String reason, String message) {
    if (closed) return;
    Instant now = Instant.now();
    pool.execute(() -> write(pod, type, reason, message, now));
  }

  private void write(Pod pod, String type, String reason, String message, Instant now) {
    String ns = pod.getMetadata().getNamespace();
    String key = pod.getMetadata().getUid() + "\n" + type + "\n" + reason + "\n" + message;
    Recorded seen;
    synchronized (recent) {
      seen = recent.get(key);
    }
    try {
      if (seen != null && bump(ns, seen, now)) {
        synchronized (recent) {
          recent.put(key, new Recorded(seen.name(), seen.count() + 1));
        }
        return;
      }
      String name = pod.getMetadata().getName() + "."
          + Long.toHexString(now.toEpochMilli() * 1_000_000 + System.nanoTime() % 1_000_000);
      Event event = new EventBuilder()
          .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
          .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(ns)
          .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
          .withResourceVersion(pod.getMetadata().getResourceVersion()).endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message).withAction("Scheduling")
          .withNewSource().withComponent(Pods.DEFAULT_SCHEDULER).endSource()
          .withReportingComponent(Pods.DEFAULT_SCHEDULER).withReportingInstance(instance)
          .withFirstTimestamp(now.truncatedTo(ChronoUnit.SECONDS).toString())
          .withLastTimestamp(now.truncatedTo(ChronoUnit.SECONDS).toString())
          .withEventTime(new MicroTime(now.truncatedTo(ChronoUnit.MICROS).toString()))
          .withCount(1)
          .build();
      writes.post("api/v1/namespaces/" + ApiWrites.enc(ns) + "/events", writes.json(event))
          .get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      synchronized (recent) {
        recent.put(key, new Recorded(name, 1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // after close() the client goes away under the writes still in flight: nothing worth a warning
      if (closed) return;
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      log.warn("could not record event {} for pod {}/{}: {}", reason, ns, pod.getMetadata().getName(), cause.getMessage());
    }
  }

  /** Counts one more occurrence on an event already written; false when it is gone. */
  private boolean bump(String ns, Recorded seen, Instant now) throws InterruptedException {
    String patch = writes.json(Map.of("count", seen.count() + 1,
        "lastTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString()));
    try {
      writes.mergePatch("api/v1/namespaces/" + ApiWrites.enc(ns) + "/events/" + ApiWrites.enc(seen.name()), patch)
          .get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false;
    }
  }

  /** Stops writing: queued events are dropped quietly (the process or the leadership is going away). */
  @Override
  public void close() {
    closed = true;
    pool.shutdownNow();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
