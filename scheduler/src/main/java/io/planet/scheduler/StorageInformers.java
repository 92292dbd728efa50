package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The scheduler's view of claims, volumes and storage classes for {@link VolumeBinding}; any change wakes the
 * parked pods (a claim bound, a volume created), as upstream's cluster events for the plugin do.
 */
final class StorageInformers implements VolumeBinding.Lister, VolumeBinding.ClaimWriter, AutoCloseable {
  private final KubernetesClient client;
  private final Runnable onChange;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;
  private SharedIndexInformer<StorageClass> classes;

  StorageInformers(KubernetesClient client, Runnable onChange) {
    this.client = client;
    this.onChange = onChange;
  }

  List<CompletableFuture<Void>> start() {
    claims = client.persistentVolumeClaims().inAnyNamespace().inform(wake(), 0);
    volumes = client.persistentVolumes().inform(wake(), 0);
    classes = client.storage().v1().storageClasses().inform(wake(), 0);
    return List.of(claims.start().toCompletableFuture(), volumes.start().toCompletableFuture(),
        classes.start().toCompletableFuture());
  }

  private <T> ResourceEventHandler<T> wake() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.run();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.run();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.run();
      }
    };
  }

  @Override
  public PersistentVolumeClaim claim(String namespace, String name) {
    return claims == null ? null : claims.getStore().getByKey(namespace + "/" + name);
  }

  @Override
  public PersistentVolume volume(String name) {
    return volumes == null ? null : volumes.getStore().getByKey(name);
  }

  @Override
  public Collection<PersistentVolume> volumes() {
    return volumes == null ? List.of() : volumes.getStore().list();
  }

  @Override
  public StorageClass storageClass(String name) {
    return classes == null || name.isEmpty() ? null : classes.getStore().getByKey(name);
  }

  @Override
  public void selectNode(PersistentVolumeClaim claim, String node) {
    // a merge patch without resourceVersion: the volume binder writes the same claim
    String patch = "{\"metadata\":{\"annotations\":{\"" + VolumeBinding.SELECTED_NODE + "\":\"" + node + "\"}}}";
    client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  @Override
  public void close() {
    if (claims != null) claims.close();
    if (volumes != null) volumes.close();
    if (classes != null) classes.close();
  }
}
