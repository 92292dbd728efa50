package io.planet.controllers;

import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Deployment conditions, their reasons, and upstream's rules for replacing them. */
final class DeploymentConditions {
  static final String AVAILABLE = "Available";
  static final String PROGRESSING = "Progressing";
  static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
  static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";
  static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  static final String RS_UPDATED = "ReplicaSetUpdated";
  static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  static final String TIMED_OUT = "ProgressDeadlineExceeded";
  static final String PAUSED = "DeploymentPaused";
  static final String RESUMED = "DeploymentResumed";

  private DeploymentConditions() {}

  static DeploymentCondition condition(String type, String status, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastUpdateTime(now).withLastTransitionTime(now).build();
  }

  static DeploymentCondition get(DeploymentStatus s, String type) {
    if (s == null || s.getConditions() == null) return null;
    return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** Sets c unless one with the same status and reason is there; keeps the transition time while the status holds. */
  static void set(DeploymentStatus s, DeploymentCondition c) {
    DeploymentCondition current = get(s, c.getType());
    if (current != null && current.getStatus().equals(c.getStatus()) && equal(current.getReason(), c.getReason())) return;
    if (current != null && current.getStatus().equals(c.getStatus())) c.setLastTransitionTime(current.getLastTransitionTime());
    remove(s, c.getType());
    s.getConditions().add(c);
  }

  static void remove(DeploymentStatus s, String type) {
    List<DeploymentCondition> kept = new ArrayList<>();
    if (s.getConditions() != null) {
      for (DeploymentCondition c : s.getConditions()) if (!type.equals(c.getType())) kept.add(c);
    }
    s.setConditions(kept);
  }

  private static boolean equal(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }
}
