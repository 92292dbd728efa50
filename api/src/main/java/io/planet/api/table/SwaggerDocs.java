package io.planet.api.table;

import com.google.gson.annotations.SerializedName;
import io.swagger.annotations.ApiModelProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field descriptions of the built-in types, read from the client-java model classes (generated from the same
 * OpenAPI documents as upstream's {@code SwaggerDoc()} maps), so column descriptions match upstream's.
 */
final class SwaggerDocs {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  /**
   * Fields whose type is another object: the OpenAPI documents (and so the model classes) drop their description
   * in favour of the referenced type's, while upstream's SwaggerDoc() keeps the field's own doc comment.
   */
  private static final Map<String, String> REFERENCE_FIELDS = Map.of(
      "CoreV1Event#involvedObject", "The object that this event is about.",
      "CoreV1Event#source", "The component reporting this event. Should be a short machine understandable string.",
      "V1PersistentVolumeSpec#claimRef", "claimRef is part of a bi-directional binding between PersistentVolume "
          + "and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative "
          + "bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding",
      "V1DeploymentSpec#selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this "
          + "will be the ones affected by this deployment. It must match the pod template's labels.",
      "V1ReplicaSetSpec#selector", "Selector is a label query over pods that should match the replica count. "
          + "Label keys and values that must match in order to be controlled by this replica set. It must match "
          + "the pod template's labels. More info: "
          + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      "V1DaemonSetSpec#selector", "A label query over pods that are managed by the daemon set. Must match in "
          + "order to be controlled. It must match the pod template's labels. More info: "
          + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      "V1JobSpec#selector", "A label query over pods that should match the pod count. Normally, the system sets "
          + "this field for you. More info: "
          + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      "V2HorizontalPodAutoscalerSpec#scaleTargetRef", "scaleTargetRef points to the target resource to scale, and "
          + "is used to the pods for which metrics should be collected, as well as to actually change the replica "
          + "count.",
      "V1RoleBinding#roleRef", "RoleRef can reference a Role in the current namespace or a ClusterRole in the "
          + "global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field "
          + "is immutable.");

  private SwaggerDocs() {}

  /** The description of JSON field {@code field} of model class {@code model} (e.g. "V1ObjectMeta"); "" if unknown. */
  static String of(String model, String field) {
    return CACHE.computeIfAbsent(model + "#" + field, k -> {
      String doc = lookup(model, field);
      return doc.isEmpty() ? REFERENCE_FIELDS.getOrDefault(k, "") : doc;
    });
  }

  private static String lookup(String model, String field) {
    try {
      Class<?> c = Class.forName(MODELS + model);
      for (Field f : c.getDeclaredFields()) {
        SerializedName sn = f.getAnnotation(SerializedName.class);
        if (sn == null || !sn.value().equals(field)) continue;
        String cap = Character.toUpperCase(f.getName().charAt(0)) + f.getName().substring(1);
        for (String getter : new String[] {"get" + cap, "is" + cap}) {
          try {
            Method m = c.getMethod(getter);
            ApiModelProperty p = m.getAnnotation(ApiModelProperty.class);
            if (p != null) return p.value();
          } catch (NoSuchMethodException e) {
            // try the next accessor form
          }
        }
      }
    } catch (ClassNotFoundException | LinkageError e) {
      // descriptions are informational: a missing model only leaves the description empty
    }
    return "";
  }

  static String meta(String field) {
    return of("V1ObjectMeta", field);
  }
}
