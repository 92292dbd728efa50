package io.planet.client.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about the objects a component acts on, as upstream's event recorder does: source.component is
 * the component's upstream name ({@code deployment-controller}, {@code default-scheduler}, {@code kubelet}), and a
 * repeat of the same event (same involved object and field path, type, reason, message and source) raises the count
 * and lastTimestamp of the event already written instead of creating another. Writes run on background threads
 * behind a bounded queue: recording never blocks or fails a reconcile, a scheduling cycle or a pod sync, and when the
 * queue is full the event is dropped (upstream drops too). With several writer threads, one event key always goes to
 * the same writer, so repeats still aggregate in order.
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

  /** eventTime as upstream's MicroTime: RFC 3339 with microseconds. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);

  private final Sink sink;
  private final String component;
  private final String host;
  private final String instance;
  private final Clock clock;
  private final List<ExecutorService> writers;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  /** The time in the last event name written, kept increasing so two events never share a name. */
  private final AtomicLong lastNanos = new AtomicLong();
  /** Events written lately, by correlation key; a key is only ever touched by its own writer thread. */
  private final Map<String, Recorded> recent = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > RECENT;
    }
  });

  private record Recorded(String namespace, String name, int count) {}

  /**
   * @param component the upstream component name, e.g. {@code replicaset-controller}
   * @param instance this process's identity (reportingInstance)
   */
  public EventRecorder(KubernetesClient client, String component, String instance) {
    this(client, component, null, instance, 1);
  }

  /**
   * @param host source.host: the node the component runs on ({@code null} for cluster components; the kubelet's node
   *     name, as upstream's kubelet, which also reports that name as reportingInstance)
   * @param writers threads writing events: one as upstream's broadcaster; more for a component whose events come in
   *     bursts faster than one request at a time keeps up with (the scheduler)
   */
  public EventRecorder(KubernetesClient client, String component, String host, String instance, int writers) {
    this(apiServer(client), component, host, instance, Clock.systemUTC(), newWriters(component, writers));
  }

  EventRecorder(Sink sink, String component, String instance, Clock clock, ExecutorService writer) {
    this(sink, component, null, instance, clock, List.of(writer));
  }

  EventRecorder(Sink sink, String component, String host, String instance, Clock clock, List<ExecutorService> writers) {
    this.sink = sink;
    this.component = component;
    this.host = host;
    this.instance = instance;
    this.clock = clock;
    this.writers = List.copyOf(writers);
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

  /**
   * An event about an object given by reference: a container of a pod (with its fieldPath), or a node (upstream's
   * node events carry the node's name as uid).
   */
  public void event(ObjectReference involved, String type, String reason, String message) {
    event(involved, type, reason, null, message);
  }

  /**
   * As above, with the action taken (events.k8s.io's {@code action}, e.g. the scheduler's {@code Binding}); such an
   * event also carries its eventTime, as the events.k8s.io recorder writes it.
   */
  public void event(ObjectReference involved, String type, String reason, String action, String message) {
    if (closed) return;
    Instant now = clock.instant();
    String namespace = involved.getNamespace() == null || involved.getNamespace().isEmpty() ? CLUSTER_EVENTS_NAMESPACE
        : involved.getNamespace();
    // upstream's correlation key: source, involved object (with its field path), type, reason, message
    String key = String.join("\n", component, String.valueOf(host), involved.getApiVersion(), involved.getKind(),
        namespace, involved.getName(), involved.getFieldPath(), String.valueOf(involved.getUid()), type, reason, message);
    ExecutorService writer = writers.get(Math.floorMod(key.hashCode(), writers.size()));
    try {
      writer.execute(() -> write(key, namespace, involved, type, reason, action, message, now));
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

  private void write(String key, String namespace, ObjectReference ref, String type, String reason, String action,
      String message, Instant at) {
    String timestamp = at.truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      Recorded seen = recent.get(key);
      if (seen != null && sink.update(seen.namespace(), seen.name(), seen.count() + 1, timestamp)) {
        recent.put(key, new Recorded(seen.namespace(), seen.name(), seen.count() + 1));
        return;
      }
      // upstream's name: the object's name and the time in nanoseconds, in hex; kept increasing so that two
      // events in the same clock tick do not share a name
      long atNanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
      String name = ref.getName() + "." + Long.toHexString(lastNanos.updateAndGet(last -> Math.max(atNanos, last + 1)));
      Event event = new EventBuilder()
          .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
          .withInvolvedObject(ref).withType(type).withReason(reason).withMessage(message)
          .withNewSource().withComponent(component).withHost(host).endSource()
          .withReportingComponent(component).withReportingInstance(instance)
          .withFirstTimestamp(timestamp).withLastTimestamp(timestamp).withCount(1)
          .withAction(action).withEventTime(action == null ? null : new MicroTime(MICRO_TIME.format(at)))
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

  /** Stops taking events and gives queued ones a moment (2 s in all) to be written. */
  @Override
  public void close() {
    closed = true;
    writers.forEach(ExecutorService::shutdown);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    try {
      for (ExecutorService writer : writers) {
        if (!writer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) writer.shutdownNow();
      }
    } catch (InterruptedException e) {
      writers.forEach(ExecutorService::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }

  /** Single-thread writers sharing upstream's queue bound of 1000 events between them. */
  private static List<ExecutorService> newWriters(String component, int count) {
    int n = Math.max(1, count);
    List<ExecutorService> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = n == 1 ? "events-" + component : "events-" + component + "-" + i;
      out.add(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(Math.max(1, QUEUE / n)), r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      }));
    }
    return out;
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
