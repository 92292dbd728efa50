package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;

/**
 * Upstream's DefaultStorageClass admission plugin: a new PersistentVolumeClaim with no class (no
 * spec.storageClassName, not even "", and no beta annotation) gets the StorageClass annotated
 * storageclass.kubernetes.io/is-default-class=true (or the beta annotation); with several, the newest.
 */
final class DefaultStorageClass implements AdmissionPlugin {
  static final String IS_DEFAULT = "storageclass.kubernetes.io/is-default-class";
  static final String IS_DEFAULT_BETA = "storageclass.beta.kubernetes.io/is-default-class";
  static final String BETA_CLASS = "volume.beta.kubernetes.io/storage-class";
  private final StoreLookup stores;

  DefaultStorageClass(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.DEFAULT_STORAGE_CLASS;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!a.isResource("", "persistentvolumeclaims") || !a.operation().equals(AdmissionAttributes.CREATE)) return;
    ObjectNode pvc = a.object();
    ObjectNode spec = pvc.get("spec") instanceof ObjectNode s ? s : pvc.putObject("spec");
    if (spec.hasNonNull("storageClassName") || Meta.annotations(pvc).containsKey(BETA_CLASS)) return;
    String dflt = DefaultClasses.newest(Cached.list(stores, "storage.k8s.io", "storageclasses", ""),
        annotations -> "true".equals(annotations.get(IS_DEFAULT)) || "true".equals(annotations.get(IS_DEFAULT_BETA)), true);
    if (dflt != null) spec.put("storageClassName", dflt);
  }
}
