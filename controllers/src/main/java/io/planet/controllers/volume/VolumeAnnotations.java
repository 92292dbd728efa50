package io.planet.controllers.volume;

/** Upstream's annotations and names around binding and provisioning (k8s.io/component-helpers/storage/volume). */
public final class VolumeAnnotations {
  public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
  public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
  public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  public static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
  public static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
  public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  public static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
  public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
  public static final String PV_PROTECTION = "kubernetes.io/pv-protection";
  public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
  /** The provisioner name of StorageClasses that never provision (local volumes made by hand). */
  public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

  private VolumeAnnotations() {}
}
