package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.ContainerSpec;
import io.planet.node.runtime.Mounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pod's volumes on the node, under {@code <podDir>/volumes/kubernetes.io~<type>/<name>} as upstream lays them out:
 * emptyDir (a directory, tmpfs for medium Memory), hostPath, and configMap, secret (on tmpfs), downwardAPI and
 * projected, whose files are written by {@link AtomicWriter} so a refresh swaps their content at once. Mounted
 * read-only where upstream does; subPath mounts a path inside the volume.
 */
final class Volumes {
  static final int DEFAULT_MODE = 0644;

  private final KubernetesClient client;
  private final ServiceAccountTokens tokens;
  private final ClaimVolumes claims;

  Volumes(KubernetesClient client) {
    this.client = client;
    this.tokens = new ServiceAccountTokens(client, java.time.Clock.systemUTC());
    this.claims = new ClaimVolumes(client);
  }

  /** A volume that cannot be set up (missing source): the pod waits in ContainerCreating with this message. */
  static final class VolumeError extends Exception {
    VolumeError(String message) {
      super(message);
    }
  }

  void setUp(Pod pod, Path podDir) throws IOException, VolumeError {
    for (Volume v : list(pod.getSpec().getVolumes())) {
      if (v.getPersistentVolumeClaim() != null) claims.setUp(pod, v);
      Path dir = dir(podDir, v);
      if (dir == null) continue;
      Files.createDirectories(dir);
      if (v.getEmptyDir() != null) {
        if ("Memory".equals(v.getEmptyDir().getMedium()) && !Mounts.isMountPoint(dir)) {
          Commands.run("mount", "-t", "tmpfs", "tmpfs", dir.toString());
        }
        Commands.run("chmod", "0777", dir.toString());
      } else {
        if (v.getSecret() != null && !Mounts.isMountPoint(dir)) {
          // secrets never touch the disk
          Commands.run("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", dir.toString());
        }
        AtomicWriter.write(dir, setUpFiles(pod, v));
      }
    }
  }

  /** A volume's files; a failure names the volume as upstream's FailedMount message does. */
  private Map<String, AtomicWriter.File> setUpFiles(Pod pod, Volume v) throws VolumeError {
    try {
      return files(pod, v);
    } catch (VolumeError e) {
      if (e.getMessage().startsWith("MountVolume.SetUp failed")) throw e;
      throw new VolumeError("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + e.getMessage());
    }
  }

  /** Re-reads the sources of configMap, secret, downwardAPI and projected volumes and swaps in what changed. */
  void refresh(Pod pod, Path podDir) throws IOException, VolumeError {
    for (Volume v : list(pod.getSpec().getVolumes())) {
      if (v.getConfigMap() == null && v.getSecret() == null && v.getDownwardAPI() == null && v.getProjected() == null) continue;
      Path dir = dir(podDir, v);
      if (Files.isDirectory(dir)) AtomicWriter.write(dir, files(pod, v));
    }
  }

  void tearDown(Path podDir) throws IOException {
    List<Path> mounts = new ArrayList<>(Mounts.under(podDir));
    mounts.sort((a, b) -> b.toString().compareTo(a.toString()));
    for (Path m : mounts) Commands.run("umount", m.toString());
    tokens.forget(podDir.getFileName().toString());
    claims.forget(podDir.getFileName().toString());
  }

  /** {@code env}: the container's environment, for subPathExpr. */
  List<ContainerSpec.Mount> mounts(Pod pod, Container c, Path podDir, Map<String, String> env) throws EnvResolver.ConfigError {
    List<ContainerSpec.Mount> out = new ArrayList<>();
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : list(pod.getSpec().getVolumes())) volumes.put(v.getName(), v);
    for (VolumeMount m : list(c.getVolumeMounts())) {
      Volume v = volumes.get(m.getName());
      if (v == null) continue;
      boolean projected = v.getConfigMap() != null || v.getSecret() != null || v.getDownwardAPI() != null || v.getProjected() != null;
      boolean claimReadOnly = v.getPersistentVolumeClaim() != null && Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly());
      boolean ro = Boolean.TRUE.equals(m.getReadOnly()) || projected || claimReadOnly;
      Path source = v.getHostPath() != null ? Path.of(v.getHostPath().getPath())
          : v.getPersistentVolumeClaim() != null ? claims.source(pod, v) : dir(podDir, v);
      if (source == null) continue;
      String subPath = SubPaths.of(m.getSubPath(), m.getSubPathExpr(), env);
      if (subPath != null) source = SubPaths.resolve(source, subPath, m.getName(), c.getName());
      out.add(ContainerSpec.Mount.bind(source.toString(), m.getMountPath(), ro));
    }
    return out;
  }

  /** Where a volume lives under the pod directory; null for kinds without a directory of their own (hostPath). */
  static Path dir(Path podDir, Volume v) {
    String type;
    if (v.getEmptyDir() != null) type = "empty-dir";
    else if (v.getConfigMap() != null) type = "configmap";
    else if (v.getSecret() != null) type = "secret";
    else if (v.getDownwardAPI() != null) type = "downward-api";
    else if (v.getProjected() != null) type = "projected";
    else return null;
    return podDir.resolve("volumes/kubernetes.io~" + type).resolve(v.getName());
  }

  /** The files a volume holds: relative path → content and mode. */
  private Map<String, AtomicWriter.File> files(Pod pod, Volume v) throws VolumeError {
    Map<String, AtomicWriter.File> out = new TreeMap<>();
    String ns = pod.getMetadata().getNamespace();
    if (v.getConfigMap() != null) {
      var s = v.getConfigMap();
      configMap(ns, s.getName(), s.getItems(), s.getOptional(), mode(s.getDefaultMode()), out);
    } else if (v.getSecret() != null) {
      var s = v.getSecret();
      secret(ns, s.getSecretName(), s.getItems(), s.getOptional(), mode(s.getDefaultMode()), out);
    } else if (v.getDownwardAPI() != null) {
      downward(pod, v.getDownwardAPI().getItems(), mode(v.getDownwardAPI().getDefaultMode()), out);
    } else if (v.getProjected() != null) {
      int mode = mode(v.getProjected().getDefaultMode());
      for (VolumeProjection p : list(v.getProjected().getSources())) {
        if (p.getConfigMap() != null) {
          configMap(ns, p.getConfigMap().getName(), p.getConfigMap().getItems(), p.getConfigMap().getOptional(), mode, out);
        } else if (p.getSecret() != null) {
          secret(ns, p.getSecret().getName(), p.getSecret().getItems(), p.getSecret().getOptional(), mode, out);
        } else if (p.getDownwardAPI() != null) {
          downward(pod, p.getDownwardAPI().getItems(), mode, out);
        } else if (p.getServiceAccountToken() != null) {
          var t = p.getServiceAccountToken();
          String token;
          try {
            token = tokens.token(pod, t.getAudience(), t.getExpirationSeconds());
          } catch (VolumeError e) {
            throw new VolumeError("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + e.getMessage());
          }
          out.put(t.getPath(), new AtomicWriter.File(token.getBytes(StandardCharsets.UTF_8), mode));
        }
      }
    }
    return out;
  }

  private void configMap(String ns, String name, List<KeyToPath> items, Boolean optional, int mode,
      Map<String, AtomicWriter.File> out) throws VolumeError {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
    if (cm == null) {
      if (Boolean.TRUE.equals(optional)) return;
      throw new VolumeError("configmap \"" + name + "\" not found");
    }
    Map<String, byte[]> data = new TreeMap<>();
    if (cm.getData() != null) cm.getData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
    if (cm.getBinaryData() != null) cm.getBinaryData().forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
    project("configmap", name, data, items, optional, mode, out);
  }

  private void secret(String ns, String name, List<KeyToPath> items, Boolean optional, int mode,
      Map<String, AtomicWriter.File> out) throws VolumeError {
    Secret s = client.secrets().inNamespace(ns).withName(name).get();
    if (s == null) {
      if (Boolean.TRUE.equals(optional)) return;
      throw new VolumeError("secret \"" + name + "\" not found");
    }
    Map<String, byte[]> data = new TreeMap<>();
    if (s.getData() != null) s.getData().forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
    if (s.getStringData() != null) s.getStringData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
    project("secret", name, data, items, optional, mode, out);
  }

  /** All keys as files, or only the listed items at their paths (a missing key is an error unless optional). */
  private static void project(String kind, String name, Map<String, byte[]> data, List<KeyToPath> items, Boolean optional,
      int mode, Map<String, AtomicWriter.File> out) throws VolumeError {
    if (items == null || items.isEmpty()) {
      data.forEach((k, val) -> out.put(k, new AtomicWriter.File(val, mode)));
      return;
    }
    for (KeyToPath item : items) {
      byte[] val = data.get(item.getKey());
      if (val == null) {
        if (Boolean.TRUE.equals(optional)) continue;
        throw new VolumeError("configmap".equals(kind)
            ? "configmap references non-existent config key: " + item.getKey()
            : "references non-existent secret key: " + item.getKey());
      }
      out.put(item.getPath(), new AtomicWriter.File(val, item.getMode() != null ? item.getMode() : mode));
    }
  }

  private static void downward(Pod pod, List<DownwardAPIVolumeFile> items, int mode, Map<String, AtomicWriter.File> out)
      throws VolumeError {
    for (DownwardAPIVolumeFile f : list(items)) {
      String value;
      if (f.getFieldRef() != null) {
        String path = f.getFieldRef().getFieldPath();
        if (path.equals("metadata.labels")) value = keyValues(pod.getMetadata().getLabels());
        else if (path.equals("metadata.annotations")) value = keyValues(pod.getMetadata().getAnnotations());
        else {
          try {
            value = EnvResolver.field(pod, path, null, null);
          } catch (EnvResolver.ConfigError e) {
            throw new VolumeError(e.getMessage());
          }
        }
      } else if (f.getResourceFieldRef() != null) {
        var ref = f.getResourceFieldRef();
        Container c = pod.getSpec().getContainers().stream().filter(x -> x.getName().equals(ref.getContainerName()))
            .findFirst().orElse(pod.getSpec().getContainers().get(0));
        value = EnvResolver.resource(c, ref.getResource(), ref.getDivisor());
      } else {
        continue;
      }
      out.put(f.getPath(), new AtomicWriter.File(value.getBytes(StandardCharsets.UTF_8), f.getMode() != null ? f.getMode() : mode));
    }
  }

  /** Labels and annotations as the downward API writes them: key="value" lines, sorted. */
  static String keyValues(Map<String, String> m) {
    if (m == null || m.isEmpty()) return "";
    StringBuilder b = new StringBuilder();
    new TreeMap<>(m).forEach((k, v) -> b.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")
        .replace("\n", "\\n")).append("\"\n"));
    return b.toString().stripTrailing();
  }

  private static int mode(Integer m) {
    return m == null ? DEFAULT_MODE : m;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
