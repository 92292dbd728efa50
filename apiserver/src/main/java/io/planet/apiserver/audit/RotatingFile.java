package io.planet.apiserver.audit;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A log file rotated by size as upstream's (lumberjack's): when a write would take it past the maximum, the file is
 * renamed to {@code <name>-<UTC time>.<ext>} (e.g. audit-2026-01-02T15-04-05.000.log) and a new one started; then
 * backups beyond the count to keep, or older than the age to keep, are removed. New files are 0600: audit events
 * name users and may hold request bodies. Not thread-safe: one writer thread owns it.
 */
final class RotatingFile implements Closeable {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS");

  private final Path path;
  private final long maxBytes;
  private final int maxBackups;
  private final int maxAgeDays;
  private final Clock clock;
  private final String prefix;
  private final String ext;
  private OutputStream out;
  private long size;

  RotatingFile(Path path, long maxBytes, int maxBackups, int maxAgeDays, Clock clock) throws IOException {
    this.path = path.toAbsolutePath();
    this.maxBytes = maxBytes;
    this.maxBackups = maxBackups;
    this.maxAgeDays = maxAgeDays;
    this.clock = clock;
    String name = this.path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.prefix = (dot > 0 ? name.substring(0, dot) : name) + "-";
    this.ext = dot > 0 ? name.substring(dot) : "";
    if (this.path.getParent() != null) Files.createDirectories(this.path.getParent());
    open();
  }

  private void open() throws IOException {
    if (!Files.exists(path)) {
      Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    size = Files.size(path);
    out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.APPEND), 64 * 1024);
  }

  void write(byte[] line) throws IOException {
    if (size > 0 && size + line.length > maxBytes) rotate();
    out.write(line);
    size += line.length;
  }

  void flush() throws IOException {
    out.flush();
  }

  private void rotate() throws IOException {
    out.close();
    Path backup;
    Instant now = clock.instant();
    do {
      backup = path.resolveSibling(prefix + STAMP.format(LocalDateTime.ofInstant(now, ZoneOffset.UTC)) + ext);
      now = now.plusMillis(1);
    } while (Files.exists(backup));
    Files.move(path, backup);
    open();
    prune();
  }

  /** Backups, newest first. */
  List<Path> backups() throws IOException {
    record Backup(Path file, Instant time) {}
    List<Backup> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(path.getParent())) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (!n.startsWith(prefix) || !n.endsWith(ext) || n.length() <= prefix.length() + ext.length()) continue;
        try {
          String stamp = n.substring(prefix.length(), n.length() - ext.length());
          found.add(new Backup(f, LocalDateTime.parse(stamp, STAMP).toInstant(ZoneOffset.UTC)));
        } catch (DateTimeParseException e) {
          // another file that merely shares the prefix
        }
      }
    }
    found.sort(Comparator.comparing(Backup::time).reversed());
    return found.stream().map(Backup::file).toList();
  }

  private void prune() throws IOException {
    List<Path> all = backups();
    Instant cutoff = clock.instant().minus(Duration.ofDays(maxAgeDays));
    for (int i = 0; i < all.size(); i++) {
      Path f = all.get(i);
      boolean tooMany = maxBackups > 0 && i >= maxBackups;
      boolean tooOld = maxAgeDays > 0 && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff);
      if (tooMany || tooOld) Files.deleteIfExists(f);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
