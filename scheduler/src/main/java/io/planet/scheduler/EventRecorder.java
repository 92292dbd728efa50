package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core/v1 Events about pods, from component default-scheduler. A repeat of the same event (same pod, reason and message)
 * bumps the count of the one already written, as upstream's event correlator does, so a pod retried many times does not
 * flood its namespace. Best effort: a lost event never blocks scheduling.
 */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private final KubernetesClient client;
  private final String instance;
  /** Recent events by pod uid, type, reason and message: their names and counts. */
  private final Map<String, Recorded> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > 4096;
    }
  };

  private record Recorded(String name, int count) {}

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(Pod pod, String reason, String message) {
    record(pod, "Normal", reason, message);
  }

  public void warning(Pod pod, String reason, String message) {
    record(pod, "Warning", reason, message);
  }

  private void record(Pod pod, String type, String reason, String message) {
    Instant now = Instant.now();
    String ns = pod.getMetadata().getNamespace();
    String key = pod.getMetadata().getUid() + "\n" + type + "\n" + reason + "\n" + message;
    Recorded seen;
    synchronized (recent) {
      seen = recent.get(key);
    }
    if (seen != null && bump(ns, seen, now)) {
      synchronized (recent) {
        recent.put(key, new Recorded(seen.name(), seen.count() + 1));
      }
      return;
    }
    Event event = new EventBuilder()
        .withNewMetadata().withNamespace(ns)
        .withName(pod.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli() * 1_000_000 + System.nanoTime() % 1_000_000))
        .endMetadata()
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
    try {
      client.v1().events().inNamespace(ns).resource(event).create();
      synchronized (recent) {
        recent.put(key, new Recorded(event.getMetadata().getName(), 1));
      }
    } catch (RuntimeException e) {
      log.warn("could not record event {} for pod {}/{}: {}", reason, ns, pod.getMetadata().getName(), e.getMessage());
    }
  }

  /** Counts one more occurrence on an event already written; false when it is gone. */
  private boolean bump(String ns, Recorded seen, Instant now) {
    String patch = client.getKubernetesSerialization().asJson(Map.of("count", seen.count() + 1,
        "lastTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString()));
    try {
      client.v1().events().inNamespace(ns).withName(seen.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
