package io.planet.api.strategy;

import io.planet.api.ResourceStrategy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The strategy of each built-in kind. Kinds without special rules get the generic one. */
public final class Strategies {
  private Strategies() {}

  private static final Map<String, ResourceStrategy> BY_KIND = Map.ofEntries(
      Map.entry("/Pod", new PodStrategy()),
      Map.entry("/Service", new ServiceStrategy()),
      Map.entry("/Namespace", new NamespaceStrategy()),
      Map.entry("/Node", new NodeStrategy()),
      Map.entry("/ConfigMap", new ConfigMapStrategy()),
      Map.entry("/Secret", new SecretStrategy()),
      Map.entry("/Endpoints", new EndpointsStrategy()),
      Map.entry("/Event", new EventStrategy(false)),
      Map.entry("/ReplicationController", new ReplicationControllerStrategy()),
      Map.entry("/PersistentVolume", new PersistentVolumeStrategy()),
      Map.entry("/PersistentVolumeClaim", new PersistentVolumeClaimStrategy()),
      Map.entry("/PodTemplate", new PodTemplateStrategy()),
      Map.entry("apps/Deployment", new DeploymentStrategy()),
      Map.entry("apps/ReplicaSet", new ReplicaSetStrategy()),
      Map.entry("apps/DaemonSet", new DaemonSetStrategy()),
      Map.entry("apps/StatefulSet", new StatefulSetStrategy()),
      Map.entry("batch/Job", new JobStrategy()),
      Map.entry("batch/CronJob", new CronJobStrategy()),
      Map.entry("autoscaling/HorizontalPodAutoscaler", new HorizontalPodAutoscalerStrategy()),
      Map.entry("coordination.k8s.io/Lease", new LeaseStrategy()),
      Map.entry("discovery.k8s.io/EndpointSlice", new EndpointSliceStrategy()),
      Map.entry("events.k8s.io/Event", new EventStrategy(true)),
      Map.entry("policy/PodDisruptionBudget", new PodDisruptionBudgetStrategy()),
      Map.entry("rbac.authorization.k8s.io/Role", new RbacStrategy("Role")),
      Map.entry("rbac.authorization.k8s.io/ClusterRole", new RbacStrategy("ClusterRole")),
      Map.entry("rbac.authorization.k8s.io/RoleBinding", new RbacStrategy("RoleBinding")),
      Map.entry("rbac.authorization.k8s.io/ClusterRoleBinding", new RbacStrategy("ClusterRoleBinding")),
      Map.entry("apiextensions.k8s.io/CustomResourceDefinition", new CustomResourceDefinitionStrategy()),
      Map.entry("apiregistration.k8s.io/APIService", new ApiServiceStrategy()),
      Map.entry("scheduling.k8s.io/PriorityClass", new PriorityClassStrategy()),
      Map.entry("certificates.k8s.io/CertificateSigningRequest", new CertificateSigningRequestStrategy()),
      Map.entry("admissionregistration.k8s.io/MutatingWebhookConfiguration", new WebhookConfigurationStrategy(true)),
      Map.entry("admissionregistration.k8s.io/ValidatingWebhookConfiguration", new WebhookConfigurationStrategy(false)),
      // networking.k8s.io, storage.k8s.io, node.k8s.io
      Map.entry("networking.k8s.io/Ingress", new IngressStrategy()),
      Map.entry("networking.k8s.io/IngressClass", new IngressClassStrategy()),
      Map.entry("networking.k8s.io/NetworkPolicy", new NetworkPolicyStrategy()),
      Map.entry("storage.k8s.io/StorageClass", new StorageClassStrategy()),
      Map.entry("storage.k8s.io/CSIDriver", new CsiDriverStrategy()),
      Map.entry("storage.k8s.io/CSINode", new CsiNodeStrategy()),
      Map.entry("storage.k8s.io/VolumeAttachment", new VolumeAttachmentStrategy()),
      Map.entry("storage.k8s.io/CSIStorageCapacity", new CsiStorageCapacityStrategy()),
      Map.entry("node.k8s.io/RuntimeClass", new RuntimeClassStrategy()));

  /** Field selectors beyond metadata.name/metadata.namespace, as upstream's field label conversion functions accept. */
  private static final Map<String, List<String>> FIELD_SELECTORS = Map.ofEntries(
      Map.entry("/Pod", PodStrategy.SELECTABLE),
      Map.entry("/Event", List.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type")),
      Map.entry("events.k8s.io/Event", List.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type")),
      Map.entry("/Secret", List.of("type")),
      Map.entry("/Namespace", List.of("status.phase")),
      Map.entry("/Node", List.of("spec.unschedulable")),
      Map.entry("/ReplicationController", List.of("status.replicas")),
      Map.entry("/Service", List.of("spec.clusterIP", "spec.type")),
      Map.entry("apps/ReplicaSet", List.of("status.replicas")),
      Map.entry("batch/Job", List.of("status.successful")),
      Map.entry("certificates.k8s.io/CertificateSigningRequest", List.of("spec.signerName")));

  public static ResourceStrategy forKind(String group, String kind) {
    return BY_KIND.getOrDefault(group + "/" + kind, ResourceStrategy.DEFAULT);
  }

  /** Every field a list/watch of this kind may select on: metadata.name, metadata.namespace, then the kind's own. */
  public static Set<String> supportedFieldSelectors(String group, String kind) {
    Set<String> out = new LinkedHashSet<>(List.of("metadata.name", "metadata.namespace"));
    out.addAll(FIELD_SELECTORS.getOrDefault(group + "/" + kind, List.of()));
    return out;
  }

  /**
   * The 400 message for a field selector on an unsupported field: built-in kinds answer as their field label
   * conversion does ("field label not supported: x"), custom resources list what they support.
   */
  public static String unsupportedFieldSelectorMessage(String group, String kind, String field, boolean custom) {
    if (!custom) return "field label not supported: " + field;
    List<String> quoted = new ArrayList<>();
    for (String s : supportedFieldSelectors(group, kind)) quoted.add("\"" + s + "\"");
    return "\"" + field + "\" is not a known field selector: only " + String.join(", ", quoted);
  }
}
