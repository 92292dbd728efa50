package io.planet.cli.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The running cluster's process, from its pid file (a stale file of a dead process does not count). */
final class Running {
  private Running() {}

  static Optional<ProcessHandle> cluster(Path runDir) {
    Path pidFile = runDir.resolve("planet.pid");
    try {
      if (!Files.exists(pidFile)) return Optional.empty();
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      if (pid == ProcessHandle.current().pid()) return Optional.empty();
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().map(c -> c.contains("planet") || c.contains("io.planet")).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
