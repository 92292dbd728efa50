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
