package io.planet.apiserver.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log backend: events go into a bounded queue and one thread writes them as JSON lines (to a rotated file,
 * or standard output for "-"). Requests never wait for the disk: when the queue is full the event is dropped and
 * counted, as upstream's batch mode does (its log backend's default, blocking mode, would instead stall the request
 * until there is room, trading latency and availability for completeness). Dropped events are logged as a warning.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AuditLog.class);

  private final BlockingQueue<ObjectNode> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Sink sink;
  private final Thread writer;
  private volatile boolean closed;

  private interface Sink {
    void write(byte[] line) throws IOException;

    void flush() throws IOException;

    void close() throws IOException;
  }

  public AuditLog(AuditConfig config) throws IOException {
    this.queue = new ArrayBlockingQueue<>(config.bufferSize());
    if (config.logPath().equals("-")) {
      PrintStream out = System.out;
      sink = new Sink() {
        @Override
        public void write(byte[] line) {
          out.write(line, 0, line.length);
        }

        @Override
        public void flush() {
          out.flush();
        }

        @Override
        public void close() {
          out.flush();
        }
      };
    } else {
      RotatingFile file = new RotatingFile(Path.of(config.logPath()), config.maxSizeBytes(), config.maxBackups(),
          config.maxAgeDays(), Clock.systemUTC());
      sink = new Sink() {
        @Override
        public void write(byte[] line) throws IOException {
          file.write(line);
        }

        @Override
        public void flush() throws IOException {
          file.flush();
        }

        @Override
        public void close() throws IOException {
          file.close();
        }
      };
    }
    writer = new Thread(this::run, "audit-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues an event; never blocks. */
  public void add(ObjectNode event) {
    if (queue.offer(event)) return;
    long n = dropped.incrementAndGet();
    // 1, 2, 4, 8 ...: a full queue is reported without flooding the log
    if (Long.bitCount(n) == 1) {
      logger.warn("audit log queue full ({} events): {} audit events dropped so far", queue.size() + queue.remainingCapacity(), n);
    }
  }

  public long dropped() {
    return dropped.get();
  }

  public long written() {
    return written.get();
  }

  private void run() {
    while (!closed || !queue.isEmpty()) {
      try {
        ObjectNode e = queue.poll(200, TimeUnit.MILLISECONDS);
        if (e == null) {
          sink.flush();
          continue;
        }
        byte[] json = Json.bytes(e);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        sink.write(line);
        written.incrementAndGet();
        if (queue.isEmpty()) sink.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        logger.warn("writing the audit log failed: {}", e.toString());
      }
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      sink.close();
    } catch (IOException e) {
      logger.warn("closing the audit log failed: {}", e.toString());
    }
  }
}
