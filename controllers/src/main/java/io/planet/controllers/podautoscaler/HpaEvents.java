package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.planet.client.events.EventRecorder;

/** The autoscaler's events, with messages already composed (so no format escaping), through the shared recorder. */
final class HpaEvents {
  private final EventRecorder recorder;

  HpaEvents(EventRecorder recorder) {
    this.recorder = recorder;
  }

  void normal(HorizontalPodAutoscaler hpa, String reason, String message) {
    if (recorder != null) recorder.normal(hpa, reason, "%s", message);
  }

  void warning(HorizontalPodAutoscaler hpa, String reason, String message) {
    if (recorder != null) recorder.warning(hpa, reason, "%s", message);
  }
}
