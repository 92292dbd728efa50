package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Conversions;
import org.junit.jupiter.api.Test;

class ConversionsTest {
  @Test
  void hpaV2ToV1KeepsCpuTargetAndCarriesTheRestInAnnotations() {
    ObjectNode v2 = yaml("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: default}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 10
          metrics:
          - type: Pods
            pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "100"}}
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
          behavior:
            scaleDown: {stabilizationWindowSeconds: 60, selectPolicy: Max, policies: [{type: Percent, value: 10, periodSeconds: 60}]}
        status:
          currentReplicas: 2
          desiredReplicas: 2
          currentMetrics:
          - type: Resource
            resource: {name: cpu, current: {averageUtilization: 40, averageValue: 200m}}
          conditions:
          - {type: AbleToScale, status: "True", lastTransitionTime: "2024-01-01T00:00:00Z", reason: ReadyForNewScale}
        """);
    ObjectNode original = v2.deepCopy();
    ObjectNode v1 = Conversions.convert(v2.deepCopy(), type("autoscaling", "v1", "horizontalpodautoscalers"));
    assertThat(v1.get("apiVersion").asText()).isEqualTo("autoscaling/v1");
    assertThat(v1.at("/spec/targetCPUUtilizationPercentage").asInt()).isEqualTo(50);
    assertThat(v1.at("/status/currentCPUUtilizationPercentage").asInt()).isEqualTo(40);
    assertThat(v1.at("/metadata/annotations").has(HpaConversion.METRICS)).isTrue();
    assertThat(v1.at("/metadata/annotations").get(HpaConversion.METRICS).asText())
        .isEqualTo("[{\"type\":\"Pods\",\"pods\":{\"metricName\":\"qps\",\"targetAverageValue\":\"100\"}}]");
    assertThat(v1.at("/metadata/annotations").get(HpaConversion.BEHAVIOR).asText()).contains("\"ScaleDown\"");
    assertThat(v1.at("/metadata/annotations").has(HpaConversion.CONDITIONS)).isTrue();

    ObjectNode back = Conversions.convert(v1, type("autoscaling", "v2", "horizontalpodautoscalers"));
    assertThat(back).isEqualTo(original);
  }

  @Test
  void hpaV1ToV2DefaultsCpuMetric() {
    ObjectNode v1 = yaml("""
        {apiVersion: autoscaling/v1, kind: HorizontalPodAutoscaler, metadata: {name: web, namespace: default},
         spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}}
        """);
    ObjectNode v2 = Conversions.convert(v1.deepCopy(), type("autoscaling", "v2", "horizontalpodautoscalers"));
    assertThat(v2.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(80);
    ObjectNode again = Conversions.convert(v2, type("autoscaling", "v1", "horizontalpodautoscalers"));
    assertThat(again.at("/spec/targetCPUUtilizationPercentage").asInt()).isEqualTo(80);
    assertThat(again.at("/metadata/annotations").isMissingNode()).isTrue();
  }

  @Test
  void eventsRoundTrip() {
    ObjectNode core = yaml("""
        apiVersion: v1
        kind: Event
        metadata: {name: p.1, namespace: default}
        involvedObject: {kind: Pod, name: p, namespace: default}
        reason: Started
        message: Started container
        source: {component: kubelet, host: n1}
        firstTimestamp: "2024-01-01T00:00:00Z"
        lastTimestamp: "2024-01-01T00:00:01Z"
        count: 2
        type: Normal
        reportingComponent: kubelet
        reportingInstance: n1
        """);
    ObjectNode ev = Conversions.convert(core.deepCopy(), type("events.k8s.io", "v1", "events"));
    assertThat(ev.get("apiVersion").asText()).isEqualTo("events.k8s.io/v1");
    assertThat(ev.at("/regarding/name").asText()).isEqualTo("p");
    assertThat(ev.get("note").asText()).isEqualTo("Started container");
    assertThat(ev.at("/deprecatedSource/component").asText()).isEqualTo("kubelet");
    assertThat(ev.get("deprecatedCount").asInt()).isEqualTo(2);
    assertThat(ev.get("reportingController").asText()).isEqualTo("kubelet");
    assertThat(ev.has("involvedObject")).isFalse();
    assertThat(Conversions.convert(ev, type("", "v1", "events"))).isEqualTo(core);
  }

  @Test
  void sameShapeOnlyRewritesApiVersion() {
    ObjectNode cm = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}");
    ObjectNode out = Conversions.convert(cm.deepCopy(), type("", "v1", "configmaps"));
    assertThat(out).isEqualTo(cm);
  }
}
