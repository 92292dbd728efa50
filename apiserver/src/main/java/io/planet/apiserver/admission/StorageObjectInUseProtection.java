package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Upstream's StorageObjectInUseProtection admission plugin: a new PersistentVolumeClaim gets the finalizer
 * kubernetes.io/pvc-protection and a new PersistentVolume kubernetes.io/pv-protection, so neither disappears while
 * in use; the pvc-protection and pv-protection controllers remove them once nothing uses the object.
 */
final class StorageObjectInUseProtection implements AdmissionPlugin {
  static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
  static final String PV_PROTECTION = "kubernetes.io/pv-protection";

  @Override
  public String name() {
    return AdmissionPlugins.STORAGE_OBJECT_IN_USE_PROTECTION;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!a.operation().equals(AdmissionAttributes.CREATE)) return;
    String finalizer;
    if (a.isResource("", "persistentvolumeclaims")) finalizer = PVC_PROTECTION;
    else if (a.isResource("", "persistentvolumes")) finalizer = PV_PROTECTION;
    else return;
    ObjectNode meta = a.object().get("metadata") instanceof ObjectNode m ? m : a.object().putObject("metadata");
    ArrayNode finalizers = meta.get("finalizers") instanceof ArrayNode f ? f : meta.putArray("finalizers");
    for (JsonNode f : finalizers) if (finalizer.equals(f.asText())) return;
    finalizers.add(finalizer);
  }
}
