package io.planet.node.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** cgroup directories the runtime owns: runc creates and removes container cgroups; pod cgroups are removed here. */
final class Cgroups {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  private Cgroups() {}

  /** Directories named {@code relative} in every mounted hierarchy (v1: one per controller; v2: one). */
  static List<Path> everywhere(String relative) throws IOException {
    String rel = relative.startsWith("/") ? relative.substring(1) : relative;
    if (Files.exists(ROOT.resolve("cgroup.controllers"))) return List.of(ROOT.resolve(rel));
    try (Stream<Path> s = Files.list(ROOT)) {
      return s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).map(p -> p.resolve(rel)).toList();
    }
  }

  /** rmdir of the pod's cgroup (and the shared parent when empty) in every hierarchy; empty cgroups only. */
  static void removePodCgroup(String podCgroup) throws IOException {
    for (Path p : everywhere(podCgroup)) {
      rmdirIfEmpty(p);
      rmdirIfEmpty(p.getParent());
    }
  }

  private static void rmdirIfEmpty(Path p) {
    try {
      if (Files.isDirectory(p)) Files.delete(p);
    } catch (IOException busyOrNotEmpty) {
      // still in use: left for its owner
    }
  }

  static boolean anyExists(String relative) throws IOException {
    return everywhere(relative).stream().anyMatch(Files::isDirectory);
  }
}
