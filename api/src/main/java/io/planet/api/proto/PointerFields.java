package io.planet.api.proto;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Set;

/**
 * Scalar fields that are Go pointers in k8s.io/api, where an explicit zero ("", 0, false) means something other
 * than "unset" (replicas: 0, runAsUser: 0, automountServiceAccountToken: false, storageClassName: "").
 *
 * <p>Why a list: go-to-protobuf writes every non-pointer field even when it holds its zero value, and a pointer
 * field only when it is set, so a zero on the wire is ambiguous. The JSON a client would have sent omits zero
 * non-pointer fields (omitempty) but keeps set pointers; the descriptor cannot tell the two apart. Zeros are
 * therefore dropped, except for the fields named here ("Message.field", message name without package).
 */
final class PointerFields {
  private static final Set<String> KEEP_ZERO = Set.of(
      // meta/v1
      "DeleteOptions.gracePeriodSeconds", "DeleteOptions.orphanDependents",
      "DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential",
      "ObjectMeta.deletionGracePeriodSeconds", "OwnerReference.controller", "OwnerReference.blockOwnerDeletion",
      "ListMeta.remainingItemCount", "ListOptions.timeoutSeconds", "ListOptions.sendInitialEvents",
      // core/v1: pods and containers
      "PodSpec.terminationGracePeriodSeconds", "PodSpec.activeDeadlineSeconds",
      "PodSpec.automountServiceAccountToken", "PodSpec.shareProcessNamespace", "PodSpec.priority",
      "PodSpec.enableServiceLinks", "PodSpec.setHostnameAsFQDN", "PodSpec.hostUsers",
      "PodSecurityContext.runAsUser", "PodSecurityContext.runAsGroup", "PodSecurityContext.runAsNonRoot",
      "PodSecurityContext.fsGroup",
      "SecurityContext.privileged", "SecurityContext.runAsUser", "SecurityContext.runAsGroup",
      "SecurityContext.runAsNonRoot", "SecurityContext.readOnlyRootFilesystem",
      "SecurityContext.allowPrivilegeEscalation",
      "WindowsSecurityContextOptions.hostProcess",
      "Probe.terminationGracePeriodSeconds", "Toleration.tolerationSeconds",
      "TopologySpreadConstraint.minDomains", "PodDNSConfigOption.value", "GRPCAction.service",
      "ContainerStatus.started", "ContainerStatus.stopSignal",
      // core/v1: volumes and configuration
      "ConfigMap.immutable", "Secret.immutable", "ServiceAccount.automountServiceAccountToken",
      "ConfigMapVolumeSource.defaultMode", "ConfigMapVolumeSource.optional",
      "SecretVolumeSource.defaultMode", "SecretVolumeSource.optional",
      "ProjectedVolumeSource.defaultMode", "DownwardAPIVolumeSource.defaultMode",
      "KeyToPath.mode", "DownwardAPIVolumeFile.mode",
      "ConfigMapKeySelector.optional", "SecretKeySelector.optional", "ConfigMapEnvSource.optional",
      "SecretEnvSource.optional", "ConfigMapProjection.optional", "SecretProjection.optional",
      "ServiceAccountTokenProjection.expirationSeconds", "CSIVolumeSource.readOnly",
      "PersistentVolumeClaimSpec.storageClassName", "PersistentVolumeClaimSpec.volumeAttributesClassName",
      "PersistentVolumeSpec.volumeAttributesClassName",
      // core/v1: services and replication controllers
      "ServiceSpec.allocateLoadBalancerNodePorts", "ClientIPConfig.timeoutSeconds",
      "ReplicationControllerSpec.replicas",
      // apps/v1
      "DeploymentSpec.replicas", "DeploymentSpec.revisionHistoryLimit", "DeploymentSpec.progressDeadlineSeconds",
      "ReplicaSetSpec.replicas", "StatefulSetSpec.replicas", "StatefulSetSpec.revisionHistoryLimit",
      "DaemonSetSpec.revisionHistoryLimit", "RollingUpdateStatefulSetStrategy.partition",
      "RollingUpdateDeployment.maxUnavailable", "RollingUpdateDeployment.maxSurge",
      "RollingUpdateDaemonSet.maxUnavailable", "RollingUpdateDaemonSet.maxSurge",
      "RollingUpdateStatefulSetStrategy.maxUnavailable",
      "DeploymentStatus.collisionCount", "StatefulSetStatus.collisionCount", "DaemonSetStatus.collisionCount",
      // batch/v1
      "JobSpec.parallelism", "JobSpec.completions", "JobSpec.activeDeadlineSeconds", "JobSpec.backoffLimit",
      "JobSpec.backoffLimitPerIndex", "JobSpec.maxFailedIndexes", "JobSpec.ttlSecondsAfterFinished",
      "JobSpec.suspend", "JobSpec.manualSelector",
      "CronJobSpec.startingDeadlineSeconds", "CronJobSpec.suspend", "CronJobSpec.successfulJobsHistoryLimit",
      "CronJobSpec.failedJobsHistoryLimit", "JobStatus.ready", "JobStatus.terminating",
      "SuccessPolicyRule.succeededCount",
      // policy, autoscaling, networking
      "PodDisruptionBudgetSpec.minAvailable", "PodDisruptionBudgetSpec.maxUnavailable",
      "HorizontalPodAutoscalerSpec.minReplicas", "HorizontalPodAutoscalerSpec.targetCPUUtilizationPercentage",
      "HPAScalingRules.stabilizationWindowSeconds", "MetricTarget.averageUtilization",
      "NetworkPolicyPort.port", "NetworkPolicyPort.endPort",
      // coordination/v1 (leader election records: leaseTransitions 0, holderIdentity "" on release)
      "LeaseSpec.holderIdentity", "LeaseSpec.leaseDurationSeconds", "LeaseSpec.leaseTransitions",
      "LeaseSpec.strategy", "LeaseSpec.preferredHolder",
      // authentication/v1
      "TokenRequestSpec.expirationSeconds",
      // apiextensions/v1
      "JSONSchemaProps.maximum", "JSONSchemaProps.minimum", "JSONSchemaProps.maxLength",
      "JSONSchemaProps.minLength", "JSONSchemaProps.maxItems", "JSONSchemaProps.minItems",
      "JSONSchemaProps.multipleOf", "JSONSchemaProps.maxProperties", "JSONSchemaProps.minProperties",
      "JSONSchemaProps.xKubernetesPreserveUnknownFields", "JSONSchemaProps.xKubernetesListType",
      "JSONSchemaProps.xKubernetesMapType", "ValidationRule.optionalOldSelf");

  private PointerFields() {}

  /** Whether an explicit zero in this field must be kept rather than treated as unset. */
  static boolean keepsZero(FieldDescriptor field) {
    return KEEP_ZERO.contains(field.getContainingType().getName() + "." + field.getName());
  }
}
