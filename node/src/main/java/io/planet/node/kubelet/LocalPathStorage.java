package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's half of the local-path provisioner (planet.io/local-path): it tells the provisioner where its volumes
 * go (the Node annotation planet.io/local-path-dir, {@code <data dir>/storage}) and removes the directory of a volume
 * whose PersistentVolume is gone (reclaim policy Delete). The kubelet may only read volumes related to it (the Node
 * authorizer relates a local-path volume to its node), so it does not watch volumes: every {@link #SWEEP} it asks
 * for the volume of each {@code pvc-*} directory there; not found (or, once deleted, no longer related) means gone.
 * Retained volumes keep their directory as long as their PersistentVolume exists. A 403 counts only when it repeats
 * over {@link #FORBIDDEN_SWEEPS} sweeps in a row: an API server that just restarted may not know the relation yet.
 */
final class LocalPathStorage implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPathStorage.class);
  static final String DIR_ANNOTATION = "planet.io/local-path-dir";
  static final Duration SWEEP = Duration.ofSeconds(10);
  static final int FORBIDDEN_SWEEPS = 3;
  private final java.util.Map<String, Integer> forbidden = new java.util.HashMap<>();

  private final KubernetesClient client;
  private final String nodeName;
  private final Path dir;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "local-path-sweeper");
    t.setDaemon(true);
    return t;
  });

  LocalPathStorage(KubernetesClient client, String nodeName, Path dir) {
    this.client = client;
    this.nodeName = nodeName;
    this.dir = dir;
  }

  void start() {
    timer.execute(this::publish);
    timer.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The Node annotation the provisioner reads; retried until it is written. */
  private void publish() {
    try {
      Files.createDirectories(dir);
      String patch = "{\"metadata\":{\"annotations\":{\"" + DIR_ANNOTATION + "\":\"" + dir.toAbsolutePath() + "\"}}}";
      client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (IOException | RuntimeException e) {
      log.info("could not publish the local-path storage directory of node {} yet: {}", nodeName, e.getMessage());
      timer.schedule(this::publish, 2, TimeUnit.SECONDS);
    }
  }

  void sweep() {
    if (!Files.isDirectory(dir)) return;
    List<Path> volumes;
    try (var list = Files.list(dir)) {
      volumes = list.filter(p -> p.getFileName().toString().startsWith("pvc-") && Files.isDirectory(p)).toList();
    } catch (IOException e) {
      return;
    }
    for (Path p : volumes) {
      String name = p.getFileName().toString();
      try {
        PersistentVolume pv = client.persistentVolumes().withName(name).get();
        forbidden.remove(name);
        if (pv != null) continue;
      } catch (KubernetesClientException e) {
        // 403: the Node authorizer no longer relates it to this node, i.e. it was deleted
        if (e.getCode() != 403 || forbidden.merge(name, 1, Integer::sum) < FORBIDDEN_SWEEPS) continue;
      } catch (RuntimeException e) {
        continue;
      }
      forbidden.remove(name);
      try {
        Commands.run("rm", "-rf", "--one-file-system", p.toString());
        log.info("removed the directory of deleted local-path volume {}", name);
      } catch (IOException e) {
        log.warn("removing {}: {}", p, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
