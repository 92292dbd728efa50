package io.planet.api.patch;

import static io.planet.api.schema.Schema.Type.INTEGER;
import static io.planet.api.schema.Schema.Type.STRING;

import io.planet.api.schema.Schema;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hand-built schemas with the patch metadata of the real types (the built-in schemas are filled elsewhere). */
final class TestSchemas {
  private TestSchemas() {}

  private static Schema str() {
    return Schema.of(STRING);
  }

  private static Schema integer() {
    return Schema.of(INTEGER);
  }

  private static Map<String, Schema> props(Object... kv) {
    Map<String, Schema> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Schema) kv[i + 1]);
    return m;
  }

  private static Schema mergeList(Schema items, String key) {
    return Schema.arrayOf(items).patchStrategy("merge").patchMergeKey(key);
  }

  /** A mini core/v1 Pod: just the fields with interesting patch metadata. */
  static Schema pod() {
    Schema envVar = Schema.object("io.k8s.api.core.v1.EnvVar", () -> props("name", str(), "value", str()));
    Schema port = Schema.object("io.k8s.api.core.v1.ContainerPort",
        () -> props("containerPort", integer(), "protocol", str(), "name", str()));
    Schema mount = Schema.object("io.k8s.api.core.v1.VolumeMount",
        () -> props("name", str(), "mountPath", str()));
    Schema container = Schema.object("io.k8s.api.core.v1.Container", () -> props(
        "name", str(),
        "image", str(),
        "args", Schema.arrayOf(str()),
        "env", mergeList(envVar, "name"),
        "ports", mergeList(port, "containerPort").listType("map"),
        "volumeMounts", mergeList(mount, "mountPath"),
        "resources", Schema.object("io.k8s.api.core.v1.ResourceRequirements",
            () -> props("limits", Schema.mapOf(Schema.of(Schema.Type.QUANTITY)),
                "requests", Schema.mapOf(Schema.of(Schema.Type.QUANTITY))))));
    Schema volume = Schema.object("io.k8s.api.core.v1.Volume", () -> props(
        "name", str(),
        "emptyDir", Schema.object("io.k8s.api.core.v1.EmptyDirVolumeSource", () -> props("medium", str())),
        "hostPath", Schema.object("io.k8s.api.core.v1.HostPathVolumeSource", () -> props("path", str())),
        "configMap", Schema.object("io.k8s.api.core.v1.ConfigMapVolumeSource", () -> props("name", str()))));
    Schema toleration = Schema.object("io.k8s.api.core.v1.Toleration",
        () -> props("key", str(), "operator", str(), "value", str(), "effect", str()));
    Schema spec = Schema.object("io.k8s.api.core.v1.PodSpec", () -> props(
        "containers", mergeList(container, "name"),
        "initContainers", mergeList(container, "name"),
        "volumes", Schema.arrayOf(volume).patchStrategy("merge,retainKeys").patchMergeKey("name"),
        "tolerations", Schema.arrayOf(toleration),
        "nodeSelector", Schema.mapOf(str()),
        "restartPolicy", str()));
    Schema ownerRef = Schema.object("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
        () -> props("apiVersion", str(), "kind", str(), "name", str(), "uid", str()));
    Schema meta = Schema.object("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", () -> props(
        "name", str(),
        "labels", Schema.mapOf(str()),
        "annotations", Schema.mapOf(str()),
        "finalizers", Schema.arrayOf(str()).patchStrategy("merge"),
        "ownerReferences", mergeList(ownerRef, "uid")));
    return Schema.object("io.k8s.api.core.v1.Pod",
        () -> props("apiVersion", str(), "kind", str(), "metadata", meta, "spec", spec));
  }

  /** apps/v1 Deployment with its retainKeys strategy and the pod template. */
  static Schema deployment() {
    Schema pod = pod();
    Schema rollingUpdate = Schema.object("io.k8s.api.apps.v1.RollingUpdateDeployment",
        () -> props("maxSurge", Schema.of(Schema.Type.INT_OR_STRING),
            "maxUnavailable", Schema.of(Schema.Type.INT_OR_STRING)));
    Schema strategy = Schema.object("io.k8s.api.apps.v1.DeploymentStrategy",
        () -> props("type", str(), "rollingUpdate", rollingUpdate)).patchStrategy("retainKeys");
    Schema template = Schema.object("io.k8s.api.core.v1.PodTemplateSpec",
        () -> props("metadata", pod.property("metadata"), "spec", pod.property("spec")));
    Schema spec = Schema.object("io.k8s.api.apps.v1.DeploymentSpec",
        () -> props("replicas", integer(), "strategy", strategy, "template", template));
    return Schema.object("io.k8s.api.apps.v1.Deployment",
        () -> props("apiVersion", str(), "kind", str(), "metadata", pod.property("metadata"), "spec", spec));
  }

  /**
   * The MergeItem struct of upstream's strategicpatch tests: a recursive type with merging and non-merging lists of
   * maps and ints, a plain map, a replace-strategy field and retainKeys fields.
   */
  static Schema mergeItem() {
    Schema[] self = new Schema[1];
    Schema retainKeysItem = Schema.object("retainKeysMergeItem", () -> props(
        "name", str(), "value", str(), "other", str(),
        "simpleMap", Schema.mapOf(str()),
        "mergingIntList", Schema.arrayOf(integer()).patchStrategy("merge"),
        "mergingList", mergeList(self[0], "name"),
        "nonMergingList", Schema.arrayOf(self[0])));
    self[0] = Schema.object("mergeItem", () -> props(
        "name", str(), "value", str(), "other", str(),
        "mergingList", mergeList(self[0], "name"),
        "nonMergingList", Schema.arrayOf(self[0]),
        "mergingIntList", Schema.arrayOf(integer()).patchStrategy("merge"),
        "nonMergingIntList", Schema.arrayOf(integer()),
        "simpleMap", Schema.mapOf(str()),
        "replacingItem", Schema.of(Schema.Type.ANY).patchStrategy("replace"),
        "retainKeysMap", retainKeysItem.patchStrategy("retainKeys"),
        "retainKeysMergingList", Schema.arrayOf(self[0]).patchStrategy("merge,retainKeys").patchMergeKey("name")));
    return self[0];
  }
}
