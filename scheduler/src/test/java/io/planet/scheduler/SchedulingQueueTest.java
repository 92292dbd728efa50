package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final SchedulingQueue queue = new SchedulingQueue(now::get);

  @Test
  void parkedPodsComeBackOnAClusterEventAfterTheirBackoff() throws InterruptedException {
    queue.add(pod("p", null, null).build());
    SchedulingQueue.Entry e = queue.pop(10);
    queue.unschedulable(e);
    assertThat(queue.unschedulableCount()).isEqualTo(1);
    assertThat(queue.pop(10)).isNull();
    queue.moveAllToActive();
    assertThat(queue.unschedulableCount()).isZero();
    assertThat(queue.backoffCount()).isEqualTo(1);
    now.addAndGet(1_000_000_000L);
    SchedulingQueue.Entry again = queue.pop(10);
    assertThat(again.pod().getMetadata().getName()).isEqualTo("p");
    assertThat(again.attempts()).isEqualTo(2);
  }

  @Test
  void anEventDuringTheAttemptIsNotMissed() throws InterruptedException {
    queue.add(pod("p", null, null).build());
    SchedulingQueue.Entry e = queue.pop(10);
    queue.moveAllToActive(); // e.g. a node was added while the pod was being scheduled
    queue.unschedulable(e);
    assertThat(queue.unschedulableCount()).isZero();
    assertThat(queue.backoffCount()).isEqualTo(1);
  }

  @Test
  void higherPriorityFirstThenOldest() throws InterruptedException {
    queue.add(pod("old", null, null).build());
    queue.add(pod("new", null, null).build());
    queue.add(pod("urgent", null, null).editSpec().withPriority(1000).endSpec().build());
    assertThat(queue.pop(10).pod().getMetadata().getName()).isEqualTo("urgent");
    assertThat(queue.pop(10).pod().getMetadata().getName()).isEqualTo("old");
    assertThat(queue.pop(10).pod().getMetadata().getName()).isEqualTo("new");
  }

  @Test
  void deletedPodsLeaveTheQueue() throws InterruptedException {
    queue.add(pod("p", null, null).build());
    queue.delete("default/p");
    assertThat(queue.pop(10)).isNull();
  }

  @Test
  void parkedTooLongIsRetriedAnyway() throws InterruptedException {
    queue.add(pod("p", null, null).build());
    queue.unschedulable(queue.pop(10));
    now.addAndGet(SchedulingQueue.UNSCHEDULABLE_TIMEOUT.toNanos());
    queue.flushUnschedulableLeftover();
    assertThat(queue.pop(10)).isNotNull();
  }
}
