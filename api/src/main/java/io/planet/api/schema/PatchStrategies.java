package io.planet.api.schema;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What upstream declares as struct tags and markers on its Go types and publishes as OpenAPI extensions: the
 * strategic-merge-patch strategy and merge key of list fields ({@code patchStrategy:"merge" patchMergeKey:"name"} →
 * {@code x-kubernetes-patch-strategy}/{@code x-kubernetes-patch-merge-key}), the server-side-apply list types
 * ({@code +listType=map +listMapKey=name} → {@code x-kubernetes-list-type}/{@code x-kubernetes-list-map-keys}) and
 * atomic structs and maps ({@code +structType=atomic}, {@code +mapType=atomic} → {@code x-kubernetes-map-type}).
 * The client-java models lose these facts, so they are listed here, for the types users patch.
 */
public final class PatchStrategies {
  private PatchStrategies() {}

  /** The facts of one field. Null members mean "not declared". */
  public record Facts(String patchStrategy, String patchMergeKey, String listType, List<String> listMapKeys,
      String mapType) {}

  private static final String CORE = "io.k8s.api.core.v1.";
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final String APPS = "io.k8s.api.apps.v1.";
  private static final String BATCH = "io.k8s.api.batch.v1.";
  private static final String HPA2 = "io.k8s.api.autoscaling.v2.";
  private static final String POLICY = "io.k8s.api.policy.v1.";
  private static final String DISCOVERY = "io.k8s.api.discovery.v1.";
  private static final String RBAC = "io.k8s.api.rbac.v1.";
  private static final String APIEXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";

  /** definition name → field → facts. */
  private static final Map<String, Map<String, Facts>> FIELDS = new HashMap<>();
  /** Definitions declared {@code +structType=atomic} (replaced as a whole by apply). */
  private static final Set<String> ATOMIC_STRUCTS = new HashSet<>();

  static {
    // meta/v1
    set(META + "ObjectMeta", "finalizers", "merge");
    mergeMap(META + "ObjectMeta", "ownerReferences", "uid");
    atomic(META + "ObjectMeta", "managedFields");
    atomicStruct(META + "LabelSelector");
    atomic(META + "LabelSelector", "matchExpressions");
    atomic(META + "LabelSelectorRequirement", "values");

    // core/v1 PodSpec and containers
    String podSpec = CORE + "PodSpec";
    mergeMap(podSpec, "volumes", "merge,retainKeys", "name", List.of("name"));
    mergeMap(podSpec, "initContainers", "name");
    mergeMap(podSpec, "containers", "name");
    mergeMap(podSpec, "ephemeralContainers", "name");
    mergeMap(podSpec, "imagePullSecrets", "name");
    mergeMap(podSpec, "hostAliases", "ip");
    mergeMap(podSpec, "topologySpreadConstraints", "merge", "topologyKey", List.of("topologyKey", "whenUnsatisfiable"));
    mergeMap(podSpec, "schedulingGates", "name");
    mergeMap(podSpec, "resourceClaims", "merge,retainKeys", "name", List.of("name"));
    atomic(podSpec, "tolerations");
    atomic(podSpec, "readinessGates");
    atomicMap(podSpec, "nodeSelector");
    for (String c : List.of(CORE + "Container", CORE + "EphemeralContainer")) {
      mergeMap(c, "ports", "merge", "containerPort", List.of("containerPort", "protocol"));
      mergeMap(c, "env", "name");
      mergeMap(c, "volumeMounts", "mountPath");
      mergeMap(c, "volumeDevices", "devicePath");
      atomic(c, "envFrom");
      atomic(c, "command");
      atomic(c, "args");
      atomic(c, "resizePolicy");
    }
    String podStatus = CORE + "PodStatus";
    mergeMap(podStatus, "conditions", "type");
    mergeMap(podStatus, "podIPs", "ip");
    put(podStatus, "hostIPs", new Facts("merge", "ip", "atomic", List.of(), null));
    atomic(podStatus, "containerStatuses");
    atomic(podStatus, "initContainerStatuses");
    atomic(podStatus, "ephemeralContainerStatuses");
    mergeMap(podStatus, "resourceClaimStatuses", "merge,retainKeys", "name", List.of("name"));
    atomic(CORE + "PodSecurityContext", "supplementalGroups");
    atomic(CORE + "PodSecurityContext", "sysctls");
    atomic(CORE + "Capabilities", "add");
    atomic(CORE + "Capabilities", "drop");
    atomic(CORE + "NodeSelector", "nodeSelectorTerms");
    atomic(CORE + "NodeSelectorTerm", "matchExpressions");
    atomic(CORE + "NodeSelectorTerm", "matchFields");
    atomic(CORE + "NodeSelectorRequirement", "values");
    atomic(CORE + "PodAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
    atomic(CORE + "PodAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
    atomic(CORE + "PodAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
    atomic(CORE + "PodAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
    atomic(CORE + "NodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
    atomic(CORE + "PodAffinityTerm", "namespaces");
    atomic(CORE + "PodAffinityTerm", "matchLabelKeys");
    atomic(CORE + "PodAffinityTerm", "mismatchLabelKeys");
    atomic(CORE + "TopologySpreadConstraint", "matchLabelKeys");
    atomic(CORE + "ExecAction", "command");
    atomic(CORE + "HTTPGetAction", "httpHeaders");
    atomic(CORE + "HostAlias", "hostnames");
    atomic(CORE + "PodDNSConfig", "nameservers");
    atomic(CORE + "PodDNSConfig", "searches");
    atomic(CORE + "PodDNSConfig", "options");
    atomic(CORE + "ProjectedVolumeSource", "sources");
    atomic(CORE + "ConfigMapVolumeSource", "items");
    atomic(CORE + "SecretVolumeSource", "items");
    atomic(CORE + "DownwardAPIVolumeSource", "items");
    for (String t : List.of("ObjectReference", "LocalObjectReference", "TypedLocalObjectReference", "ConfigMapKeySelector",
        "SecretKeySelector", "ObjectFieldSelector", "ResourceFieldSelector", "NodeSelector", "NodeSelectorTerm",
        "TopologySelectorTerm", "SecretReference")) {
      atomicStruct(CORE + t);
    }

    // core/v1 services, nodes and the other core kinds
    String svcSpec = CORE + "ServiceSpec";
    mergeMap(svcSpec, "ports", "merge", "port", List.of("port", "protocol"));
    atomicMap(svcSpec, "selector");
    atomic(svcSpec, "clusterIPs");
    atomic(svcSpec, "externalIPs");
    atomic(svcSpec, "ipFamilies");
    atomic(svcSpec, "loadBalancerSourceRanges");
    mergeMap(CORE + "ServiceStatus", "conditions", "type");
    atomic(CORE + "LoadBalancerStatus", "ingress");
    atomic(CORE + "LoadBalancerIngress", "ports");
    set(CORE + "NodeSpec", "podCIDRs", "merge");
    atomic(CORE + "NodeSpec", "taints");
    String nodeStatus = CORE + "NodeStatus";
    mergeMap(nodeStatus, "conditions", "type");
    mergeMap(nodeStatus, "addresses", "type");
    atomic(nodeStatus, "images");
    atomic(nodeStatus, "volumesInUse");
    atomic(nodeStatus, "volumesAttached");
    atomic(CORE + "ContainerImage", "names");
    atomic(CORE + "NamespaceSpec", "finalizers");
    mergeMap(CORE + "NamespaceStatus", "conditions", "type");
    atomic(CORE + "PersistentVolumeClaimSpec", "accessModes");
    mergeMap(CORE + "PersistentVolumeClaimStatus", "conditions", "type");
    atomic(CORE + "PersistentVolumeClaimStatus", "accessModes");
    atomic(CORE + "PersistentVolumeSpec", "accessModes");
    atomic(CORE + "PersistentVolumeSpec", "mountOptions");
    mergeMap(CORE + "ReplicationControllerStatus", "conditions", "type");
    atomicMap(CORE + "ReplicationControllerSpec", "selector");
    mergeMap(CORE + "ServiceAccount", "secrets", "name");
    atomic(CORE + "ServiceAccount", "imagePullSecrets");
    atomic(CORE + "Endpoints", "subsets");
    atomic(CORE + "EndpointSubset", "addresses");
    atomic(CORE + "EndpointSubset", "notReadyAddresses");
    atomic(CORE + "EndpointSubset", "ports");
    atomic(CORE + "ResourceQuotaSpec", "scopes");
    atomic(CORE + "ScopeSelector", "matchExpressions");
    atomic(CORE + "LimitRangeSpec", "limits");

    // apps/v1
    put(APPS + "DeploymentSpec", "strategy", new Facts("retainKeys", null, null, List.of(), null));
    for (String t : List.of("DeploymentStatus", "ReplicaSetStatus", "DaemonSetStatus", "StatefulSetStatus")) {
      mergeMap(APPS + t, "conditions", "type");
    }
    atomic(APPS + "StatefulSetSpec", "volumeClaimTemplates");

    // batch/v1
    put(BATCH + "JobStatus", "conditions", new Facts("merge", "type", "atomic", List.of(), null));
    atomic(BATCH + "CronJobStatus", "active");
    atomic(BATCH + "PodFailurePolicy", "rules");
    atomic(BATCH + "PodFailurePolicyRule", "onPodConditions");
    atomic(BATCH + "PodFailurePolicyOnExitCodesRequirement", "values");

    // autoscaling/v2, policy/v1, discovery/v1, rbac/v1, apiextensions/v1
    mergeMap(HPA2 + "HorizontalPodAutoscalerStatus", "conditions", "type");
    atomic(HPA2 + "HorizontalPodAutoscalerStatus", "currentMetrics");
    atomic(HPA2 + "HorizontalPodAutoscalerSpec", "metrics");
    atomic(HPA2 + "HPAScalingRules", "policies");
    mergeMap(POLICY + "PodDisruptionBudgetStatus", "conditions", "type");
    atomic(DISCOVERY + "EndpointSlice", "endpoints");
    atomic(DISCOVERY + "EndpointSlice", "ports");
    set(DISCOVERY + "Endpoint", "addresses", null);
    atomic(DISCOVERY + "EndpointHints", "forZones");
    atomicStruct(RBAC + "RoleRef");
    atomic(RBAC + "Role", "rules");
    atomic(RBAC + "ClusterRole", "rules");
    atomic(RBAC + "RoleBinding", "subjects");
    atomic(RBAC + "ClusterRoleBinding", "subjects");
    atomic(RBAC + "AggregationRule", "clusterRoleSelectors");
    for (String f : List.of("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")) {
      atomic(RBAC + "PolicyRule", f);
    }
    atomic(APIEXT + "CustomResourceDefinitionSpec", "versions");
    put(APIEXT + "CustomResourceDefinitionStatus", "conditions", new Facts(null, null, "map", List.of("type"), null));
    atomic(APIEXT + "CustomResourceDefinitionStatus", "storedVersions");
    atomic(APIEXT + "CustomResourceDefinitionNames", "shortNames");
    atomic(APIEXT + "CustomResourceDefinitionNames", "categories");
    atomic(APIEXT + "CustomResourceDefinitionVersion", "additionalPrinterColumns");
    atomic(APIEXT + "JSONSchemaProps", "required");
    atomic(APIEXT + "JSONSchemaProps", "enum");
    atomic(APIEXT + "JSONSchemaProps", "allOf");
    atomic(APIEXT + "JSONSchemaProps", "anyOf");
    atomic(APIEXT + "JSONSchemaProps", "oneOf");
    atomic(APIEXT + "JSONSchemaProps", "x-kubernetes-list-map-keys");
  }

  private static void put(String def, String field, Facts f) {
    FIELDS.computeIfAbsent(def, d -> new HashMap<>()).put(field, f);
  }

  /** patchStrategy merge on key + listType map keyed by the same field. */
  private static void mergeMap(String def, String field, String key) {
    mergeMap(def, field, "merge", key, List.of(key));
  }

  private static void mergeMap(String def, String field, String strategy, String key, List<String> mapKeys) {
    put(def, field, new Facts(strategy, key, "map", mapKeys, null));
  }

  private static void set(String def, String field, String strategy) {
    put(def, field, new Facts(strategy, null, "set", List.of(), null));
  }

  private static void atomic(String def, String field) {
    put(def, field, new Facts(null, null, "atomic", List.of(), null));
  }

  private static void atomicMap(String def, String field) {
    put(def, field, new Facts(null, null, null, List.of(), "atomic"));
  }

  private static void atomicStruct(String def) {
    ATOMIC_STRUCTS.add(def);
  }

  /** The facts upstream declares for a field of a definition; null when none. */
  public static Facts forField(String definition, String field) {
    Map<String, Facts> m = FIELDS.get(definition);
    return m == null ? null : m.get(field);
  }

  /** Whether a definition is a {@code +structType=atomic} struct. */
  public static boolean isAtomicStruct(String definition) {
    return ATOMIC_STRUCTS.contains(definition);
  }

  static void applyToDefinition(Schema s) {
    if (s.name() != null && ATOMIC_STRUCTS.contains(s.name())) s.mapType("atomic");
  }

  static void applyToField(String definition, String field, Schema s) {
    Facts f = forField(definition, field);
    if (f == null) return;
    if (f.patchStrategy() != null) s.patchStrategy(f.patchStrategy());
    if (f.patchMergeKey() != null) s.patchMergeKey(f.patchMergeKey());
    if (f.listType() != null) s.listType(f.listType());
    if (!f.listMapKeys().isEmpty()) s.listMapKeys(f.listMapKeys());
    if (f.mapType() != null) s.mapType(f.mapType());
  }
}
