package io.planet.node.kubelet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Filesystem figures for the stats summary, measured the way cAdvisor and the kubelet's volume metrics do: capacity,
 * free space and inodes of the filesystem holding a path ({@code stat -f}, i.e. statvfs), and the disk usage and
 * inode count of a directory tree ({@code du}). Each kind is one process for all the paths of a request, however
 * many pods there are.
 */
final class FsUsage {
  /** statvfs of a path's filesystem, in bytes and inodes. */
  record Capacity(long capacityBytes, long freeBytes, long availableBytes, long inodes, long inodesFree) {}

  /** Disk usage of a tree: bytes allocated and inodes (files, directories, links) in it. */
  record Usage(long bytes, long inodes) {}

  private FsUsage() {}

  /** statvfs of each path that exists; paths that do not are left out. */
  static Map<Path, Capacity> capacity(Collection<Path> paths) {
    List<Path> existing = existing(paths);
    Map<Path, Capacity> out = new HashMap<>();
    if (existing.isEmpty()) return out;
    List<String> cmd = new ArrayList<>(List.of("stat", "-f", "-c", "%b %f %a %S %c %d"));
    existing.forEach(p -> cmd.add(p.toString()));
    List<String> lines = output(cmd);
    // stat prints one line per operand, in order (a vanished path prints nothing: then the lines do not line up)
    if (lines.size() != existing.size()) return out;
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length != 6) continue;
      long block = Long.parseLong(f[3]);
      out.put(existing.get(i), new Capacity(Long.parseLong(f[0]) * block, Long.parseLong(f[1]) * block,
          Long.parseLong(f[2]) * block, Long.parseLong(f[4]), Long.parseLong(f[5])));
    }
    return out;
  }

  /** Disk usage of each tree that exists (one filesystem each, hard links counted once per tree). */
  static Map<Path, Usage> usage(Collection<Path> paths) {
    List<Path> existing = existing(paths);
    Map<Path, Usage> out = new HashMap<>();
    if (existing.isEmpty()) return out;
    Map<String, Long> bytes = du(existing, "-B1");
    Map<String, Long> inodes = du(existing, "--inodes");
    for (Path p : existing) {
      Long b = bytes.get(p.toString());
      Long i = inodes.get(p.toString());
      if (b != null && i != null) out.put(p, new Usage(b, i));
    }
    return out;
  }

  /** {@code du -s -x -l} per operand: size per path as printed ("size<TAB>path"). */
  private static Map<String, Long> du(List<Path> paths, String unit) {
    List<String> cmd = new ArrayList<>(List.of("du", "-s", "-x", "-l", unit));
    paths.forEach(p -> cmd.add(p.toString()));
    Map<String, Long> out = new HashMap<>();
    for (String line : output(cmd)) {
      int tab = line.indexOf('\t');
      if (tab <= 0) continue;
      try {
        out.put(line.substring(tab + 1), Long.parseLong(line.substring(0, tab)));
      } catch (NumberFormatException e) {
        // not a size line
      }
    }
    return out;
  }

  private static List<Path> existing(Collection<Path> paths) {
    return new ArrayList<>(new LinkedHashSet<>(paths)).stream().filter(Files::exists).toList();
  }

  /** stdout lines; a path that vanished meanwhile makes the tool exit non-zero but the others are still printed. */
  private static List<String> output(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(1, TimeUnit.MINUTES)) p.destroyForcibly();
      return out.lines().toList();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
