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

  /**
   * How many times the kernel's OOM killer killed a process of cgroup {@code relative} (v1: memory.oom_control's
   * oom_kill in the memory hierarchy; v2: memory.events); 0 when the cgroup is gone or the kernel does not count.
   */
  static long oomKills(String relative) {
    String rel = relative.startsWith("/") ? relative.substring(1) : relative;
    Path file = Files.exists(ROOT.resolve("cgroup.controllers")) ? ROOT.resolve(rel).resolve("memory.events")
        : ROOT.resolve("memory").resolve(rel).resolve("memory.oom_control");
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring("oom_kill ".length()).trim());
      }
    } catch (IOException | NumberFormatException e) {
      // no such cgroup (any more)
    }
    return 0;
  }

  static boolean anyExists(String relative) throws IOException {
    return everywhere(relative).stream().anyMatch(Files::isDirectory);
  }
}
