package io.planet.node.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a container's output in the CRI log format the kubelet reads back for {@code kubectl logs}:
 * {@code <RFC3339Nano timestamp> <stdout|stderr> <F|P> <line>}, P marking a partial line (split at 16 KiB).
 */
final class CriLog {
  static final int MAX_LINE = 16 * 1024;
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

  private final OutputStream out;

  CriLog(OutputStream out) {
    this.out = out;
  }

  /**
   * Copies a terminal's output to the log until it ends: as {@link #copy}, but what is left of a line once a read
   * has no more is written as a partial line at once, since an attach reads the log and a terminal's prompt and
   * echo have no newline yet. {@code in} should not buffer: each read is what the terminal gave at a time.
   */
  void copyTerminal(InputStream in, String stream) throws IOException {
    byte[] buf = new byte[MAX_LINE];
    byte[] line = new byte[MAX_LINE];
    int n = 0;
    int r;
    while ((r = in.read(buf)) >= 0) {
      for (int i = 0; i < r; i++) {
        if (buf[i] == '\n') {
          write(stream, 'F', line, n);
          n = 0;
        } else {
          line[n++] = buf[i];
          if (n == MAX_LINE) {
            write(stream, 'P', line, n);
            n = 0;
          }
        }
      }
      if (n > 0) {
        write(stream, 'P', line, n);
        n = 0;
      }
    }
  }

  /** Copies one stream to the log until it ends (run on its own thread per stream). */
  void copy(InputStream in, String stream) throws IOException {
    byte[] line = new byte[MAX_LINE];
    int n = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        write(stream, 'F', line, n);
        n = 0;
      } else {
        line[n++] = (byte) b;
        if (n == MAX_LINE) {
          write(stream, 'P', line, n);
          n = 0;
        }
      }
    }
    if (n > 0) write(stream, 'P', line, n);
  }

  private void write(String stream, char tag, byte[] content, int len) throws IOException {
    byte[] head = (TIME.format(Instant.now()) + " " + stream + " " + tag + " ").getBytes(StandardCharsets.US_ASCII);
    synchronized (out) {
      out.write(head);
      out.write(content, 0, len);
      out.write('\n');
      out.flush();
    }
  }
}
