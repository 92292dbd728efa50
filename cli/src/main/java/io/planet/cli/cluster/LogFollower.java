package io.planet.cli.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the lines appended to a log file since the last call (tail -f without the waiting). */
final class LogFollower {
  private final Path file;
  private long offset;
  private final StringBuilder partial = new StringBuilder();

  LogFollower(Path file, long offset) {
    this.file = file;
    this.offset = offset;
  }

  static LogFollower fromEnd(Path file) throws IOException {
    return new LogFollower(file, Files.exists(file) ? Files.size(file) : 0);
  }

  /** Complete lines written since the last call. */
  List<String> poll() throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.exists(file)) return out;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      if (len < offset) offset = 0; // rotated
      if (len == offset) return out;
      byte[] buf = new byte[(int) Math.min(len - offset, 1 << 20)];
      f.seek(offset);
      f.readFully(buf);
      offset += buf.length;
      partial.append(new String(buf, StandardCharsets.UTF_8));
    }
    int nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      out.add(partial.substring(0, nl));
      partial.delete(0, nl + 1);
    }
    return out;
  }
}
