package io.planet.cli.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who listens on a TCP port, from /proc the way {@code ss -ltnp} finds it: the listening socket's inode in
 * /proc/net/tcp{,6}, then the process holding a descriptor {@code socket:[inode]}. Processes of other users are only
 * visible to root.
 */
final class PortOwners {
  private final Path proc;

  PortOwners(Path proc) {
    this.proc = proc;
  }

  static PortOwners system() {
    return new PortOwners(Path.of("/proc"));
  }

  /** "pid 1234 (etcd)" for the process listening on {@code port}, or empty when none (or none visible). */
  Optional<String> owner(int port) {
    Set<String> inodes = listeningInodes(port);
    if (inodes.isEmpty()) return Optional.empty();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : pids) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
          for (Path fd : fds) {
            String target;
            try {
              target = Files.readSymbolicLink(fd).toString();
            } catch (IOException e) {
              continue;
            }
            if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
              String comm = "?";
              try {
                comm = Files.readString(pid.resolve("comm")).trim();
              } catch (IOException ignored) {
                // exited meanwhile
              }
              return Optional.of("pid " + pid.getFileName() + " (" + comm + ")");
            }
          }
        } catch (IOException | SecurityException e) {
          // another user's process, or gone
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Inodes of sockets in state LISTEN (0A) on {@code port}. */
  Set<String> listeningInodes(int port) {
    Set<String> out = new HashSet<>();
    String hexPort = String.format("%04X", port);
    for (String table : List.of("net/tcp", "net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(proc.resolve(table));
      } catch (IOException e) {
        continue;
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10) continue;
        String local = f[1];
        if (local.substring(local.indexOf(':') + 1).equalsIgnoreCase(hexPort) && f[3].equals("0A")) out.add(f[9]);
      }
    }
    return out;
  }
}
