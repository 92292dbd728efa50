package io.planet.e2e.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU seconds of a process's live threads, grouped by thread name with numbers dropped ("C2 CompilerThread0" and
 * "...Thread1" count together), from /proc/&lt;pid&gt;/task. Tells JIT, GC and application work apart; threads that
 * already ended are only in the process total.
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** Groups, largest first; empty when unknown. */
  static Map<String, Double> byGroup(long pid, long ticksPerSecond) {
    Map<String, Double> groups = new TreeMap<>();
    if (pid <= 0) return groups;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#").trim();
        String[] f = stat.substring(close + 2).split(" ");
        double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) ticksPerSecond;
        groups.merge(name, seconds, Double::sum);
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
        .forEach(e -> sorted.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
    return sorted;
  }
}
