package io.planet.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds used so far by the API server, etcd, this load generator, and the whole machine. The difference between
 * the machine and the three tells how much other work shared the CPUs during a phase (the figures are only as clean
 * as that number is small).
 */
final class CpuMeters {
  /** CPU seconds at one moment, or (after {@link #minus}) over an interval. */
  record Sample(double server, double etcd, double client, double machine) {
    Sample minus(Sample o) {
      return new Sample(server - o.server, etcd - o.etcd, client - o.client, machine - o.machine);
    }

    double other() {
      return Math.max(0, machine - server - etcd - client);
    }
  }

  static final Sample ZERO = new Sample(0, 0, 0, 0);

  private final ProcessCpu server;
  private final ProcessCpu etcd;
  private final ProcessCpu client;
  private final long ticksPerSecond;

  CpuMeters(long serverPid, long etcdPid, long ticksPerSecond) {
    this.server = new ProcessCpu(serverPid, ticksPerSecond);
    this.etcd = new ProcessCpu(etcdPid, ticksPerSecond);
    this.client = new ProcessCpu(ProcessHandle.current().pid(), ticksPerSecond);
    this.ticksPerSecond = ticksPerSecond;
  }

  Sample sample() {
    return new Sample(server.seconds(), etcd.seconds(), client.seconds(), machineBusySeconds());
  }

  /** Busy time summed over all CPUs: the first line of /proc/stat minus idle and iowait. */
  private double machineBusySeconds() {
    try {
      String first = Files.readString(Path.of("/proc/stat")).lines().findFirst().orElse("");
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      // cpu user nice system idle iowait irq softirq steal ...
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
      }
      return busy / (double) ticksPerSecond;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
