package io.planet.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Workers run only while there is work, never more at once than the controller's concurrent syncs. */
class ControllerWorkersTest {
  static final class Blocking extends Controller {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final Set<String> done = ConcurrentHashMap.newKeySet();
    final CountDownLatch release = new CountDownLatch(1);

    Blocking(String name, int workers) {
      super(name, workers);
    }

    @Override
    protected void register(Informers informers) {}

    @Override
    protected void reconcile(String key) throws Exception {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        release.await(10, TimeUnit.SECONDS);
      } finally {
        running.decrementAndGet();
      }
      done.add(key);
    }
  }

  private static long workerThreads(String controller) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(controller + "-worker")).count();
  }

  @Test
  void atMostTheConfiguredWorkersRunAndNoneStaysWhenIdle() {
    Blocking c = new Blocking("blocking", 3);
    c.start(new SimpleMeterRegistry());
    try {
      for (int i = 0; i < 10; i++) c.enqueue("ns/k" + i);
      await().atMost(Duration.ofSeconds(5)).until(() -> c.running.get() == 3);
      assertThat(workerThreads("blocking")).isEqualTo(3);
      c.release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> c.done.size() == 10);
      assertThat(c.mostAtOnce.get()).isEqualTo(3);
      await().atMost(Duration.ofSeconds(5)).until(() -> workerThreads("blocking") == 0);

      // idle, then a new key: a worker comes back for it
      c.enqueue("ns/later");
      await().atMost(Duration.ofSeconds(5)).until(() -> c.done.contains("ns/later"));
    } finally {
      c.stop();
    }
  }

  @Test
  void keysQueuedBeforeTheStartAreTakenByUpToTheConfiguredWorkers() {
    Blocking d = new Blocking("prestart", 2);
    // a client that never connects: this controller registers no informers
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:1").build()).build()) {
      d.setUp(new Informers(client, new SimpleMeterRegistry(), "test"));
    }
    for (int i = 0; i < 5; i++) d.enqueue("k" + i);
    d.start(new SimpleMeterRegistry());
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> d.running.get() == 2);
      d.release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> d.done.size() == 5);
    } finally {
      d.stop();
    }
  }
}
