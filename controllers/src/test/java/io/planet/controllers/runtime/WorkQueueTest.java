package io.planet.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
  private final WorkQueue queue = new WorkQueue("test", RateLimiter.controllerDefault(), new SimpleMeterRegistry());

  @Test
  void aKeyAddedTwiceWaitsOnce() throws Exception {
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    assertThat(queue.depth()).isEqualTo(2);
    assertThat(queue.get()).isEqualTo("ns/a");
    assertThat(queue.get()).isEqualTo("ns/b");
    assertThat(queue.depth()).isZero();
  }

  @Test
  void aKeyAddedWhileProcessingComesBackAfterDone() throws Exception {
    queue.add("k");
    String k = queue.get();
    queue.add("k");
    // not handed out a second time while the first worker holds it
    assertThat(queue.depth()).isZero();
    queue.done(k);
    assertThat(queue.depth()).isEqualTo(1);
    assertThat(queue.get()).isEqualTo("k");
  }

  @Test
  void workersNeverProcessOneKeyConcurrently() throws Exception {
    var inFlight = ConcurrentHashMap.<String>newKeySet();
    AtomicBoolean overlap = new AtomicBoolean();
    AtomicInteger processed = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> {
        try {
          String key;
          while ((key = queue.get()) != null) {
            if (!inFlight.add(key)) overlap.set(true);
            Thread.onSpinWait();
            inFlight.remove(key);
            processed.incrementAndGet();
            queue.done(key);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      workers.add(t);
    }
    for (int i = 0; i < 20_000; i++) queue.add("key-" + (i % 4));
    await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
    queue.shutDown();
    for (Thread t : workers) t.join(5000);
    assertThat(overlap).isFalse();
    assertThat(processed.get()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void failuresBackOffExponentiallyPerKeyAndForgetResets() {
    RateLimiter limiter = RateLimiter.controllerDefault();
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 5; i++) delays.add(limiter.when("a"));
    assertThat(delays).containsExactly(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
        Duration.ofMillis(40), Duration.ofMillis(80));
    assertThat(limiter.when("b")).isEqualTo(Duration.ofMillis(5));
    assertThat(limiter.retries("a")).isEqualTo(5);
    limiter.forget("a");
    assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
    for (int i = 0; i < 40; i++) limiter.when("c");
    assertThat(limiter.when("c")).isEqualTo(Duration.ofSeconds(1000));
  }

  @Test
  void theTokenBucketLimitsAllKeysTogetherAfterTheBurst() {
    RateLimiter limiter = new RateLimiter(Duration.ofMillis(5), Duration.ofSeconds(1000), 10, 3);
    for (int i = 0; i < 3; i++) assertThat(limiter.when("k" + i)).isEqualTo(Duration.ofMillis(5));
    // the bucket is empty: the next keys wait for tokens at 10 per second, one after another
    Duration d1 = limiter.when("x");
    Duration d2 = limiter.when("y");
    assertThat(d1).isBetween(Duration.ofMillis(50), Duration.ofMillis(101));
    assertThat(d2).isGreaterThan(d1.plusMillis(50));
  }

  @Test
  void rateLimitedKeysComeBackAfterTheirDelay() throws Exception {
    long start = System.nanoTime();
    queue.addRateLimited("k");
    queue.addRateLimited("k");
    assertThat(queue.get()).isEqualTo("k");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(5));
    assertThat(queue.numRequeues("k")).isEqualTo(2);
    queue.forget("k");
    assertThat(queue.numRequeues("k")).isZero();
  }

  @Test
  void shutDownReleasesWaitingWorkers() throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    Thread t = new Thread(() -> {
      try {
        got.add(String.valueOf(queue.get()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    queue.shutDown();
    t.join(5000);
    assertThat(got).containsExactly("null");
  }
}
