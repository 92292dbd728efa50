package io.planet.controllers.runtime;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about the objects a controller acts on, as upstream's event recorder does: source.component is
 * the controller's upstream component name ({@code deployment-controller}), and a repeat of the same event (same
 * involved object, type, reason, message and source) raises the count and lastTimestamp of the event already written
 * instead of creating another. Writes run on one background thread behind a bounded queue: recording never blocks
 * or fails a reconcile, and when the queue is full the event is dropped (upstream drops too).
 *
 * <pre>
 *   events().normal(rs, "SuccessfulCreate", "Created pod: %s", pod.getMetadata().getName());
 *   events().warning(rs, "FailedCreate", "Error creating: %s", message);
 * </pre>
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  /** Upstream's maxQueuedEvents. */
  private static final int QUEUE = 1000;
  /** Upstream's event cache size for aggregating repeats. */
  private static final int RECENT = 4096;
  /** Where events of cluster-scoped objects go, as upstream. */
  private static final String CLUSTER_EVENTS_NAMESPACE = "default";

  /** Where recorded events are written; the API server in production, a list in unit tests. */
  public interface Sink {
    void create(Event event);

    /** Sets count and lastTimestamp of an event already written; false when it no longer exists. */
    boolean update(String namespace, String name, int count, String lastTimestamp);
  }

  private final Sink sink;
  private final String component;
  private final String instance;
  private final Clock clock;
  private final ExecutorService writer;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  /** The time in the last event name written; touched only on the writer thread. */
  private long lastNanos;
  /** Events written lately, by correlation key; touched only on the writer thread. */
  private final Map<String, Recorded> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > RECENT;
    }
  };

  private record Recorded(String namespace, String name, int count) {}

  /**
   * @param component the upstream component name, e.g. {@code replicaset-controller}
   * @param instance this process's identity (reportingInstance)
   */
  public EventRecorder(KubernetesClient client, String component, String instance) {
    this(apiServer(client), component, instance, Clock.systemUTC(), newWriter(component));
  }

  EventRecorder(Sink sink, String component, String instance, Clock clock, ExecutorService writer) {
    this.sink = sink;
    this.component = component;
    this.instance = instance;
    this.clock = clock;
    this.writer = writer;
  }

  public String component() {
    return component;
  }

  /** A Normal event; {@code messageFormat} is a {@link String#format} pattern. */
  public void normal(HasMetadata involved, String reason, String messageFormat, Object... args) {
    event(reference(involved), "Normal", reason, format(messageFormat, args));
  }

  /** A Warning event; {@code messageFormat} is a {@link String#format} pattern. */
  public void warning(HasMetadata involved, String reason, String messageFormat, Object... args) {
    event(reference(involved), "Warning", reason, format(messageFormat, args));
  }

  /** An event about an object given by reference (upstream's node events carry the node's name as uid). */
  public void event(ObjectReference involved, String type, String reason, String message) {
    if (closed) return;
    Instant now = clock.instant();
    try {
      writer.execute(() -> write(involved, type, reason, message, now));
    } catch (RuntimeException rejected) {
      // queue full, or shutting down: events are best effort
      if (dropped.incrementAndGet() % 100 == 1) {
        log.info("{}: event queue full, dropped {} events so far", component, dropped.get());
      }
    }
  }

  /** The reference upstream's recorder builds for an object: kind, apiVersion, namespace, name, uid, resourceVersion. */
  public static ObjectReference reference(HasMetadata o) {
    // typed objects know their kind even when a list response left it out
    String apiVersion = o.getApiVersion() != null ? o.getApiVersion() : HasMetadata.getApiVersion(o.getClass());
    String kind = o.getKind() != null ? o.getKind() : HasMetadata.getKind(o.getClass());
    return new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
        .withNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
        .withUid(o.getMetadata().getUid()).withResourceVersion(o.getMetadata().getResourceVersion()).build();
  }

  private void write(ObjectReference ref, String type, String reason, String message, Instant at) {
    String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? CLUSTER_EVENTS_NAMESPACE : ref.getNamespace();
    String key = String.join("\n", component, ref.getApiVersion(), ref.getKind(), namespace, ref.getName(),
        String.valueOf(ref.getUid()), type, reason, message);
    String timestamp = at.truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      Recorded seen = recent.get(key);
      if (seen != null && sink.update(seen.namespace(), seen.name(), seen.count() + 1, timestamp)) {
        recent.put(key, new Recorded(seen.namespace(), seen.name(), seen.count() + 1));
        return;
      }
      // upstream's name: the object's name and the time in nanoseconds, in hex; kept increasing so that two
      // events in the same clock tick do not share a name
      lastNanos = Math.max(at.getEpochSecond() * 1_000_000_000L + at.getNano(), lastNanos + 1);
      String name = ref.getName() + "." + Long.toHexString(lastNanos);
      Event event = new EventBuilder()
          .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
          .withInvolvedObject(ref).withType(type).withReason(reason).withMessage(message)
          .withNewSource().withComponent(component).endSource()
          .withReportingComponent(component).withReportingInstance(instance)
          .withFirstTimestamp(timestamp).withLastTimestamp(timestamp).withCount(1)
          .build();
      sink.create(event);
      recent.put(key, new Recorded(namespace, name, 1));
    } catch (RuntimeException e) {
      if (closed || gone(e)) {
        log.debug("{}: event {} on {} {} not written: {}", component, reason, ref.getKind(), ref.getName(), e.toString());
      } else {
        log.warn("{}: could not write event {} on {} {}/{}: {}", component, reason, ref.getKind(), namespace,
            ref.getName(), e.getMessage());
      }
    }
  }

  /** An error as upstream's events quote it: the API server's message (Go's err.Error()), else the exception's. */
  public static String errorMessage(Throwable e) {
    if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
      return k.getStatus().getMessage();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The namespace is gone or terminating: nothing is left to tell about. */
  private static boolean gone(RuntimeException e) {
    return e instanceof KubernetesClientException k && (k.getCode() == 403 || k.getCode() == 404);
  }

  private static String format(String messageFormat, Object... args) {
    return args.length == 0 ? messageFormat : String.format(messageFormat, args);
  }

  /** Stops taking events and gives queued ones a moment to be written. */
  @Override
  public void close() {
    closed = true;
    writer.shutdown();
    try {
      if (!writer.awaitTermination(2, TimeUnit.SECONDS)) writer.shutdownNow();
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static ExecutorService newWriter(String component) {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
      Thread t = new Thread(r, "events-" + component);
      t.setDaemon(true);
      return t;
    });
  }

  private static Sink apiServer(KubernetesClient client) {
    return new Sink() {
      @Override
      public void create(Event event) {
        client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
      }

      @Override
      public boolean update(String namespace, String name, int count, String lastTimestamp) {
        String patch = client.getKubernetesSerialization().asJson(Map.of("count", count, "lastTimestamp", lastTimestamp));
        try {
          client.v1().events().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
          return true;
        } catch (KubernetesClientException e) {
          if (e.getCode() == 404) return false;
          throw e;
        }
      }
    };
  }
}
