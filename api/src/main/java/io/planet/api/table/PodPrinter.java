package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pods: upstream's printPod, whose READY, STATUS and RESTARTS come from one pass over the container statuses. */
final class PodPrinter implements TablePrinter {
  /** The pod reason the node lifecycle controller sets when a node goes away (node.NodeUnreachablePodReason). */
  static final String NODE_LOST = "NodeLost";

  private static final List<ObjectNode> COLUMNS = List.of(
      new Column("Name", "string", "name", SwaggerDocs.meta("name"), 0, null).definition(),
      new Column("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0, null)
          .definition(),
      new Column("Status", "string", "", "The aggregate status of the containers in this pod.", 0, null).definition(),
      new Column("Restarts", "string", "", "The number of times the containers in this pod have been restarted and "
          + "when the last container in this pod has restarted.", 0, null).definition(),
      new Column("Age", "string", "", SwaggerDocs.meta("creationTimestamp"), 0, null).definition(),
      new Column("IP", "string", "", SwaggerDocs.of("V1PodStatus", "podIP"), 1, null).definition(),
      new Column("Node", "string", "", SwaggerDocs.of("V1PodSpec", "nodeName"), 1, null).definition(),
      new Column("Nominated Node", "string", "", SwaggerDocs.of("V1PodStatus", "nominatedNodeName"), 1, null)
          .definition(),
      new Column("Readiness Gates", "string", "", SwaggerDocs.of("V1PodSpec", "readinessGates"), 1, null)
          .definition());

  @Override
  public List<ObjectNode> columnDefinitions() {
    return COLUMNS.stream().map(ObjectNode::deepCopy).toList();
  }

  @Override
  public List<ObjectNode> rowConditions(ObjectNode pod) {
    String phase = Cells.str(pod, "status", "phase");
    if (!phase.equals("Succeeded") && !phase.equals("Failed")) return List.of();
    ObjectNode c = Json.object();
    c.put("type", "Completed");
    c.put("status", "True");
    c.put("reason", phase);
    c.put("message", phase.equals("Succeeded") ? "The pod has completed successfully." : "The pod failed.");
    return List.of(c);
  }

  @Override
  public List<Object> cells(ObjectNode pod, Instant now) {
    Summary s = summarize(pod);
    String restarts = Long.toString(s.restarts);
    if (s.restarts != 0 && s.lastRestart != null) {
      restarts = s.restarts + " (" + Cells.age(s.lastRestart, now) + " ago)";
    }
    String podIP = "";
    List<JsonNode> podIPs = Cells.list(pod, "status", "podIPs");
    if (!podIPs.isEmpty()) podIP = Json.str(podIPs.get(0), "ip");
    if (podIP.isEmpty()) podIP = Cells.str(pod, "status", "podIP");
    return java.util.Arrays.asList(
        Meta.name(pod),
        s.ready + "/" + s.total,
        s.reason,
        restarts,
        Cells.age(Cells.creationTimestamp(pod), now),
        Cells.orElse(podIP, Cells.NONE),
        Cells.orElse(Cells.str(pod, "spec", "nodeName"), Cells.NONE),
        Cells.orElse(Cells.str(pod, "status", "nominatedNodeName"), Cells.NONE),
        readinessGates(pod));
  }

  /** The READY, STATUS and RESTARTS of a pod. */
  record Summary(int ready, int total, String reason, long restarts, Instant lastRestart) {}

  static Summary summarize(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    int total = spec.path("containers").size();
    int ready = 0;
    long restarts = 0;
    long sidecarRestarts = 0;
    Instant lastRestart = null;
    Instant lastSidecarRestart = null;

    String phase = Json.str(status, "phase");
    String reason = phase;
    if (!Json.str(status, "reason").isEmpty()) reason = Json.str(status, "reason");
    for (JsonNode c : Cells.list(pod, "status", "conditions")) {
      if ("PodScheduled".equals(Json.str(c, "type")) && "SchedulingGated".equals(Json.str(c, "reason"))) {
        reason = "SchedulingGated";
      }
    }

    // restartPolicy: Always init containers are sidecars: they count towards READY and keep running
    Map<String, Boolean> sidecars = new HashMap<>();
    for (JsonNode c : Cells.list(pod, "spec", "initContainers")) {
      boolean sidecar = "Always".equals(Json.str(c, "restartPolicy"));
      sidecars.put(Json.str(c, "name"), sidecar);
      if (sidecar) total++;
    }
    int initCount = spec.path("initContainers").size();

    boolean initializing = false;
    List<JsonNode> initStatuses = Cells.list(pod, "status", "initContainerStatuses");
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode c = initStatuses.get(i);
      boolean sidecar = sidecars.getOrDefault(Json.str(c, "name"), false);
      restarts += c.path("restartCount").asLong();
      Instant finished = Cells.time(Json.at(c, "lastState", "terminated", "finishedAt"));
      lastRestart = later(lastRestart, finished);
      if (sidecar) {
        sidecarRestarts += c.path("restartCount").asLong();
        lastSidecarRestart = later(lastSidecarRestart, finished);
      }
      JsonNode terminated = Json.at(c, "state", "terminated");
      JsonNode waiting = Json.at(c, "state", "waiting");
      if (terminated != null && terminated.path("exitCode").asLong() == 0) continue;
      if (sidecar && c.path("started").asBoolean(false)) {
        if (c.path("ready").asBoolean(false)) ready++;
        continue;
      }
      if (terminated != null) {
        // initialization failed
        String r = Json.str(terminated, "reason");
        if (r.isEmpty()) {
          long signal = terminated.path("signal").asLong();
          reason = signal != 0 ? "Init:Signal:" + signal : "Init:ExitCode:" + terminated.path("exitCode").asLong();
        } else {
          reason = "Init:" + r;
        }
      } else if (waiting != null && !Json.str(waiting, "reason").isEmpty()
          && !"PodInitializing".equals(Json.str(waiting, "reason"))) {
        reason = "Init:" + Json.str(waiting, "reason");
      } else {
        reason = "Init:" + i + "/" + initCount;
      }
      initializing = true;
      break;
    }

    if (!initializing || Cells.conditionTrue(pod, "Initialized")) {
      restarts = sidecarRestarts;
      lastRestart = lastSidecarRestart;
      boolean hasRunning = false;
      List<JsonNode> statuses = Cells.list(pod, "status", "containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode c = statuses.get(i);
        restarts += c.path("restartCount").asLong();
        lastRestart = later(lastRestart, Cells.time(Json.at(c, "lastState", "terminated", "finishedAt")));
        JsonNode waiting = Json.at(c, "state", "waiting");
        JsonNode terminated = Json.at(c, "state", "terminated");
        if (waiting != null && !Json.str(waiting, "reason").isEmpty()) {
          reason = Json.str(waiting, "reason");
        } else if (terminated != null && !Json.str(terminated, "reason").isEmpty()) {
          reason = Json.str(terminated, "reason");
        } else if (terminated != null) {
          long signal = terminated.path("signal").asLong();
          reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asLong();
        } else if (c.path("ready").asBoolean(false) && Json.at(c, "state", "running") != null) {
          hasRunning = true;
          ready++;
        }
      }
      // a pod with one container still running is not "Completed"
      if (reason.equals("Completed") && hasRunning) {
        reason = Cells.conditionTrue(pod, "Ready") ? "Running" : "NotReady";
      }
    }

    if (Meta.isDeleting(pod) && NODE_LOST.equals(Json.str(status, "reason"))) {
      reason = "Unknown";
    } else if (Meta.isDeleting(pod) && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }
    return new Summary(ready, total, reason, restarts, lastRestart);
  }

  private static Instant later(Instant a, Instant b) {
    if (b == null) return a;
    return a == null || a.isBefore(b) ? b : a;
  }

  private static String readinessGates(JsonNode pod) {
    List<JsonNode> gates = Cells.list(pod, "spec", "readinessGates");
    if (gates.isEmpty()) return Cells.NONE;
    int trueConditions = 0;
    for (JsonNode gate : gates) {
      String status = Cells.conditionStatus(pod, Json.str(gate, "conditionType"));
      if ("True".equals(status)) trueConditions++;
    }
    return trueConditions + "/" + gates.size();
  }
}
