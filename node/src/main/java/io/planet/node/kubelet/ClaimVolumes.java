package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * persistentVolumeClaim volumes, as upstream's volume manager resolves them: claim → bound volume → its hostPath or
 * local path on this node, which containers bind-mount directly (as upstream does for hostPath). A claim not yet
 * bound keeps the pod in ContainerCreating with upstream's FailedMount message. A hostPath of type
 * DirectoryOrCreate is made here, so the volumes of the local-path provisioner (which runs in the
 * controller-manager, perhaps on another machine) get their directory on the node that uses them.
 */
final class ClaimVolumes {
  static final String LOCAL_PATH_PROVISIONER = "planet.io/local-path";
  private final KubernetesClient client;
  /** podUid/volume → the host path it resolved to. */
  private final Map<String, Path> resolved = new ConcurrentHashMap<>();

  ClaimVolumes(KubernetesClient client) {
    this.client = client;
  }

  /** Resolves the claim and prepares its directory; the pod waits while this fails. */
  Path setUp(Pod pod, Volume v) throws Volumes.VolumeError, IOException {
    String ns = pod.getMetadata().getNamespace();
    String claimName = v.getPersistentVolumeClaim().getClaimName();
    String prefix = "Unable to attach or mount volumes: unmounted volumes=[" + v.getName() + "], unattached volumes=["
        + v.getName() + "]: error processing PVC " + ns + "/" + claimName + ": ";
    PersistentVolumeClaim claim;
    try {
      claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    } catch (KubernetesClientException e) {
      throw new Volumes.VolumeError(prefix + "failed to fetch PVC from API server: " + message(e));
    }
    if (claim == null) {
      throw new Volumes.VolumeError(prefix + "failed to fetch PVC from API server: persistentvolumeclaims \""
          + claimName + "\" not found");
    }
    String pvName = claim.getSpec().getVolumeName();
    if (pvName == null || pvName.isEmpty() || claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
      throw new Volumes.VolumeError(prefix + "PVC is not bound");
    }
    PersistentVolume pv;
    try {
      pv = client.persistentVolumes().withName(pvName).get();
    } catch (KubernetesClientException e) {
      throw new Volumes.VolumeError(prefix + "failed to fetch PV " + pvName + " from API server: " + message(e));
    }
    if (pv == null) {
      throw new Volumes.VolumeError(prefix + "failed to fetch PV " + pvName + " from API server: persistentvolumes \""
          + pvName + "\" not found");
    }
    if (pv.getSpec().getClaimRef() == null || !claim.getMetadata().getUid().equals(pv.getSpec().getClaimRef().getUid())) {
      throw new Volumes.VolumeError(prefix + "found PV object " + pvName + " but it has a ClaimRef that points to a "
          + "different PVC");
    }
    Path path = path(pv);
    resolved.put(pod.getMetadata().getUid() + "/" + v.getName(), path);
    return path;
  }

  private static Path path(PersistentVolume pv) throws Volumes.VolumeError, IOException {
    String name = pv.getMetadata().getName();
    if (pv.getSpec().getHostPath() != null) {
      Path p = Path.of(pv.getSpec().getHostPath().getPath());
      String type = pv.getSpec().getHostPath().getType();
      if ("DirectoryOrCreate".equals(type) && !Files.isDirectory(p)) {
        Files.createDirectories(p);
        Map<String, String> a = pv.getMetadata().getAnnotations();
        // as rancher's helper: anyone in the pod may write its local-path volume, whatever user it runs as
        boolean localPath = a != null && LOCAL_PATH_PROVISIONER.equals(a.get("pv.kubernetes.io/provisioned-by"));
        Commands.run("chmod", localPath ? "0777" : "0755", p.toString());
      } else if ("Directory".equals(type) && !Files.isDirectory(p)) {
        throw new Volumes.VolumeError("MountVolume.SetUp failed for volume \"" + name + "\" : hostPath type check "
            + "failed: " + p + " is not a directory");
      }
      return p;
    }
    if (pv.getSpec().getLocal() != null) {
      Path p = Path.of(pv.getSpec().getLocal().getPath());
      if (!Files.exists(p)) {
        throw new Volumes.VolumeError("MountVolume.NewMounter initialization failed for volume \"" + name + "\" : path \""
            + p + "\" does not exist");
      }
      return p;
    }
    throw new Volumes.VolumeError("MountVolume.SetUp failed for volume \"" + name + "\" : this node mounts only "
        + "hostPath and local persistent volumes");
  }

  /** Where the pod's claim volume is, resolving again after a kubelet restart; null when it cannot be. */
  Path source(Pod pod, Volume v) {
    Path p = resolved.get(pod.getMetadata().getUid() + "/" + v.getName());
    if (p != null) return p;
    try {
      return setUp(pod, v);
    } catch (Volumes.VolumeError | IOException | RuntimeException e) {
      return null;
    }
  }

  void forget(String podUid) {
    resolved.keySet().removeIf(k -> k.startsWith(podUid + "/"));
  }

  private static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
  }
}
