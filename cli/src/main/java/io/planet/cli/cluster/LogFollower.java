package io.planet.cli.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the lines appended to a log file since the last call (tail -F without the waiting). It keeps the file open,
 * so when the file is rotated (renamed to {@code .1}, a new one created) it first reads what was still written to
 * the old one, then goes on with the new one from its start.
 */
final class LogFollower implements AutoCloseable {
  private final Path file;
  private final long startOffset;
  private FileChannel open;
  private Object openKey;
  private final StringBuilder partial = new StringBuilder();

  LogFollower(Path file, long offset) {
    this.file = file;
    this.startOffset = offset;
  }

  static LogFollower fromEnd(Path file) throws IOException {
    return new LogFollower(file, Files.exists(file) ? Files.size(file) : 0);
  }

  /** Complete lines written since the last call. */
  List<String> poll() throws IOException {
    List<String> out = new ArrayList<>();
    if (open == null && !reopen(startOffset)) return out;
    drain(out);
    Object current = key();
    if (current != null && !Objects.equals(current, openKey)) {
      // rotated: the old file is read to its end above; the new one from its start
      open.close();
      open = null;
      if (reopen(0)) drain(out);
    } else if (current != null && open.size() < open.position()) {
      open.position(0); // truncated in place
      drain(out);
    }
    return out;
  }

  private boolean reopen(long offset) throws IOException {
    try {
      open = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return false;
    }
    openKey = key();
    open.position(Math.min(offset, open.size()));
    return true;
  }

  private Object key() throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void drain(List<String> out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (open.read(buf) > 0) {
      bytes.write(buf.array(), 0, buf.position());
      buf.clear();
    }
    if (bytes.size() == 0) return;
    partial.append(bytes.toString(StandardCharsets.UTF_8));
    int nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      out.add(partial.substring(0, nl));
      partial.delete(0, nl + 1);
    }
  }

  @Override
  public void close() throws IOException {
    if (open != null) open.close();
  }
}
