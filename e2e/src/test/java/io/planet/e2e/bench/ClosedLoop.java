package io.planet.e2e.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A closed-loop load: {@code concurrency} threads, each with its own client (an HTTP connection, or a share of the
 * etcd client), take operation numbers 0..n-1 in turn and issue the next one as soon as the previous answered.
 * Throughput is completed operations over the wall time from the common start to the last answer.
 */
final class ClosedLoop {
  /** One operation: returns its outcome label ("201", "ok"...) or throws {@link Failure}. */
  interface Op<C> {
    String run(C client, int i) throws Exception;
  }

  /** An operation that got an answer, but not a successful one (e.g. HTTP 500); the label is counted as an error. */
  static final class Failure extends Exception {
    final String status;

    Failure(String status, String detail) {
      super(status + ": " + (detail.length() > 500 ? detail.substring(0, 500) + "..." : detail), null, false, false);
      this.status = status;
    }
  }

  private final CpuMeters cpu;

  ClosedLoop(CpuMeters cpu) {
    this.cpu = cpu;
  }

  <C extends AutoCloseable> PhaseResult run(String name, int n, int concurrency, Supplier<C> clients, Op<C> op)
      throws InterruptedException {
    long[] latencies = new long[n];
    String[] statuses = new String[n];
    boolean[] failed = new boolean[n];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      Thread th = new Thread(() -> {
        try (C client = clients.get()) {
          ready.countDown();
          go.await();
          int i;
          while ((i = next.getAndIncrement()) < n) {
            long t0 = System.nanoTime();
            String status;
            boolean success = false;
            try {
              status = op.run(client, i);
              success = true;
            } catch (Failure f) {
              status = f.status;
              firstError.compareAndSet(null, f.getMessage());
            } catch (Exception e) {
              status = "exception";
              firstError.compareAndSet(null, e.toString());
            }
            latencies[i] = System.nanoTime() - t0;
            statuses[i] = status;
            failed[i] = !success;
          }
        } catch (Exception e) {
          firstError.compareAndSet(null, "client: " + e);
          ready.countDown();
        }
      }, "bench-" + name + "-" + t);
      threads.add(th);
      th.start();
    }
    ready.await();
    CpuMeters.Sample cpu0 = cpu.sample();
    long start = System.nanoTime();
    go.countDown();
    for (Thread th : threads) th.join();
    double seconds = (System.nanoTime() - start) / 1e9;
    CpuMeters.Sample used = cpu.sample().minus(cpu0);

    Map<String, Integer> counts = new TreeMap<>();
    int errors = 0;
    int done = 0;
    for (int i = 0; i < n; i++) {
      if (statuses[i] == null) {
        statuses[i] = "not-run";
        failed[i] = true;
      }
      counts.merge(statuses[i], 1, Integer::sum);
      if (!failed[i]) {
        latencies[done++] = latencies[i];
      } else {
        errors++;
      }
    }
    return new PhaseResult(name, n, errors, counts, firstError.get(), seconds, LatencyStats.of(latencies, done),
        used);
  }
}
