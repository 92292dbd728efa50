package io.planet.node.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A volume mount's subPath as the kubelet resolves it: subPathExpr expanded from the container's environment
 * ($(VAR) only; a variable that is missing or empty is an error, as upstream's ExpandContainerVolumeMounts), then
 * checked (not absolute, no ".." step) and created inside the volume when it is not there yet. Every failure is a
 * {@link EnvResolver.ConfigError}: the container waits with CreateContainerConfigError and upstream's message.
 */
final class SubPaths {
  private SubPaths() {}

  /** The subPath of a mount: {@code subPathExpr} expanded with {@code env}, else {@code subPath} (null for none). */
  static String of(String subPath, String subPathExpr, Map<String, String> env) throws EnvResolver.ConfigError {
    if (subPathExpr == null || subPathExpr.isEmpty()) return subPath == null || subPath.isEmpty() ? null : subPath;
    Set<String> missing = new TreeSet<>();
    // Expansion asks for each $(NAME) it meets: the misses are what upstream reports
    Map<String, String> lookup = new AbstractMap<>() {
      @Override
      public String get(Object key) {
        String v = env.get(key);
        if (v == null || v.isEmpty()) {
          missing.add((String) key);
          return "";
        }
        return v;
      }

      @Override
      public Set<Entry<String, String>> entrySet() {
        return env.entrySet();
      }
    };
    String expanded = Expansion.expand(subPathExpr, lookup);
    if (!missing.isEmpty()) throw new EnvResolver.ConfigError("missing value for " + String.join(", ", missing));
    return expanded;
  }

  /**
   * Where {@code subPath} is inside the volume at {@code volume}, created (as a directory) when missing; upstream's
   * errors for an absolute path or a ".." step.
   */
  static Path resolve(Path volume, String subPath, String mountName, String containerName) throws EnvResolver.ConfigError {
    if (subPath.startsWith("/")) {
      throw new EnvResolver.ConfigError("error SubPath `" + subPath + "` must not be an absolute path");
    }
    for (String step : subPath.split("/")) {
      if (step.equals("..")) {
        throw new EnvResolver.ConfigError("unable to provision SubPath `" + subPath + "`: must not contain '..'");
      }
    }
    Path target = volume.resolve(subPath).normalize();
    if (!target.startsWith(volume.normalize())) {
      throw new EnvResolver.ConfigError("unable to provision SubPath `" + subPath + "`: must not contain '..'");
    }
    if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectories(target);
      } catch (IOException e) {
        // as upstream, the host's details stay out of the message
        throw new EnvResolver.ConfigError("failed to create subPath directory for volumeMount \"" + mountName
            + "\" of container \"" + containerName + "\"");
      }
    }
    return target;
  }
}
