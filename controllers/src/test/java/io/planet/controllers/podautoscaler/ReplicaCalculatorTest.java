package io.planet.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replica calculator on upstream's replica_calculator_test cases and the documented algorithm. */
class ReplicaCalculatorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Selector ALL = Selector.parse("app=web");

  private final List<Pod> pods = new ArrayList<>();
  private final Map<String, PodMetric> samples = new HashMap<>();
  private List<Long> external = List.of();
  private long objectValue;

  private final MetricsClient metrics = new MetricsClient() {
    @Override
    public PodMetrics resourceMetric(String resource, String namespace, Selector s, String container)
        throws MetricsUnavailable {
      if (samples.isEmpty()) throw new MetricsUnavailable("no metrics returned from resource metrics API");
      return new PodMetrics(samples, NOW);
    }

    @Override
    public PodMetrics podsMetric(String metric, String namespace, Selector s, Selector m) {
      return new PodMetrics(samples, NOW);
    }

    @Override
    public Sample objectMetric(String metric, String namespace, CrossVersionObjectReference o, Selector m) {
      return new Sample(objectValue, NOW);
    }

    @Override
    public ExternalSamples externalMetric(String metric, String namespace, Selector m) {
      return new ExternalSamples(external, NOW);
    }
  };

  private final ReplicaCalculator calc = new ReplicaCalculator(metrics, (ns, s) -> pods,
      AutoscalerSettings.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

  /** A running pod started 10 minutes ago (past the cpu initialization period), ready since then. */
  private void pod(String name, String phase, String ready, String cpuRequest) {
    pods.add(new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withNewResources()
        .addToRequests("cpu", new Quantity(cpuRequest)).addToRequests("memory", new Quantity("1Gi")).endResources()
        .endContainer().endSpec()
        .withNewStatus().withPhase(phase).withStartTime(NOW.minus(Duration.ofMinutes(10)).toString())
        .addNewCondition().withType("Ready").withStatus(ready)
        .withLastTransitionTime(NOW.minus(Duration.ofMinutes(9)).toString()).endCondition().endStatus().build());
  }

  private void usage(String pod, long milli) {
    samples.put(pod, new PodMetric(milli, NOW, Duration.ofSeconds(30)));
  }

  private void pods(long... usage) {
    for (int i = 0; i < usage.length; i++) {
      pod("p" + i, "Running", "True", "1");
      usage("p" + i, usage[i]);
    }
  }

  @Test
  void scalesUpByTheRatioOfUtilizationToTarget() throws Exception {
    pods(300, 500, 700);
    ReplicaCalculator.Proposal p = calc.resourceReplicas(3, 30, "cpu", "ns", ALL, "");
    assertThat(p.replicas()).isEqualTo(5); // 50% of requests against 30%: ceil(3 * 50/30)
    assertThat(p.usage()).isEqualTo(50);
    assertThat(p.rawAverage()).isEqualTo(500);
  }

  @Test
  void scalesDownByTheRatio() throws Exception {
    pods(100, 300, 500, 250, 250);
    ReplicaCalculator.Proposal p = calc.resourceReplicas(5, 50, "cpu", "ns", ALL, "");
    assertThat(p.replicas()).isEqualTo(3); // 28% against 50%: ceil(5 * 0.56)
    assertThat(p.usage()).isEqualTo(28);
  }

  @Test
  void staysWithinTheToleranceOfTenPercent() throws Exception {
    pods(1050, 1050, 1050);
    assertThat(calc.resourceReplicas(3, 100, "cpu", "ns", ALL, "").replicas()).isEqualTo(3);
    samples.clear();
    pods.clear();
    pods(1200, 1200, 1200);
    assertThat(calc.resourceReplicas(3, 100, "cpu", "ns", ALL, "").replicas()).isEqualTo(4);
  }

  @Test
  void unreadyCpuPodsCountAsIdleOnAScaleUp() throws Exception {
    pod("p0", "Running", "False", "1");
    pod("p1", "Running", "True", "1");
    pod("p2", "Running", "True", "1");
    // the unready pod started within the initialization period: its sample is not trusted
    pods.set(0, new PodBuilder(pods.get(0)).editStatus().withStartTime(NOW.minusSeconds(60).toString()).endStatus().build());
    usage("p0", 300);
    usage("p1", 500);
    usage("p2", 700);
    ReplicaCalculator.Proposal p = calc.resourceReplicas(3, 30, "cpu", "ns", ALL, "");
    assertThat(p.usage()).isEqualTo(60); // of the ready pods only
    assertThat(p.replicas()).isEqualTo(4); // the unready pod at 0%: 1200m of 3000m = 40% against 30%
  }

  @Test
  void unreadyPodsDoNotHoldBackAScaleDown() throws Exception {
    pods(100, 300, 500, 250, 250);
    for (int i = 3; i < 5; i++) {
      pods.set(i, new PodBuilder(pods.get(i)).editStatus().withStartTime(NOW.minusSeconds(60).toString())
          .editFirstCondition().withStatus("False").endCondition().endStatus().build());
    }
    ReplicaCalculator.Proposal p = calc.resourceReplicas(5, 50, "cpu", "ns", ALL, "");
    assertThat(p.usage()).isEqualTo(30);
    assertThat(p.replicas()).isEqualTo(2);
  }

  @Test
  void aSampleFromBeforeThePodBecameReadyIsIgnoredDuringInitialization() throws Exception {
    pods(900, 100, 100);
    // p0 started a minute ago and became ready 10 s ago; its sample covers 30 s: partly before it was ready
    pods.set(0, new PodBuilder(pods.get(0)).editStatus().withStartTime(NOW.minusSeconds(60).toString())
        .editFirstCondition().withLastTransitionTime(NOW.minusSeconds(10).toString()).endCondition().endStatus().build());
    ReplicaCalculator.Proposal p = calc.resourceReplicas(3, 50, "cpu", "ns", ALL, "");
    assertThat(p.usage()).isEqualTo(10);
    assertThat(p.replicas()).isEqualTo(1);
  }

  @Test
  void podsWithoutMetricsCountAsFullOnAScaleDownAndIdleOnAScaleUp() throws Exception {
    pods(100, 100, 100);
    pod("p3", "Running", "True", "1"); // no sample
    // scale-down: 10% against 50%; the missing pod at 100% of its request makes 32.5% -> ceil(4 * 0.64)
    assertThat(calc.resourceReplicas(4, 50, "cpu", "ns", ALL, "").replicas()).isEqualTo(3);

    samples.clear();
    pods.clear();
    pods(900, 900, 900);
    pod("p3", "Running", "True", "1");
    // scale-up: 90% against 50%; the missing pod at 0% makes 67% -> ceil(4 * 1.34)
    assertThat(calc.resourceReplicas(4, 50, "cpu", "ns", ALL, "").replicas()).isEqualTo(6);
  }

  @Test
  void missingPodsThatWouldReverseTheDirectionKeepTheCurrentCount() throws Exception {
    pods(560, 560);
    pod("p2", "Running", "True", "1");
    // 56% against 50% is a scale-up; with the missing pod at 0% it would be a scale-down: do nothing
    assertThat(calc.resourceReplicas(3, 50, "cpu", "ns", ALL, "").replicas()).isEqualTo(3);
  }

  @Test
  void pendingPodsAreIgnored() throws Exception {
    pods(500, 500);
    pod("p2", "Pending", "False", "1");
    // 50% against 25% with the pending pod at 0%: 1000m of 3000m = 33% -> ceil(3 * 1.32)
    assertThat(calc.resourceReplicas(3, 25, "cpu", "ns", ALL, "").replicas()).isEqualTo(4);
  }

  @Test
  void averageValueTargetsUseRawUsage() throws Exception {
    pods(200, 200, 200);
    ReplicaCalculator.Proposal p = calc.rawResourceReplicas(3, 100, "cpu", "ns", ALL, "");
    assertThat(p.replicas()).isEqualTo(6); // documented: 200m against 100m doubles the replicas
    assertThat(p.usage()).isEqualTo(200);
    samples.replaceAll((k, v) -> new PodMetric(50, NOW, Duration.ofSeconds(30)));
    assertThat(calc.rawResourceReplicas(4, 100, "cpu", "ns", ALL, "").replicas()).isEqualTo(2); // 50m halves them
  }

  @Test
  void missingRequestsAreAnError() {
    pods.add(new PodBuilder().withNewMetadata().withName("p0").endMetadata().withNewSpec().addNewContainer()
        .withName("c").endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build());
    usage("p0", 100);
    assertThatThrownBy(() -> calc.resourceReplicas(1, 50, "cpu", "ns", ALL, ""))
        .hasMessage("missing request for cpu in container c of Pod p0");
  }

  @Test
  void noMetricsIsAnError() {
    pods.add(new PodBuilder().withNewMetadata().withName("p0").endMetadata().build());
    assertThatThrownBy(() -> calc.resourceReplicas(1, 50, "cpu", "ns", ALL, ""))
        .hasMessage("unable to get metrics for resource cpu: no metrics returned from resource metrics API");
  }

  @Test
  void podsMetricsAverageOverPods() throws Exception {
    pods(10_000, 12_000, 14_000);
    ReplicaCalculator.Proposal p = calc.podsMetricReplicas(3, 6_000, "qps", "ns", ALL, Selector.everything());
    assertThat(p.usage()).isEqualTo(12_000);
    assertThat(p.replicas()).isEqualTo(6);
  }

  @Test
  void objectValueScalesByReadyPods() throws Exception {
    pods(0, 0, 0);
    objectValue = 20_000;
    ReplicaCalculator.Proposal p = calc.objectMetricReplicas(3, 10_000, "requests", "ns", new CrossVersionObjectReference(
        "v1", "Service", "web"), ALL, Selector.everything());
    assertThat(p.replicas()).isEqualTo(6);
    assertThat(p.usage()).isEqualTo(20_000);
  }

  @Test
  void objectAverageValueDividesOverTheCurrentReplicas() throws Exception {
    objectValue = 30_000;
    ReplicaCalculator.Proposal p = calc.objectPerPodMetricReplicas(3, 5_000, "requests", "ns",
        new CrossVersionObjectReference("v1", "Service", "web"), Selector.everything());
    assertThat(p.replicas()).isEqualTo(6);
    assertThat(p.usage()).isEqualTo(10_000);
  }

  @Test
  void externalValueSumsTheSeriesAndScalesFromZero() throws Exception {
    pods(0, 0);
    external = List.of(3_000L, 5_000L);
    assertThat(calc.externalMetricReplicas(2, 2_000, "queue", "ns", Selector.everything(), ALL).replicas()).isEqualTo(8);
    // from zero replicas no pods are needed: ceil(8000 / 2000)
    assertThat(calc.externalMetricReplicas(0, 2_000, "queue", "ns", Selector.everything(), ALL).replicas()).isEqualTo(4);
    assertThat(calc.externalPerPodMetricReplicas(2, 1_000, "queue", "ns", Selector.everything()).replicas()).isEqualTo(8);
  }
}
