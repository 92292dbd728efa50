package io.planet.node.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * Serves a container's CRI log file as {@code kubectl logs} expects: the content without the CRI prefixes (partial
 * lines joined), optionally each line prefixed with its RFC 3339 timestamp, filtered by sinceTime, the last
 * tailLines lines, at most limitBytes bytes, and with follow, new output as it is written until the container exits.
 */
public final class ContainerLogs {
  /** kubectl's log options (PodLogOptions). */
  public record Options(boolean follow, boolean timestamps, Long tailLines, Instant sinceTime, Long limitBytes) {
    public static final Options ALL = new Options(false, false, null, null, null);
  }

  private final Path file;
  private final Options options;
  private long written;

  public ContainerLogs(Path file, Options options) {
    this.file = file;
    this.options = options;
  }

  /** One CRI log line. */
  record Entry(String timestamp, String stream, boolean full, String content) {
    static Entry parse(String line) {
      int a = line.indexOf(' ');
      int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
      int c = b < 0 ? -1 : line.indexOf(' ', b + 1);
      if (c < 0) return new Entry("", "stdout", true, line);
      return new Entry(line.substring(0, a), line.substring(a + 1, b), line.charAt(b + 1) == 'F', line.substring(c + 1));
    }
  }

  /** Writes the log to {@code out}; with follow, keeps going while {@code running} says the container runs. */
  public void copyTo(OutputStream out, BooleanSupplier running) throws IOException, InterruptedException {
    if (!Files.exists(file)) return;
    try (LineReader lines = new LineReader(file)) {
      Deque<String> tail = options.tailLines() == null ? null : new ArrayDeque<>();
      StringBuilder pending = new StringBuilder();
      String pendingTs = null;
      String line;
      while ((line = lines.next()) != null) {
        Entry e = Entry.parse(line);
        if (!since(e)) continue;
        if (pendingTs == null) pendingTs = e.timestamp();
        pending.append(e.content());
        if (!e.full()) continue;
        String rendered = render(pendingTs, pending.toString(), true);
        pending.setLength(0);
        pendingTs = null;
        if (tail != null) {
          tail.addLast(rendered);
          if (tail.size() > options.tailLines()) tail.removeFirst();
        } else if (!write(out, rendered)) {
          return;
        }
      }
      if (tail != null) {
        for (String r : tail) if (!write(out, r)) return;
      }
      if (pending.length() > 0 && !write(out, render(pendingTs, pending.toString(), false))) return;
      out.flush();
      if (!options.follow()) return;
      // follow: poll for appended lines until the container has exited and everything written is read
      boolean exited = false;
      while (true) {
        String next = lines.next();
        if (next == null) {
          out.flush();
          if (exited) return;
          exited = !running.getAsBoolean();
          if (!exited) Thread.sleep(100);
          continue;
        }
        Entry e = Entry.parse(next);
        if (!write(out, render(e.timestamp(), e.content(), e.full()))) return;
      }
    }
  }

  private boolean since(Entry e) {
    if (options.sinceTime() == null || e.timestamp().isEmpty()) return true;
    try {
      return !Instant.parse(e.timestamp()).isBefore(options.sinceTime());
    } catch (RuntimeException bad) {
      return true;
    }
  }

  private String render(String ts, String content, boolean endOfLine) {
    return (options.timestamps() ? ts + " " : "") + content + (endOfLine ? "\n" : "");
  }

  /** False once limitBytes is reached (what was allowed is written). */
  private boolean write(OutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (options.limitBytes() != null) {
      long room = options.limitBytes() - written;
      if (room <= 0) return false;
      if (b.length > room) {
        out.write(b, 0, (int) room);
        written += room;
        return false;
      }
    }
    out.write(b);
    written += b.length;
    return true;
  }

  /** Whole lines of a file being appended to: an incomplete last line is returned only once completed. */
  private static final class LineReader implements AutoCloseable {
    private final java.nio.channels.FileChannel channel;
    private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    LineReader(Path file) throws IOException {
      channel = java.nio.channels.FileChannel.open(file);
      buffer.flip();
    }

    String next() throws IOException {
      while (true) {
        while (buffer.hasRemaining()) {
          byte b = buffer.get();
          if (b == '\n') {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            return s;
          }
          line.write(b);
        }
        buffer.clear();
        int n = channel.read(buffer);
        buffer.flip();
        if (n <= 0) return null;
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
