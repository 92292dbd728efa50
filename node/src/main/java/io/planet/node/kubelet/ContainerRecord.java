package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.planet.node.runtime.RuncRuntime;
import java.time.Duration;
import java.time.Instant;

/** What the node agent knows of one container of a pod across its restarts; renders its ContainerStatus. */
final class ContainerRecord {
  final String name;
  final String image;
  RuncRuntime.Container current;
  String containerId;
  String imageId;
  int restartCount;
  boolean everStarted;
  Instant startedAt;
  /** Set while the latest run has exited and no new one started. */
  ContainerStateTerminated terminated;
  /** The run before the current one, shown as lastState. */
  ContainerStateTerminated lastTerminated;
  String waitingReason = "ContainerCreating";
  String waitingMessage;
  Duration backoff;
  Instant retryAt;
  /** Probe state of the current run: startup passed (or none), readiness passing (or none). */
  volatile boolean startupDone;
  volatile boolean probeReady;
  final java.util.List<java.util.concurrent.ScheduledFuture<?>> probes = new java.util.ArrayList<>();

  ContainerRecord(String name, String image) {
    this.name = name;
    this.image = image;
  }

  boolean running() {
    return current != null && terminated == null;
  }

  void cancelProbes() {
    probes.forEach(f -> f.cancel(false));
    probes.clear();
  }

  boolean succeeded() {
    return terminated != null && terminated.getExitCode() == 0;
  }

  ContainerStatus status(boolean ready) {
    ContainerState state;
    if (running()) {
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(PodWorkers.time(startedAt)).endRunning().build();
    } else if (terminated != null && waitingReason == null) {
      state = new ContainerStateBuilder().withTerminated(terminated).build();
    } else {
      state = new ContainerStateBuilder().withNewWaiting().withReason(waitingReason).withMessage(waitingMessage)
          .endWaiting().build();
    }
    ContainerState last = new ContainerState();
    ContainerStateTerminated previous = terminated != null && waitingReason != null ? terminated : lastTerminated;
    if (previous != null) last = new ContainerStateBuilder().withTerminated(previous).build();
    return new ContainerStatusBuilder().withName(name).withImage(image).withImageID(imageId == null ? "" : imageId)
        .withContainerID(containerId == null ? null : "runc://" + containerId).withState(state).withLastState(last)
        .withReady(ready && running() && startupDone && probeReady).withRestartCount(restartCount)
        .withStarted(running() && startupDone).build();
  }
}
