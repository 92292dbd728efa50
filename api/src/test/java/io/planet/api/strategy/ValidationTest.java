package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.messages;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.update;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceType;
import io.planet.api.selector.Validation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {
  @Test
  void metadataNamesNamespacesLabelsAnnotations() {
    ObjectNode cm = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {labels: {'bad key': ok, good: 'bad value!'}}}");
    List<String> m = messages(create(type("", "v1", "configmaps"), cm));
    assertThat(m).contains("metadata.name: Required value: name or generateName is required",
        "metadata.namespace: Required value",
        "metadata.labels: Invalid value: \"bad key\": " + Validation.QUALIFIED_NAME_MESSAGE,
        "metadata.labels: Invalid value: \"bad value!\": " + Validation.LABEL_VALUE_MESSAGE);

    ObjectNode svc = yaml("{apiVersion: v1, kind: Service, metadata: {name: 1web, namespace: default}, spec: {ports: [{port: 80}]}}");
    assertThat(messages(create(type("", "v1", "services"), svc)))
        .containsExactly("metadata.name: Invalid value: \"1web\": " + Validation.DNS1035_LABEL_MESSAGE);

    ObjectNode ns = yaml("{apiVersion: v1, kind: Namespace, metadata: {name: a.b, namespace: x}}");
    assertThat(messages(create(type("", "v1", "namespaces"), ns))).containsExactly(
        "metadata.name: Invalid value: \"a.b\": " + Validation.DNS1123_LABEL_MESSAGE,
        "metadata.namespace: Forbidden: not allowed on this type");

    ObjectNode big = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: default}}");
    big.with("metadata").with("annotations").put("a", "x".repeat(262144));
    assertThat(messages(create(type("", "v1", "configmaps"), big)))
        .containsExactly("metadata.annotations: Too long: must have at most 262144 bytes");

    ObjectNode owned = yaml("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
          namespace: default
          finalizers: [bad/fin/alizer]
          ownerReferences:
          - {apiVersion: v1, kind: Pod, name: p, uid: u1, controller: true}
          - {apiVersion: v1, kind: Pod, name: q, controller: true}
        """);
    List<FieldError> errors = create(type("", "v1", "configmaps"), owned);
    assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
        "metadata.finalizers", "metadata.ownerReferences.uid", "metadata.ownerReferences");
  }

  @Test
  void metadataImmutableOnUpdate() {
    ObjectNode old = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: default, uid: u1, resourceVersion: '5'}}");
    ObjectNode now = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: default, uid: u2, resourceVersion: '5'}}");
    assertThat(messages(update(type("", "v1", "configmaps"), now, old))).containsExactly(
        "metadata.name: Invalid value: \"b\": field is immutable",
        "metadata.uid: Invalid value: \"u2\": field is immutable");
  }

  @Test
  void statefulSetContainersMountTheirClaimTemplatesByName() {
    String sts = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers:
              - {name: main, image: busybox, volumeMounts: [{name: state, mountPath: /data}, {name: %s, mountPath: /x}]}
          volumeClaimTemplates:
          - metadata: {name: state}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        """;
    ResourceType t = type("apps", "v1", "statefulsets");
    assertThat(messages(create(t, yaml(sts.formatted("state"))))).isEmpty();
    assertThat(messages(create(t, yaml(sts.formatted("missing")))))
        .anyMatch(m -> m.contains("volumeMounts[1].name") && m.contains("Not found: \"missing\""));
  }

  @Test
  void podSpecRequiredFieldsAndValues() {
    ObjectNode pod = yaml("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: default}
        spec:
          restartPolicy: Sometimes
          containers:
          - name: Web
            ports: [{containerPort: 70000}]
          - name: Web
            image: nginx
            imagePullPolicy: Maybe
        """);
    List<String> m = messages(create(type("", "v1", "pods"), pod));
    assertThat(m).contains(
        "spec.containers[0].name: Invalid value: \"Web\": " + Validation.DNS1123_LABEL_MESSAGE,
        "spec.containers[0].image: Required value",
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        "spec.containers[1].name: Duplicate value: \"Web\"",
        "spec.containers[1].imagePullPolicy: Unsupported value: \"Maybe\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");

    ObjectNode empty = yaml("{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default}, spec: {}}");
    assertThat(messages(create(type("", "v1", "pods"), empty))).containsExactly("spec.containers: Required value");
  }

  @Test
  void podUpdatesMayOnlyChangeImagesAndFriends() {
    ResourceTypeHolder h = new ResourceTypeHolder();
    ObjectNode old = h.pod();
    assertThat(create(h.pods, old)).isEmpty();
    ObjectNode imageOnly = old.deepCopy();
    ((ObjectNode) imageOnly.at("/spec/containers/0")).put("image", "nginx:1.26");
    assertThat(update(h.pods, imageOnly, old)).isEmpty();

    ObjectNode env = old.deepCopy();
    ((ObjectNode) env.at("/spec/containers/0")).putArray("env").addObject().put("name", "A").put("value", "b");
    assertThat(messages(update(h.pods, env, old))).containsExactly("spec: Forbidden: " + PodStrategy.UPDATE_FORBIDDEN);

    ObjectNode added = old.deepCopy();
    ((com.fasterxml.jackson.databind.node.ArrayNode) added.at("/spec/containers")).addObject().put("name", "b").put("image", "x");
    assertThat(messages(update(h.pods, added, old)))
        .containsExactly("spec.containers: Forbidden: pod updates may not add or remove containers");
    assertThat(h.pods.strategy().defaultGracePeriodSeconds(old)).isEqualTo(30);
  }

  private static final class ResourceTypeHolder {
    final io.planet.api.ResourceType pods = type("", "v1", "pods");

    ObjectNode pod() {
      return yaml("""
          apiVersion: v1
          kind: Pod
          metadata: {name: p, namespace: default, uid: u, resourceVersion: '1'}
          spec: {containers: [{name: web, image: nginx:1.25}]}
          """);
    }
  }

  @Test
  void workloadSelectorMustMatchTemplateAndIsImmutable() {
    ObjectNode d = yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          replicas: -1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: x}}
            spec: {containers: [{name: web, image: nginx}]}
        """);
    assertThat(messages(create(type("apps", "v1", "deployments"), d))).containsExactly(
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`");

    ObjectNode old = yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default, generation: 1}
        spec:
          selector: {matchLabels: {app: web}}
          template: {metadata: {labels: {app: web, tier: fe}}, spec: {containers: [{name: web, image: nginx}]}}
        """);
    assertThat(create(type("apps", "v1", "deployments"), old)).isEmpty();
    ObjectNode changed = old.deepCopy();
    ((ObjectNode) changed.at("/spec/selector/matchLabels")).put("tier", "fe");
    assertThat(messages(update(type("apps", "v1", "deployments"), changed, old))).containsExactly(
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"fe\"}, "
            + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    assertThat(changed.at("/metadata/generation").asInt()).isEqualTo(2);

    ObjectNode noSelector = yaml("""
        {apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: r, namespace: default},
         spec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}}
        """);
    assertThat(messages(create(type("apps", "v1", "replicasets"), noSelector))).containsExactly("spec.selector: Required value");
  }

  @Test
  void jobRules() {
    ObjectNode job = yaml("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: j, namespace: default, uid: abc}
        spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}
        """);
    assertThat(messages(create(type("batch", "v1", "jobs"), job)))
        .containsExactly("spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");

    ObjectNode ok = yaml("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: j, namespace: default, uid: abc}
        spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}
        """);
    assertThat(create(type("batch", "v1", "jobs"), ok)).isEmpty();
    ObjectNode changed = ok.deepCopy();
    ((ObjectNode) changed.at("/spec/template/spec/containers/0")).put("image", "busybox:2");
    List<FieldError> errors = update(type("batch", "v1", "jobs"), changed, ok);
    assertThat(errors).extracting(FieldError::field).containsExactly("spec.template");
    assertThat(errors.get(0).message()).endsWith(": field is immutable");
  }

  @Test
  void cronJobSchedule() {
    assertThat(CronSchedule.check("*/5 * * * *")).isNull();
    assertThat(CronSchedule.check("@hourly")).isNull();
    assertThat(CronSchedule.check("0 0 * JAN-MAR mon")).isNull();
    assertThat(CronSchedule.check("@every 1h30m")).isNull();
    assertThat(CronSchedule.check("foo")).isEqualTo("expected exactly 5 fields, found 1: [foo]");
    assertThat(CronSchedule.check("@often")).isEqualTo("unrecognized descriptor: @often");
    assertThat(CronSchedule.check("61 * * * *")).isEqualTo("end of range (61) above maximum (59): 61");
    ObjectNode cj = yaml("""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: c, namespace: default}
        spec:
          schedule: "* * *"
          jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
        """);
    assertThat(messages(create(type("batch", "v1", "cronjobs"), cj)))
        .containsExactly("spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]");
  }

  @Test
  void serviceRules() {
    ObjectNode svc = yaml("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {type: Magic, ports: [{port: 0, protocol: ICMP}]}
        """);
    assertThat(messages(create(type("", "v1", "services"), svc))).contains(
        "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");

    // kubectl create service clusterip s --tcp=80:8080 names its port "80-8080": a DNS label, valid for services
    ObjectNode numericName = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {ports: [{name: 80-8080, port: 80}]}}");
    assertThat(create(type("", "v1", "services"), numericName)).isEmpty();
    ObjectNode badName = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {ports: [{name: Web_1, port: 80}]}}");
    assertThat(messages(create(type("", "v1", "services"), badName))).hasSize(1);

    ObjectNode noPorts = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {}}");
    assertThat(messages(create(type("", "v1", "services"), noPorts))).containsExactly("spec.ports: Required value");
    ObjectNode headless = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {clusterIP: None}}");
    assertThat(create(type("", "v1", "services"), headless)).isEmpty();
    ObjectNode external = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {type: ExternalName}}");
    assertThat(messages(create(type("", "v1", "services"), external))).containsExactly("spec.externalName: Required value");

    ObjectNode old = yaml("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default, uid: u}
        spec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}
        """);
    assertThat(create(type("", "v1", "services"), old)).isEmpty();
    assertThat(old.at("/spec/clusterIPs").toString()).isEqualTo("[\"10.96.0.10\"]");
    // a full update without clusterIP keeps the allocated one
    ObjectNode replace = yaml("{apiVersion: v1, kind: Service, metadata: {name: web, namespace: default}, spec: {ports: [{port: 81}]}}");
    assertThat(update(type("", "v1", "services"), replace, old)).isEmpty();
    assertThat(replace.at("/spec/clusterIP").asText()).isEqualTo("10.96.0.10");
    ObjectNode moved = old.deepCopy();
    ((ObjectNode) moved.get("spec")).put("clusterIP", "10.96.0.11");
    assertThat(messages(update(type("", "v1", "services"), moved, old))).containsExactly(
        "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set");
  }

  @Test
  void configMapSecretRules() {
    ObjectNode cm = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: default}, data: {'a b': x}}");
    assertThat(messages(create(type("", "v1", "configmaps"), cm))).containsExactly(
        "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
            + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");

    ObjectNode old = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: default}, immutable: true, data: {a: x}}");
    ObjectNode now = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: default}, immutable: true, data: {a: y}}");
    assertThat(messages(update(type("", "v1", "configmaps"), now, old)))
        .containsExactly("data: Forbidden: field is immutable when `immutable` is set");

    ObjectNode tls = yaml("{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, type: kubernetes.io/tls, data: {tls.crt: eA==}}");
    assertThat(messages(create(type("", "v1", "secrets"), tls))).containsExactly("data[tls.key]: Required value");
    ObjectNode retyped = yaml("{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, type: Other}");
    ObjectNode opaque = yaml("{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, type: Opaque}");
    assertThat(messages(update(type("", "v1", "secrets"), retyped, opaque)))
        .containsExactly("type: Invalid value: \"Other\": field is immutable");
  }

  @Test
  void rbacHpaCrdEndpointSliceRules() {
    ObjectNode role = yaml("{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r, namespace: default}, rules: [{resources: [pods]}]}");
    assertThat(messages(create(type("rbac.authorization.k8s.io", "v1", "roles"), role))).containsExactly(
        "rules[0].verbs: Required value: verbs must contain at least one value",
        "rules[0].apiGroups: Required value: resource rules must supply at least one api group");

    ObjectNode rb = yaml("""
        {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b, namespace: default},
         roleRef: {kind: Role, name: r}, subjects: [{kind: User, name: jane}]}
        """);
    assertThat(create(type("rbac.authorization.k8s.io", "v1", "rolebindings"), rb)).isEmpty();
    assertThat(rb.at("/subjects/0/apiGroup").asText()).isEqualTo("rbac.authorization.k8s.io");
    ObjectNode rb2 = rb.deepCopy();
    ((ObjectNode) rb2.get("roleRef")).put("name", "other");
    assertThat(messages(update(type("rbac.authorization.k8s.io", "v1", "rolebindings"), rb2, rb))).containsExactly(
        "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"other\"}: cannot change roleRef");

    ObjectNode hpa = yaml("""
        {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, namespace: default},
         spec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 3, maxReplicas: 2}}
        """);
    assertThat(messages(create(type("autoscaling", "v2", "horizontalpodautoscalers"), hpa)))
        .containsExactly("spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`");

    ObjectNode crd = yaml("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, kind: Widget}
          versions:
          - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
          - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
        """);
    List<FieldError> errors = create(type("apiextensions.k8s.io", "v1", "customresourcedefinitions"), crd);
    assertThat(errors).extracting(FieldError::field).containsExactly("spec.versions");
    assertThat(errors.get(0).message()).endsWith("must have exactly one version marked as storage version");
    assertThat(crd.at("/spec/names/listKind").asText()).isEqualTo("WidgetList");
    assertThat(crd.at("/status/storedVersions/0").asText()).isEqualTo("v1");

    ObjectNode slice = yaml("{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s, namespace: default}, addressType: IPX}");
    assertThat(messages(create(type("discovery.k8s.io", "v1", "endpointslices"), slice)))
        .containsExactly("addressType: Unsupported value: \"IPX\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
  }

  @Test
  void selectableFieldsAndSupportedSelectors() {
    ObjectNode pod = yaml("{spec: {nodeName: n1, restartPolicy: Always}, status: {phase: Running, podIPs: [{ip: 10.0.0.5}]}}");
    assertThat(Strategies.forKind("", "Pod").selectableFields(pod))
        .containsEntry("spec.nodeName", "n1").containsEntry("status.phase", "Running")
        .containsEntry("status.podIP", "10.0.0.5").containsEntry("spec.hostNetwork", "false");
    ObjectNode event = yaml("{involvedObject: {kind: Pod, name: p}, reason: Started, source: {component: kubelet}, type: Normal}");
    assertThat(Strategies.forKind("", "Event").selectableFields(event))
        .containsEntry("involvedObject.kind", "Pod").containsEntry("source", "kubelet").containsEntry("type", "Normal");
    assertThat(Strategies.supportedFieldSelectors("", "Secret")).containsExactly("metadata.name", "metadata.namespace", "type");
    assertThat(Strategies.supportedFieldSelectors("apps", "Deployment")).containsExactly("metadata.name", "metadata.namespace");
    assertThat(Strategies.unsupportedFieldSelectorMessage("", "Pod", "spec.foo", false)).isEqualTo("field label not supported: spec.foo");
    assertThat(Strategies.unsupportedFieldSelectorMessage("example.com", "Widget", "spec.foo", true))
        .isEqualTo("\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  }
}
