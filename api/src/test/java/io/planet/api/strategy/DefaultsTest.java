package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import org.junit.jupiter.api.Test;

class DefaultsTest {
  @Test
  void podSpecDefaultsAsUpstream() {
    ObjectNode pod = yaml("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: default}
        spec:
          containers:
          - name: nginx
            image: nginx
            ports: [{containerPort: 80}]
            env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
            readinessProbe: {httpGet: {port: 80}}
            resources: {limits: {cpu: 500m, memory: 128Mi}}
          - name: side
            image: busybox:1.36
          volumes:
          - name: cfg
            configMap: {name: cfg}
          - name: scratch
        """);
    assertThat(create(type("", "v1", "pods"), pod)).isEmpty();
    JsonNode spec = pod.get("spec");
    assertThat(spec.get("restartPolicy").asText()).isEqualTo("Always");
    assertThat(spec.get("dnsPolicy").asText()).isEqualTo("ClusterFirst");
    assertThat(spec.get("terminationGracePeriodSeconds").asInt()).isEqualTo(30);
    assertThat(spec.get("schedulerName").asText()).isEqualTo("default-scheduler");
    assertThat(spec.get("securityContext").isEmpty()).isTrue();
    assertThat(spec.get("enableServiceLinks").asBoolean()).isTrue();
    assertThat(spec.get("priority").asInt()).isZero();
    JsonNode nginx = spec.get("containers").get(0);
    assertThat(nginx.get("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(spec.get("containers").get(1).get("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
    assertThat(nginx.get("terminationMessagePath").asText()).isEqualTo("/dev/termination-log");
    assertThat(nginx.get("terminationMessagePolicy").asText()).isEqualTo("File");
    assertThat(nginx.at("/ports/0/protocol").asText()).isEqualTo("TCP");
    assertThat(nginx.at("/env/0/valueFrom/fieldRef/apiVersion").asText()).isEqualTo("v1");
    assertThat(nginx.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTP");
    assertThat(nginx.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/");
    assertThat(nginx.at("/readinessProbe/timeoutSeconds").asInt()).isEqualTo(1);
    assertThat(nginx.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(10);
    assertThat(nginx.at("/readinessProbe/successThreshold").asInt()).isEqualTo(1);
    assertThat(nginx.at("/readinessProbe/failureThreshold").asInt()).isEqualTo(3);
    // requests default to limits on pods
    assertThat(nginx.at("/resources/requests/cpu").asText()).isEqualTo("500m");
    assertThat(spec.get("containers").get(1).get("resources").isEmpty()).isTrue();
    assertThat(spec.at("/volumes/0/configMap/defaultMode").asInt()).isEqualTo(420);
    assertThat(spec.at("/volumes/1/emptyDir").isObject()).isTrue();
    assertThat(pod.at("/status/phase").asText()).isEqualTo("Pending");
    assertThat(pod.at("/status/qosClass").asText()).isEqualTo("Burstable");
  }

  @Test
  void qosClasses() {
    assertThat(PodSpecs.qosClass(yaml("containers: [{name: a, image: x}]"))).isEqualTo("BestEffort");
    assertThat(PodSpecs.qosClass(yaml("""
        containers:
        - {name: a, image: x, resources: {limits: {cpu: "1", memory: 1Gi}, requests: {cpu: 1000m, memory: 1Gi}}}
        """))).isEqualTo("Guaranteed");
    assertThat(PodSpecs.qosClass(yaml("""
        containers:
        - {name: a, image: x, resources: {requests: {cpu: 100m}}}
        """))).isEqualTo("Burstable");
  }

  @Test
  void deploymentDefaults() {
    ObjectNode d = yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx:1.25}]}
        """);
    assertThat(create(type("apps", "v1", "deployments"), d)).isEmpty();
    assertThat(d.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(d.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(d.at("/spec/strategy/rollingUpdate/maxSurge").asText()).isEqualTo("25%");
    assertThat(d.at("/spec/strategy/rollingUpdate/maxUnavailable").asText()).isEqualTo("25%");
    assertThat(d.at("/spec/revisionHistoryLimit").asInt()).isEqualTo(10);
    assertThat(d.at("/spec/progressDeadlineSeconds").asInt()).isEqualTo(600);
    assertThat(d.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Always");
    assertThat(d.at("/spec/template/spec/containers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");
    // pods only: templates get no enableServiceLinks
    assertThat(d.at("/spec/template/spec/enableServiceLinks").isMissingNode()).isTrue();
    assertThat(d.at("/metadata/generation").asInt()).isEqualTo(1);
  }

  @Test
  void serviceDefaults() {
    ObjectNode svc = yaml("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          type: NodePort
          selector: {app: web}
          ports: [{port: 80}]
        """);
    assertThat(create(type("", "v1", "services"), svc)).isEmpty();
    JsonNode spec = svc.get("spec");
    assertThat(spec.get("sessionAffinity").asText()).isEqualTo("None");
    assertThat(spec.at("/ports/0/protocol").asText()).isEqualTo("TCP");
    assertThat(spec.at("/ports/0/targetPort").asInt()).isEqualTo(80);
    assertThat(spec.get("externalTrafficPolicy").asText()).isEqualTo("Cluster");
    assertThat(spec.get("internalTrafficPolicy").asText()).isEqualTo("Cluster");
    assertThat(spec.get("ipFamilyPolicy").asText()).isEqualTo("SingleStack");
    assertThat(spec.get("ipFamilies").toString()).isEqualTo("[\"IPv4\"]");
    assertThat(svc.at("/status/loadBalancer").isObject()).isTrue();

    ObjectNode plain = yaml("{apiVersion: v1, kind: Service, metadata: {name: a, namespace: default}, spec: {ports: [{port: 53, protocol: UDP, targetPort: dns}]}}");
    assertThat(create(type("", "v1", "services"), plain)).isEmpty();
    assertThat(plain.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(plain.at("/spec/ports/0/targetPort").asText()).isEqualTo("dns");
    assertThat(plain.at("/spec/externalTrafficPolicy").isMissingNode()).isTrue();
  }

  @Test
  void jobDefaultsAndGeneratedSelector() {
    ObjectNode job = yaml("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: pi, namespace: default, uid: 11111111-2222}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: pi, image: perl}]
        """);
    assertThat(create(type("batch", "v1", "jobs"), job)).isEmpty();
    JsonNode spec = job.get("spec");
    assertThat(spec.get("parallelism").asInt()).isEqualTo(1);
    assertThat(spec.get("completions").asInt()).isEqualTo(1);
    assertThat(spec.get("backoffLimit").asInt()).isEqualTo(6);
    assertThat(spec.get("completionMode").asText()).isEqualTo("NonIndexed");
    assertThat(spec.get("suspend").asBoolean()).isFalse();
    assertThat(spec.get("podReplacementPolicy").asText()).isEqualTo("TerminatingOrFailed");
    assertThat(spec.at("/selector/matchLabels").toString())
        .isEqualTo("{\"batch.kubernetes.io/controller-uid\":\"11111111-2222\"}");
    JsonNode labels = spec.at("/template/metadata/labels");
    assertThat(labels.get("controller-uid").asText()).isEqualTo("11111111-2222");
    assertThat(labels.get("batch.kubernetes.io/job-name").asText()).isEqualTo("pi");
    assertThat(labels.get("job-name").asText()).isEqualTo("pi");
  }

  @Test
  void workloadAndOtherDefaults() {
    ObjectNode sts = yaml("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: postgres}]}}
        """);
    assertThat(create(type("apps", "v1", "statefulsets"), sts)).isEmpty();
    assertThat(sts.at("/spec/podManagementPolicy").asText()).isEqualTo("OrderedReady");
    assertThat(sts.at("/spec/updateStrategy/rollingUpdate/partition").asInt()).isZero();
    assertThat(sts.at("/spec/persistentVolumeClaimRetentionPolicy/whenScaled").asText()).isEqualTo("Retain");

    ObjectNode ds = yaml("""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: default}
        spec:
          selector: {matchLabels: {app: agent}}
          template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: a, image: agent:1}]}}
        """);
    assertThat(create(type("apps", "v1", "daemonsets"), ds)).isEmpty();
    assertThat(ds.at("/spec/updateStrategy/rollingUpdate/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(ds.at("/spec/updateStrategy/rollingUpdate/maxSurge").asInt()).isZero();
    assertThat(ds.at("/metadata/annotations/deprecated.daemonset.template.generation").asText()).isEqualTo("1");

    ObjectNode cj = yaml("""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: tick, namespace: default}
        spec:
          schedule: "@hourly"
          jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: t, image: busybox}]}}}}
        """);
    assertThat(create(type("batch", "v1", "cronjobs"), cj)).isEmpty();
    assertThat(cj.at("/spec/concurrencyPolicy").asText()).isEqualTo("Allow");
    assertThat(cj.at("/spec/successfulJobsHistoryLimit").asInt()).isEqualTo(3);
    assertThat(cj.at("/spec/failedJobsHistoryLimit").asInt()).isEqualTo(1);
    assertThat(cj.at("/spec/jobTemplate/spec/backoffLimit").isMissingNode()).isTrue();

    ObjectNode ns = yaml("{apiVersion: v1, kind: Namespace, metadata: {name: team-a}}");
    assertThat(create(type("", "v1", "namespaces"), ns)).isEmpty();
    assertThat(ns.at("/spec/finalizers").toString()).isEqualTo("[\"kubernetes\"]");
    assertThat(ns.at("/status/phase").asText()).isEqualTo("Active");
    assertThat(ns.at("/metadata/labels/kubernetes.io~1metadata.name").asText()).isEqualTo("team-a");

    ObjectNode secret = yaml("{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, stringData: {user: admin}}");
    assertThat(create(type("", "v1", "secrets"), secret)).isEmpty();
    assertThat(secret.get("type").asText()).isEqualTo("Opaque");
    assertThat(secret.at("/data/user").asText()).isEqualTo("YWRtaW4=");
    assertThat(secret.has("stringData")).isFalse();

    ObjectNode hpa = yaml("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: default}
        spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 5}
        """);
    assertThat(create(type("autoscaling", "v2", "horizontalpodautoscalers"), hpa)).isEmpty();
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(1);
    assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(80);

    ObjectNode pvc = yaml("""
        {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: default},
         spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
        """);
    assertThat(create(type("", "v1", "persistentvolumeclaims"), pvc)).isEmpty();
    assertThat(pvc.at("/spec/volumeMode").asText()).isEqualTo("Filesystem");
    assertThat(pvc.at("/status/phase").asText()).isEqualTo("Pending");

    ObjectNode rc = yaml("""
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: rc, namespace: default}
        spec: {template: {metadata: {labels: {app: rc}}, spec: {containers: [{name: a, image: b}]}}}
        """);
    assertThat(create(type("", "v1", "replicationcontrollers"), rc)).isEmpty();
    assertThat(rc.at("/spec/selector").toString()).isEqualTo("{\"app\":\"rc\"}");
    assertThat(rc.at("/metadata/labels/app").asText()).isEqualTo("rc");
    assertThat(Json.str(rc.get("spec"), "replicas")).isEqualTo("1");
  }
}
