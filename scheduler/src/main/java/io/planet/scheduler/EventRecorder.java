package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** core/v1 Events about pods, from component default-scheduler. Best effort: a lost event never blocks scheduling. */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private final KubernetesClient client;
  private final String instance;

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
    } catch (RuntimeException e) {
      log.warn("could not record event {} for pod {}/{}: {}", reason, ns, pod.getMetadata().getName(), e.getMessage());
    }
  }
}
