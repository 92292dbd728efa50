package io.planet.e2e.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many open watches, each on its own HTTP/1.1 connection, read by a few selector threads (not a thread per watch, so
 * that the client's scheduling does not dominate the latencies on a small machine). Each watch event whose object
 * carries the annotation {@link #SENT_ANNOTATION} (a System.nanoTime() of this JVM, taken just before the write was
 * sent) yields one delivery latency: the time the bytes that completed the event were read, minus the send time.
 */
final class WatchFleet implements AutoCloseable {
  static final String SENT_ANNOTATION = "bench.planet.io/sent-nanos";
  private static final byte[] MARKER = ("\"" + SENT_ANNOTATION + "\":\"").getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress address;
  private final List<Reader> readers = new ArrayList<>();
  private final List<Watch> watches = new ArrayList<>();
  private final AtomicIntegerArray seen;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong headers = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean recording;

  WatchFleet(String host, int port, int count, int readerThreads) throws IOException {
    this.address = new InetSocketAddress(host, port);
    this.seen = new AtomicIntegerArray(count);
    for (int i = 0; i < readerThreads; i++) {
      Reader r = new Reader(i);
      readers.add(r);
      r.thread.start();
    }
  }

  /** Connects every watch and sends its request; returns once all answered 200 or the timeout passed. */
  void open(String pathWithQuery, long timeoutMillis) throws IOException, InterruptedException {
    byte[] request = ("GET " + pathWithQuery + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
        + "\r\nAccept: application/json\r\nUser-Agent: planet-bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < seen.length(); i++) {
      SocketChannel ch = SocketChannel.open();
      ch.socket().setTcpNoDelay(true);
      ch.connect(address);
      ByteBuffer b = ByteBuffer.wrap(request);
      while (b.hasRemaining()) ch.write(b);
      ch.configureBlocking(false);
      Watch w = new Watch(i, ch);
      watches.add(w);
      readers.get(i % readers.size()).add(w);
    }
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (headers.get() + failures.get() < seen.length() && System.currentTimeMillis() < deadline) Thread.sleep(5);
  }

  int established() {
    return (int) headers.get();
  }

  long failures() {
    return failures.get();
  }

  /** How many watches have seen at least {@code n} marked events since the last {@link #reset}. */
  int watchesThatSaw(int n) {
    int c = 0;
    for (int i = 0; i < seen.length(); i++) if (seen.get(i) >= n) c++;
    return c;
  }

  long delivered() {
    return delivered.get();
  }

  /** Forgets counts and latencies; from now on latencies are recorded only if {@code record}. */
  void reset(boolean record) {
    recording = false;
    for (Reader r : readers) r.clear();
    for (int i = 0; i < seen.length(); i++) seen.set(i, 0);
    delivered.set(0);
    recording = record;
  }

  /** Delivery latencies recorded since the last reset (copied), and the latest receive time among them. */
  record Deliveries(long[] nanos, int count, long lastReceivedNanos) {}

  Deliveries deliveries() {
    int total = 0;
    List<long[]> parts = new ArrayList<>();
    long last = 0;
    for (Reader r : readers) {
      synchronized (r) {
        parts.add(Arrays.copyOf(r.latencies, r.count));
        total += r.count;
        last = Math.max(last, r.lastReceived);
      }
    }
    long[] all = new long[total];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return new Deliveries(all, total, last);
  }

  @Override
  public void close() {
    for (Reader r : readers) r.stop();
    for (Watch w : watches) {
      try {
        w.channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** One watch connection and its incremental HTTP/chunked/line parser. */
  private final class Watch {
    private static final int HEAD = 0;
    private static final int SIZE = 1;
    private static final int DATA = 2;
    private static final int DATA_END = 3;
    private static final int DONE = 4;

    final int index;
    final SocketChannel channel;
    private int state = HEAD;
    private final StringBuilder head = new StringBuilder();
    private long chunkLeft;
    private int crlfLeft;
    private byte[] line = new byte[4096];
    private int lineLength;

    Watch(int index, SocketChannel channel) {
      this.index = index;
      this.channel = channel;
    }

    /** Consumes bytes read at {@code now}; completed lines become events. */
    void feed(ByteBuffer b, long now, Reader r) {
      while (b.hasRemaining()) {
        switch (state) {
          case HEAD, SIZE -> {
            char c = (char) b.get();
            if (c != '\n') {
              head.append(c);
              continue;
            }
            String l = head.toString().trim();
            head.setLength(0);
            if (state == HEAD) {
              if (l.startsWith("HTTP/")) {
                String[] p = l.split(" ");
                if (p.length < 2 || !p[1].equals("200")) fail("watch answered " + l);
              } else if (l.isEmpty()) {
                state = SIZE;
                headers.incrementAndGet();
              }
            } else if (!l.isEmpty()) {
              int semi = l.indexOf(';');
              chunkLeft = Long.parseLong(semi < 0 ? l : l.substring(0, semi), 16);
              if (chunkLeft == 0) {
                state = DONE;
                fail("watch stream ended by the server");
              } else {
                state = DATA;
              }
            }
          }
          case DATA -> {
            while (b.hasRemaining() && chunkLeft > 0) {
              byte c = b.get();
              chunkLeft--;
              if (c == '\n') {
                event(now, r);
                lineLength = 0;
              } else {
                if (lineLength == line.length) line = Arrays.copyOf(line, line.length * 2);
                line[lineLength++] = c;
              }
            }
            if (chunkLeft == 0) {
              state = DATA_END;
              crlfLeft = 2;
            }
          }
          case DATA_END -> {
            b.get();
            if (--crlfLeft == 0) state = SIZE;
          }
          default -> b.position(b.limit());
        }
      }
    }

    private void event(long now, Reader r) {
      int at = indexOf(line, lineLength, MARKER);
      if (at < 0) return;
      long sent = 0;
      for (int i = at + MARKER.length; i < lineLength && line[i] >= '0' && line[i] <= '9'; i++) {
        sent = sent * 10 + (line[i] - '0');
      }
      if (recording) r.record(now - sent, now);
      seen.incrementAndGet(index);
      delivered.incrementAndGet();
    }

    private void fail(String why) {
      failures.incrementAndGet();
      System.err.println("bench: watch " + index + ": " + why);
      state = DONE;
    }
  }

  private static int indexOf(byte[] hay, int length, byte[] needle) {
    outer:
    for (int i = 0; i <= length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /** A selector thread reading its share of the watches. */
  private final class Reader implements Runnable {
    final Thread thread;
    private final Selector selector;
    private final Queue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private volatile boolean running = true;
    long[] latencies = new long[1 << 16];
    int count;
    long lastReceived;

    Reader(int i) throws IOException {
      this.selector = Selector.open();
      this.thread = new Thread(this, "bench-watch-reader-" + i);
      this.thread.setDaemon(true);
    }

    void add(Watch w) {
      pending.add(w);
      selector.wakeup();
    }

    synchronized void record(long latency, long now) {
      if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
      latencies[count++] = latency;
      lastReceived = Math.max(lastReceived, now);
    }

    synchronized void clear() {
      count = 0;
      lastReceived = 0;
    }

    void stop() {
      running = false;
      selector.wakeup();
      try {
        thread.join(2_000);
        selector.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    @Override
    public void run() {
      while (running) {
        try {
          selector.select(100);
          Watch w;
          while ((w = pending.poll()) != null) w.channel.register(selector, SelectionKey.OP_READ, w);
          for (SelectionKey k : selector.selectedKeys()) {
            Watch watch = (Watch) k.attachment();
            buffer.clear();
            int n;
            try {
              n = watch.channel.read(buffer);
            } catch (IOException e) {
              n = -1;
            }
            long now = System.nanoTime();
            if (n < 0) {
              k.cancel();
              if (watch.state != Watch.DONE) watch.fail("connection closed");
              continue;
            }
            buffer.flip();
            watch.feed(buffer, now, this);
          }
          selector.selectedKeys().clear();
        } catch (IOException | RuntimeException e) {
          if (running) System.err.println("bench: watch reader: " + e);
        }
      }
    }
  }
}
