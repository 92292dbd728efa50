package io.planet.client.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  /** The API server's events, by namespace/name. */
  private final Map<String, Event> stored = new LinkedHashMap<>();
  private final List<String> writes = new ArrayList<>();
  private Instant now = Instant.parse("2026-11-22T10:00:00Z");

  private final EventRecorder.Sink sink = new EventRecorder.Sink() {
    @Override
    public void create(Event event) {
      writes.add("create " + event.getMetadata().getName());
      stored.put(event.getMetadata().getNamespace() + "/" + event.getMetadata().getName(), event);
    }

    @Override
    public boolean update(String namespace, String name, int count, String lastTimestamp) {
      writes.add("update " + name);
      Event e = stored.get(namespace + "/" + name);
      if (e == null) return false;
      e.setCount(count);
      e.setLastTimestamp(lastTimestamp);
      return true;
    }
  };

  private final EventRecorder recorder = new EventRecorder(sink, "replicaset-controller", "cm-1",
      new Clock() {
        @Override
        public Instant instant() {
          return now;
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      }, new SameThread());

  private static ReplicaSet rs() {
    return new ReplicaSetBuilder().withNewMetadata().withNamespace("shop").withName("web-5d8f7b9c6").withUid("u-1")
        .withResourceVersion("42").endMetadata().build();
  }

  @Test
  void writesAnUpstreamShapedEvent() {
    recorder.normal(rs(), "SuccessfulCreate", "Created pod: %s", "web-5d8f7b9c6-abcde");

    assertThat(stored).hasSize(1);
    Event e = stored.values().iterator().next();
    assertThat(e.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(e.getMetadata().getName()).startsWith("web-5d8f7b9c6.");
    assertThat(e.getType()).isEqualTo("Normal");
    assertThat(e.getReason()).isEqualTo("SuccessfulCreate");
    assertThat(e.getMessage()).isEqualTo("Created pod: web-5d8f7b9c6-abcde");
    assertThat(e.getSource().getComponent()).isEqualTo("replicaset-controller");
    assertThat(e.getReportingComponent()).isEqualTo("replicaset-controller");
    assertThat(e.getReportingInstance()).isEqualTo("cm-1");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
    assertThat(e.getInvolvedObject().getUid()).isEqualTo("u-1");
    assertThat(e.getInvolvedObject().getResourceVersion()).isEqualTo("42");
    assertThat(e.getCount()).isEqualTo(1);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-11-22T10:00:00Z");
  }

  @Test
  void aRepeatRaisesTheCountOfTheEventAlreadyWritten() {
    recorder.warning(rs(), "FailedCreate", "Error creating: %s", "quota exceeded");
    now = now.plusSeconds(30);
    recorder.warning(rs(), "FailedCreate", "Error creating: %s", "quota exceeded");
    now = now.plusSeconds(30);
    recorder.warning(rs(), "FailedCreate", "Error creating: %s", "quota exceeded");

    assertThat(stored).hasSize(1);
    Event e = stored.values().iterator().next();
    assertThat(e.getCount()).isEqualTo(3);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-11-22T10:01:00Z");
  }

  @Test
  void aDifferentMessageReasonOrObjectIsANewEvent() {
    recorder.normal(rs(), "SuccessfulCreate", "Created pod: %s", "a");
    recorder.normal(rs(), "SuccessfulCreate", "Created pod: %s", "b");
    recorder.normal(rs(), "SuccessfulDelete", "Deleted pod: %s", "a");
    Pod pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("a").withUid("p-1").endMetadata().build();
    recorder.warning(pod, "NodeNotReady", "Node is not ready");

    assertThat(stored).hasSize(4);
    assertThat(stored.values()).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void anAggregatedEventDeletedMeanwhileIsWrittenAgain() {
    recorder.normal(rs(), "SuccessfulCreate", "Created pod: %s", "a");
    stored.clear(); // e.g. expired by the events TTL
    now = now.plusSeconds(1);
    recorder.normal(rs(), "SuccessfulCreate", "Created pod: %s", "a");

    assertThat(stored).hasSize(1);
    assertThat(stored.values().iterator().next().getCount()).isEqualTo(1);
    assertThat(writes).hasSize(3).first().asString().startsWith("create");
  }

  @Test
  void eventsOfClusterScopedObjectsGoToTheDefaultNamespace() {
    recorder.normal(new NodeBuilder().withNewMetadata().withName("node-1").withUid("n-1").endMetadata().build(),
        "NodeNotReady", "Node %s status is now: %s", "node-1", "NodeNotReady");

    Event e = stored.values().iterator().next();
    assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
    assertThat(e.getMessage()).isEqualTo("Node node-1 status is now: NodeNotReady");
  }

  @Test
  void aFailingSinkNeverReachesTheCaller() {
    EventRecorder failing = new EventRecorder(new EventRecorder.Sink() {
      @Override
      public void create(Event event) {
        throw new IllegalStateException("API server down");
      }

      @Override
      public boolean update(String namespace, String name, int count, String lastTimestamp) {
        throw new IllegalStateException("API server down");
      }
    }, "deployment-controller", "cm-1", Clock.systemUTC(), new SameThread());

    failing.normal(rs(), "ScalingReplicaSet", "Scaled up replica set %s to %d", "web", 3);
    failing.close();
    failing.normal(rs(), "ScalingReplicaSet", "Scaled up replica set %s to %d", "web", 3);
  }

  @Test
  void containersOfOnePodAreDistinctObjectsByTheirFieldPath() {
    EventRecorder kubelet = new EventRecorder(sink, "kubelet", "node-1", "node-1", Clock.systemUTC(),
        List.of(new SameThread()));
    Pod pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web").withUid("p-1").endMetadata().build();
    for (String container : List.of("app", "sidecar", "app")) {
      ObjectReference ref = new ObjectReferenceBuilder(EventRecorder.reference(pod))
          .withFieldPath("spec.containers{" + container + "}").build();
      kubelet.event(ref, "Normal", "Pulled", "Container image \"busybox\" already present on machine");
    }

    assertThat(stored).hasSize(2);
    assertThat(stored.values()).extracting(e -> e.getInvolvedObject().getFieldPath() + " x" + e.getCount())
        .containsExactlyInAnyOrder("spec.containers{app} x2", "spec.containers{sidecar} x1");
    assertThat(stored.values()).allSatisfy(e -> {
      assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
      assertThat(e.getSource().getHost()).isEqualTo("node-1");
      assertThat(e.getReportingInstance()).isEqualTo("node-1");
      assertThat(e.getAction()).isNull();
      assertThat(e.getEventTime()).isNull();
    });
  }

  @Test
  void anEventWithAnActionCarriesItsEventTime() {
    Pod pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("a").withUid("p-1").endMetadata().build();
    recorder.event(EventRecorder.reference(pod), "Normal", "Scheduled", "Binding", "Successfully assigned shop/a to n");

    Event e = stored.values().iterator().next();
    assertThat(e.getAction()).isEqualTo("Binding");
    assertThat(e.getEventTime().getTime()).isEqualTo("2026-11-22T10:00:00.000000Z");
    assertThat(e.getSource().getHost()).isNull();
  }

  @Test
  void severalWritersStillAggregateEachRepeat() {
    List<Event> created = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
    EventRecorder.Sink counting = new EventRecorder.Sink() {
      @Override
      public void create(Event event) {
        created.add(event);
        counts.put(event.getMetadata().getName(), 1);
      }

      @Override
      public boolean update(String namespace, String name, int count, String lastTimestamp) {
        counts.put(name, count);
        return true;
      }
    };
    List<java.util.concurrent.ExecutorService> writers = List.of(java.util.concurrent.Executors.newSingleThreadExecutor(),
        java.util.concurrent.Executors.newSingleThreadExecutor(), java.util.concurrent.Executors.newSingleThreadExecutor());
    EventRecorder many = new EventRecorder(counting, "default-scheduler", null, "s-1", Clock.systemUTC(), writers);
    for (int round = 0; round < 5; round++) {
      for (int pod = 0; pod < 20; pod++) {
        Pod p = new PodBuilder().withNewMetadata().withNamespace("ns").withName("p" + pod).withUid("u" + pod).endMetadata()
            .build();
        many.warning(p, "FailedScheduling", "0/1 nodes are available");
      }
    }
    many.close();

    assertThat(created).hasSize(20);
    assertThat(created).extracting(e -> e.getMetadata().getName()).doesNotHaveDuplicates();
    assertThat(counts.values()).containsOnly(5);
  }

  /** Runs each write at once, so the test sees it when the call returns. */
  private static final class SameThread extends AbstractExecutorService {
    private boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
