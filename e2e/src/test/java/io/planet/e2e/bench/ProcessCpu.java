package io.planet.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (user + system) a process has used so far, from /proc/&lt;pid&gt;/stat; 0 when unknown. */
final class ProcessCpu {
  private final long pid;
  private final long ticksPerSecond;

  ProcessCpu(long pid, long ticksPerSecond) {
    this.pid = pid;
    this.ticksPerSecond = ticksPerSecond;
  }

  double seconds() {
    if (pid <= 0) return 0;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) may hold spaces; fields after its closing parenthesis are fixed
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return (utime + stime) / (double) ticksPerSecond;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
