package io.planet.cli.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;

/** How a machine of the cluster (a whole single-node cluster or a joined node) stops, with one line per step. */
final class Shutdown {
  private Shutdown() {}

  /**
   * The node agent stops first so that it does not restart what the reset stops; then the pods (each given its grace
   * period, bounded by {@code planet stop --timeout}) and the node reset; then every other component.
   */
  static void run(ClusterConfig config, Supervisor supervisor, KubernetesClient client) {
    Phases stop = new Phases("planet stop", System.out);
    long t0 = System.nanoTime();
    NodeReset reset = new NodeReset(config, stop::line);
    int pods = reset.podIds().size();
    supervisor.closeUntil("kubelet", stop::line);
    reset.run(StopCommand.podTimeout(config));
    stop.line("stopped " + pods + " pod(s) and reset the node (" + Phases.seconds(t0) + ")");
    if (client != null) client.close();
    supervisor.close();
    try {
      Files.deleteIfExists(config.pidFile());
      Files.deleteIfExists(config.componentsFile());
    } catch (IOException ignored) {
      // the run directory is on tmpfs
    }
    stop.line("stopped in " + stop.total());
  }
}
