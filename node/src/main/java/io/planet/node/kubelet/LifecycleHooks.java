package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Duration;

/**
 * postStart and preStop hooks (exec, httpGet, tcpSocket, sleep), run as the kubelet runs them: postStart right after
 * the container starts (a failure kills it), preStop before SIGTERM within the termination grace period.
 */
final class LifecycleHooks {
  private final Prober prober;

  LifecycleHooks(Prober prober) {
    this.prober = prober;
  }

  /**
   * Runs the hook; null when it succeeded (or there is none), else why it failed in upstream's words, for the
   * FailedPostStartHook / FailedPreStopHook event.
   */
  String run(LifecycleHandler h, Pod pod, Container c, String containerId, String podIp, Duration timeout) {
    if (h == null) return null;
    if (h.getSleep() != null) {
      try {
        Thread.sleep(Math.min(timeout.toMillis(), h.getSleep().getSeconds() * 1000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
    Probe p = new ProbeBuilder().withExec(h.getExec()).withHttpGet(h.getHttpGet()).withTcpSocket(h.getTcpSocket())
        .withTimeoutSeconds((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()))).build();
    Prober.Result r = prober.probe(p, c, containerId, podIp);
    if (r.success()) return null;
    String error = r.message() == null || r.message().isEmpty() ? "hook failed" : r.message();
    String in = " for Container " + KubeletEvents.quote(c.getName()) + " in Pod "
        + KubeletEvents.quote(KubeletEvents.formatPod(pod)) + " failed - error: ";
    if (h.getExec() != null) {
      String command = String.join(" ", h.getExec().getCommand());
      // the runtime's error for a non-zero exit quotes the command; the hook's output is the message
      String cause = r.exitCode() >= 0 ? "command '" + command + "' exited with " + r.exitCode() + ": " : error;
      return "Exec lifecycle hook ([" + command + "])" + in + cause
          + ", message: " + KubeletEvents.quote(r.exitCode() >= 0 ? r.message() : "");
    }
    if (h.getHttpGet() != null) {
      return "HTTP lifecycle hook (" + h.getHttpGet().getPath() + ")" + in + error;
    }
    return error;
  }
}
