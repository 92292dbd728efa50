package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.messages;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.update;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceType;
import io.planet.api.selector.Validation;
import org.junit.jupiter.api.Test;

/** Defaults and validation of networking.k8s.io, storage.k8s.io and node.k8s.io kinds, with upstream's messages. */
class NetworkingStorageNodeTest {
  private static final ResourceType INGRESS = type("networking.k8s.io", "v1", "ingresses");
  private static final ResourceType INGRESS_CLASS = type("networking.k8s.io", "v1", "ingressclasses");
  private static final ResourceType NETPOL = type("networking.k8s.io", "v1", "networkpolicies");
  private static final ResourceType SC = type("storage.k8s.io", "v1", "storageclasses");
  private static final ResourceType CSI_DRIVER = type("storage.k8s.io", "v1", "csidrivers");
  private static final ResourceType CSI_NODE = type("storage.k8s.io", "v1", "csinodes");
  private static final ResourceType VA = type("storage.k8s.io", "v1", "volumeattachments");
  private static final ResourceType CAPACITY = type("storage.k8s.io", "v1", "csistoragecapacities");
  private static final ResourceType RUNTIME_CLASS = type("node.k8s.io", "v1", "runtimeclasses");

  @Test
  void ingressRulesPathsBackendsAndTls() {
    ObjectNode good = yaml("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: default}
        spec:
          tls: [{hosts: [example.com, '*.example.com'], secretName: tls}]
          rules:
          - host: example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              - {pathType: ImplementationSpecific, backend: {resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}}}
        status: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}
        """);
    assertThat(create(INGRESS, good)).isEmpty();
    assertThat(good.has("status")).isFalse();
    assertThat(good.at("/metadata/generation").asLong()).isEqualTo(1);

    ObjectNode bad = yaml("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: default, annotations: {kubernetes.io/ingress.class: nginx}}
        spec:
          ingressClassName: other
          tls: [{hosts: ['bad_host']}]
          rules:
          - host: 10.0.0.1
            http:
              paths:
              - {path: /a, backend: {service: {name: web, port: {number: 80}}}}
              - {path: relative, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              - {path: /a//b, pathType: Exact, backend: {service: {name: Web, port: {name: http, number: 80}}}}
              - {path: /, pathType: Regex, backend: {}}
              - {path: /, pathType: Prefix, backend: {service: {name: web}}}
          - host: '*.example.com'
            http: {paths: []}
        """);
    assertThat(messages(create(INGRESS, bad))).containsExactly(
        "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
        "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
        "spec.rules[0].http.paths[1].path: Invalid value: \"relative\": must be an absolute path",
        "spec.rules[0].http.paths[2].path: Invalid value: \"/a//b\": must not contain '//'",
        "spec.rules[0].http.paths[2].backend.service.name: Invalid value: \"Web\": " + Validation.DNS1035_LABEL_MESSAGE,
        "spec.rules[0].http.paths[2].backend: Invalid value: \"\": cannot set both port name & port number",
        "spec.rules[0].http.paths[3].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
            + "\"ImplementationSpecific\", \"Prefix\"",
        "spec.rules[0].http.paths[3].backend: Invalid value: \"\": resource or service backend is required",
        "spec.rules[0].http.paths[4].backend: Required value: port name or number is required",
        "spec.rules[1].http.paths: Required value",
        "spec.tls[0].hosts[0]: Invalid value: \"bad_host\": " + Validation.DNS1123_SUBDOMAIN_MESSAGE,
        "annotations.kubernetes.io/ingress.class: Invalid value: \"nginx\": must match `ingressClassName` when both are specified");

    ObjectNode empty = yaml("{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: e, namespace: default}, spec: {}}");
    assertThat(messages(create(INGRESS, empty))).containsExactly(
        "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified");

    // spec changes bump the generation; status is kept from storage
    ObjectNode old = good.deepCopy();
    old.putObject("status").putObject("loadBalancer").putArray("ingress").addObject().put("ip", "1.2.3.4");
    ObjectNode now = good.deepCopy();
    now.with("spec").putObject("defaultBackend").putObject("service").put("name", "fallback").putObject("port").put("number", 8080);
    assertThat(update(INGRESS, now, old)).isEmpty();
    assertThat(now.at("/metadata/generation").asLong()).isEqualTo(2);
    assertThat(now.at("/status/loadBalancer/ingress/0/ip").asText()).isEqualTo("1.2.3.4");
  }

  @Test
  void ingressClassControllerRequiredImmutableAndParametersScoped() {
    ObjectNode none = yaml("{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: c}, spec: {}}");
    assertThat(messages(create(INGRESS_CLASS, none))).containsExactly("spec.controller: Required value");

    ObjectNode cls = yaml("""
        {apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: c},
         spec: {controller: example.com/ingress, parameters: {kind: Params, name: p}}}""");
    assertThat(create(INGRESS_CLASS, cls)).isEmpty();
    assertThat(cls.at("/spec/parameters/scope").asText()).isEqualTo("Cluster");

    ObjectNode moved = cls.deepCopy();
    moved.with("spec").put("controller", "other.io/x");
    assertThat(messages(update(INGRESS_CLASS, moved, cls)))
        .containsExactly("spec.controller: Invalid value: \"other.io/x\": field is immutable");

    ObjectNode bad = yaml("""
        {apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: c},
         spec: {controller: nodomain, parameters: {kind: P, name: p, scope: Namespace}}}""");
    assertThat(messages(create(INGRESS_CLASS, bad))).containsExactly(
        "spec.controller: Invalid value: \"nodomain\": must be a domain-prefixed path (such as \"acme.io/foo\")",
        "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'");
  }

  @Test
  void networkPolicyDefaultsAndPeers() {
    ObjectNode np = yaml("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: np, namespace: default}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80}]}]
          egress: [{to: [{namespaceSelector: {}}]}]
        """);
    assertThat(create(NETPOL, np)).isEmpty();
    assertThat(np.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
    assertThat(np.at("/spec/ingress/0/ports/0/protocol").asText()).isEqualTo("TCP");

    ObjectNode ingressOnly = yaml("{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: d, namespace: default}, spec: {}}");
    assertThat(create(NETPOL, ingressOnly)).isEmpty();
    assertThat(ingressOnly.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\"]");
    assertThat(ingressOnly.at("/spec/podSelector").isObject()).isTrue();

    ObjectNode bad = yaml("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: np, namespace: default}
        spec:
          podSelector: {matchExpressions: [{key: app, operator: In}]}
          ingress:
          - from: [{}, {ipBlock: {cidr: 10.0.0.0/33}}, {ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}, podSelector: {}}]
            ports: [{port: 70000, protocol: ICMP}, {port: 90, endPort: 80}, {port: http, endPort: 90}]
          policyTypes: [Ingress, Sideways]
        """);
    assertThat(messages(create(NETPOL, bad))).containsExactly(
        "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
        "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
        "spec.ingress[0].ports[1].endPort: Invalid value: 80: must be greater than or equal to `port`",
        "spec.ingress[0].ports[2].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
        "spec.ingress[0].from[0]: Required value: must specify a peer",
        "spec.ingress[0].from[1].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": not a valid CIDR",
        "spec.ingress[0].from[2].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
        "spec.ingress[0].from[2]: Forbidden: may not specify both ipBlock and another peer",
        "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"");
  }

  @Test
  void storageClassDefaultsAndImmutableFields() {
    ObjectNode sc = yaml("{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast}, provisioner: example.com/fast, parameters: {type: ssd}}");
    assertThat(create(SC, sc)).isEmpty();
    assertThat(sc.path("reclaimPolicy").asText()).isEqualTo("Delete");
    assertThat(sc.path("volumeBindingMode").asText()).isEqualTo("Immediate");

    ObjectNode none = yaml("{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: x}, reclaimPolicy: Recycle, volumeBindingMode: Later}");
    assertThat(messages(create(SC, none))).containsExactly("provisioner: Required value",
        "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
        "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"");

    ObjectNode changed = sc.deepCopy();
    changed.put("provisioner", "example.com/slow");
    changed.put("reclaimPolicy", "Retain");
    changed.put("volumeBindingMode", "WaitForFirstConsumer");
    changed.with("parameters").put("type", "hdd");
    changed.put("allowVolumeExpansion", true);
    assertThat(messages(update(SC, changed, sc))).containsExactly(
        "parameters: Forbidden: updates to parameters are forbidden.",
        "provisioner: Forbidden: updates to provisioner are forbidden.",
        "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
        "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable");
    ObjectNode expand = sc.deepCopy();
    expand.put("allowVolumeExpansion", true);
    assertThat(update(SC, expand, sc)).isEmpty();
  }

  @Test
  void csiDriverDefaultsAndImmutableFields() {
    ObjectNode d = yaml("{apiVersion: storage.k8s.io/v1, kind: CSIDriver, metadata: {name: csi.example.com}}");
    assertThat(create(CSI_DRIVER, d)).isEmpty();
    assertThat(d.get("spec").toString()).isEqualTo("{\"attachRequired\":true,\"podInfoOnMount\":false,"
        + "\"storageCapacity\":false,\"fsGroupPolicy\":\"ReadWriteOnceWithFSType\",\"volumeLifecycleModes\":[\"Persistent\"],"
        + "\"requiresRepublish\":false,\"seLinuxMount\":false}");

    ObjectNode changed = d.deepCopy();
    changed.with("spec").put("attachRequired", false);
    changed.with("spec").putArray("volumeLifecycleModes").add("Ephemeral");
    changed.with("spec").put("podInfoOnMount", true);
    assertThat(messages(update(CSI_DRIVER, changed, d))).containsExactly(
        "spec.attachedRequired: Invalid value: false: field is immutable",
        "spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{\"Ephemeral\"}: field is immutable");

    ObjectNode bad = yaml("{apiVersion: storage.k8s.io/v1, kind: CSIDriver, metadata: {name: c}, spec: {fsGroupPolicy: Any, volumeLifecycleModes: [Forever]}}");
    assertThat(messages(create(CSI_DRIVER, bad))).containsExactly(
        "spec.fsGroupPolicy: Unsupported value: \"Any\": supported values: \"File\", \"None\", \"ReadWriteOnceWithFSType\"",
        "spec.volumeLifecycleModes: Unsupported value: \"Forever\": supported values: \"Persistent\", \"Ephemeral\"");
  }

  @Test
  void csiNodeVolumeAttachmentAndCapacity() {
    ObjectNode node = yaml("""
        {apiVersion: storage.k8s.io/v1, kind: CSINode, metadata: {name: n1},
         spec: {drivers: [{name: csi.example.com, nodeID: n1, topologyKeys: [topology.example.com/zone]}, {name: csi.example.com}]}}""");
    assertThat(messages(create(CSI_NODE, node))).containsExactly(
        "spec.drivers[1].nodeID: Required value", "spec.drivers[1].name: Duplicate value: \"csi.example.com\"");

    ObjectNode va = yaml("""
        {apiVersion: storage.k8s.io/v1, kind: VolumeAttachment, metadata: {name: va},
         spec: {attacher: csi.example.com, nodeName: n1, source: {persistentVolumeName: pv1}}, status: {attached: true}}""");
    assertThat(create(VA, va)).isEmpty();
    assertThat(va.has("status")).isFalse();
    ObjectNode moved = va.deepCopy();
    moved.with("spec").put("nodeName", "n2");
    assertThat(messages(update(VA, moved, va))).singleElement().asString().startsWith("spec: Invalid value: ").endsWith(": field is immutable");
    ObjectNode noSource = yaml("{apiVersion: storage.k8s.io/v1, kind: VolumeAttachment, metadata: {name: v}, spec: {attacher: a.b, nodeName: n}}");
    assertThat(messages(create(VA, noSource)))
        .containsExactly("spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName");

    ObjectNode cap = yaml("""
        {apiVersion: storage.k8s.io/v1, kind: CSIStorageCapacity, metadata: {name: c, namespace: default},
         storageClassName: fast, capacity: 10Gi, nodeTopology: {matchLabels: {zone: a}}}""");
    assertThat(create(CAPACITY, cap)).isEmpty();
    ObjectNode other = cap.deepCopy();
    other.put("storageClassName", "slow");
    assertThat(messages(update(CAPACITY, other, cap))).containsExactly("storageClassName: Invalid value: \"slow\": field is immutable");
  }

  @Test
  void runtimeClassHandlerIsADnsLabelAndImmutable() {
    ObjectNode rc = yaml("""
        {apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata: {name: gvisor}, handler: runsc,
         overhead: {podFixed: {cpu: 100m}}, scheduling: {nodeSelector: {sandbox: 'true'}, tolerations: [{key: sandbox, operator: Exists}]}}""");
    assertThat(create(RUNTIME_CLASS, rc)).isEmpty();
    ObjectNode changed = rc.deepCopy();
    changed.put("handler", "kata");
    assertThat(messages(update(RUNTIME_CLASS, changed, rc))).containsExactly("handler: Invalid value: \"kata\": field is immutable");

    ObjectNode bad = yaml("""
        {apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata: {name: x}, handler: Run_C,
         overhead: {podFixed: {memory: -1Mi}}, scheduling: {tolerations: [{operator: Equal, value: v}]}}""");
    assertThat(messages(create(RUNTIME_CLASS, bad))).containsExactly(
        "handler: Invalid value: \"Run_C\": " + Validation.DNS1123_LABEL_MESSAGE,
        "overhead.podFixed[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0",
        "scheduling.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, "
            + "which means \"match all values and all keys\"");
    ObjectNode noHandler = yaml("{apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata: {name: x}}");
    assertThat(messages(create(RUNTIME_CLASS, noHandler))).containsExactly(
        "handler: Invalid value: \"\": " + Validation.DNS1123_LABEL_MESSAGE);
  }
}
