package io.planet.api;

import io.planet.api.strategy.Strategies;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The built-in resources, with upstream's names, short names, categories and subresources. Storage keys are
 * {@code /registry/<group>/<resource>/...}, the core group omitted.
 */
final class BuiltinResources {
  private BuiltinResources() {}

  private static final List<String> NONE = List.of();
  private static final List<String> ALL = List.of("all");

  static void register(ResourceRegistry r) {
    // core/v1
    add(r, "", "v1", "Namespace", "namespaces", false, List.of("ns"), NONE, "status", "finalize");
    add(r, "", "v1", "Pod", "pods", true, List.of("po"), ALL,
        "status", "binding", "eviction", "log", "exec", "attach", "portforward", "proxy", "ephemeralcontainers");
    add(r, "", "v1", "Binding", "bindings", true, NONE, NONE);
    add(r, "", "v1", "Node", "nodes", false, List.of("no"), NONE, "status", "proxy");
    add(r, "", "v1", "Service", "services", true, List.of("svc"), ALL, "status", "proxy");
    add(r, "", "v1", "Endpoints", "endpoints", true, List.of("ep"), NONE);
    add(r, "", "v1", "ConfigMap", "configmaps", true, List.of("cm"), NONE);
    add(r, "", "v1", "Secret", "secrets", true, NONE, NONE);
    add(r, "", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), NONE, "token");
    add(r, "", "v1", "Event", "events", true, List.of("ev"), NONE);
    add(r, "", "v1", "ReplicationController", "replicationcontrollers", true, List.of("rc"), ALL, "status", "scale");
    add(r, "", "v1", "LimitRange", "limitranges", true, List.of("limits"), NONE);
    add(r, "", "v1", "ResourceQuota", "resourcequotas", true, List.of("quota"), NONE, "status");
    add(r, "", "v1", "PersistentVolume", "persistentvolumes", false, List.of("pv"), NONE, "status");
    add(r, "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), NONE, "status");
    add(r, "", "v1", "PodTemplate", "podtemplates", true, NONE, NONE);
    // apps/v1
    add(r, "apps", "v1", "Deployment", "deployments", true, List.of("deploy"), ALL, "status", "scale");
    add(r, "apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), ALL, "status", "scale");
    add(r, "apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), ALL, "status");
    add(r, "apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), ALL, "status", "scale");
    add(r, "apps", "v1", "ControllerRevision", "controllerrevisions", true, NONE, NONE);
    // batch/v1
    add(r, "batch", "v1", "Job", "jobs", true, NONE, ALL, "status");
    add(r, "batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), ALL, "status");
    // autoscaling: v2 is stored, v1 converted
    add(r, "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), ALL, "status");
    addVersion(r, "autoscaling", "v1", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), ALL, "status");
    add(r, "coordination.k8s.io", "v1", "Lease", "leases", true, NONE, NONE);
    add(r, "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, NONE, NONE);
    // events.k8s.io/v1 events share core/v1 events' storage
    r.add(new ResourceType("events.k8s.io", "v1", "Event", "events", "event", true, List.of("ev"), NONE, Set.of(),
        "events", "v1", Strategies.forKind("events.k8s.io", "Event"), null));
    add(r, "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, List.of("pdb"), NONE, "status");
    add(r, "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, NONE, NONE);
    add(r, "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, NONE, NONE);
    add(r, "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, NONE, NONE);
    add(r, "rbac.authorization.k8s.io", "v1", "Role", "roles", true, NONE, NONE);
    add(r, "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
        List.of("crd", "crds"), NONE, "status");
    add(r, "apiregistration.k8s.io", "v1", "APIService", "apiservices", false, NONE, NONE, "status");
    add(r, "scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, List.of("pc"), NONE);
    add(r, "certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false,
        List.of("csr"), NONE, "approval", "status");
    add(r, "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false,
        NONE, List.of("api-extensions"));
    add(r, "admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false,
        NONE, List.of("api-extensions"));
    // networking.k8s.io/v1, storage.k8s.io/v1, node.k8s.io/v1
    add(r, "networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing"), NONE, "status");
    add(r, "networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, NONE, NONE);
    add(r, "networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol"), NONE);
    add(r, "storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), NONE);
    add(r, "storage.k8s.io", "v1", "CSIDriver", "csidrivers", false, NONE, NONE);
    add(r, "storage.k8s.io", "v1", "CSINode", "csinodes", false, NONE, NONE);
    add(r, "storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false, NONE, NONE, "status");
    add(r, "storage.k8s.io", "v1", "CSIStorageCapacity", "csistoragecapacities", true, NONE, NONE);
    add(r, "node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false, NONE, NONE);
  }

  private static void add(ResourceRegistry r, String group, String version, String kind, String plural,
      boolean namespaced, List<String> shortNames, List<String> categories, String... subresources) {
    addVersion(r, group, version, version, kind, plural, namespaced, shortNames, categories, subresources);
  }

  private static void addVersion(ResourceRegistry r, String group, String version, String storageVersion, String kind,
      String plural, boolean namespaced, List<String> shortNames, List<String> categories, String... subresources) {
    String prefix = group.isEmpty() ? plural : group + "/" + plural;
    r.add(new ResourceType(group, version, kind, plural, kind.toLowerCase(), namespaced, shortNames, categories,
        new LinkedHashSet<>(Arrays.asList(subresources)), prefix, storageVersion,
        Strategies.forKind(group, kind), null));
  }
}
