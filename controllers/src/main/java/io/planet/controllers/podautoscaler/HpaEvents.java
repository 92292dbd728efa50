package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core/v1 Events about HPAs from source {@code horizontal-pod-autoscaler}, as client-go's recorder writes them: a
 * repeat of the same event bumps {@code count} and {@code lastTimestamp} of the one already written. Best effort: a
 * failed write is logged, never fails the reconcile.
 */
final class HpaEvents {
  static final String COMPONENT = "horizontal-pod-autoscaler";
  private static final Logger LOG = LoggerFactory.getLogger(HpaEvents.class);
  private static final int REMEMBERED = 4096;

  private record Written(String name, int count) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Written> written = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Written> e) {
      return size() > REMEMBERED;
    }
  };

  HpaEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  void normal(HorizontalPodAutoscaler hpa, String reason, String message) {
    record(hpa, "Normal", reason, message);
  }

  void warning(HorizontalPodAutoscaler hpa, String reason, String message) {
    record(hpa, "Warning", reason, message);
  }

  private void record(HorizontalPodAutoscaler hpa, String type, String reason, String message) {
    String ns = hpa.getMetadata().getNamespace();
    String key = hpa.getMetadata().getUid() + "|" + type + "|" + reason + "|" + message;
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    Written prior;
    synchronized (written) {
      prior = written.get(key);
    }
    try {
      if (prior != null) {
        int count = prior.count() + 1;
        client.v1().events().inNamespace(ns).withName(prior.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
        remember(key, new Written(prior.name(), count));
        return;
      }
    } catch (KubernetesClientException e) {
      // the earlier event is gone (expired): write a new one
    }
    String name = hpa.getMetadata().getName() + "." + Long.toHexString(System.nanoTime() ^ clock.millis() << 20);
    Event ev = new EventBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewInvolvedObject().withApiVersion("autoscaling/v2").withKind("HorizontalPodAutoscaler")
        .withNamespace(ns).withName(hpa.getMetadata().getName()).withUid(hpa.getMetadata().getUid())
        .withResourceVersion(hpa.getMetadata().getResourceVersion()).endInvolvedObject()
        .withType(type).withReason(reason).withMessage(message)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT).withReportingInstance("")
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build();
    try {
      client.v1().events().inNamespace(ns).resource(ev).create();
      remember(key, new Written(name, 1));
    } catch (KubernetesClientException e) {
      LOG.warn("could not write event {} {} for HPA {}/{}: {}", type, reason, ns, hpa.getMetadata().getName(),
          e.getMessage());
    }
  }

  private void remember(String key, Written w) {
    synchronized (written) {
      written.put(key, w);
    }
  }
}
