package io.planet.cli.cluster;

import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The cluster's default StorageClass, as kind and k3s ship one: {@code standard}, provisioned by Planet's built-in
 * local-path provisioner (the controller-manager's planet-local-path-provisioner), reclaim Delete, bound once a pod
 * is scheduled (WaitForFirstConsumer). Created at start when missing; a changed one is left as it is.
 */
final class DefaultStorageClass {
  static final String NAME = "standard";
  static final String PROVISIONER = "planet.io/local-path";

  private DefaultStorageClass() {}

  static String ensure(KubernetesClient admin) {
    if (admin.storage().v1().storageClasses().withName(NAME).get() != null) return NAME + " present";
    try {
      admin.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(NAME)
          .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
          .withProvisioner(PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer")
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
    return NAME + " (" + PROVISIONER + ") created";
  }
}
