package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** VolumeBinding on claims, volumes and classes held in maps (what the scheduler's informers hold). */
class VolumeBindingTest {
  private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
  private final Map<String, PersistentVolume> volumes = new LinkedHashMap<>();
  private final Map<String, StorageClass> classes = new HashMap<>();
  private final Map<String, String> selected = new HashMap<>();
  private final VolumeBinding.Lister lister = new VolumeBinding.Lister() {
    @Override
    public PersistentVolumeClaim claim(String namespace, String name) {
      return claims.get(namespace + "/" + name);
    }

    @Override
    public PersistentVolume volume(String name) {
      return volumes.get(name);
    }

    @Override
    public Collection<PersistentVolume> volumes() {
      return volumes.values();
    }

    @Override
    public StorageClass storageClass(String name) {
      return classes.get(name);
    }
  };
  private final ScheduleAlgorithm algorithm = new ScheduleAlgorithm(
      new VolumeBinding(lister, (claim, node) -> selected.put(claim.getMetadata().getName(), node)));
  private final ClusterCache cache = new ClusterCache();

  VolumeBindingTest() {
    cache.addOrUpdateNode(node("n1", "4", "8Gi", 110));
    cache.addOrUpdateNode(node("n2", "4", "8Gi", 110));
    classes.put("wait", new StorageClassBuilder().withNewMetadata().withName("wait").endMetadata()
        .withProvisioner("planet.io/local-path").withVolumeBindingMode("WaitForFirstConsumer").build());
    classes.put("now", new StorageClassBuilder().withNewMetadata().withName("now").endMetadata()
        .withProvisioner("planet.io/local-path").withVolumeBindingMode("Immediate").build());
    classes.put("local", new StorageClassBuilder().withNewMetadata().withName("local").endMetadata()
        .withProvisioner("kubernetes.io/no-provisioner").withVolumeBindingMode("WaitForFirstConsumer").build());
  }

  private void claim(String name, String cls, String volumeName) {
    claims.put("default/" + name, new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("default")
        .withName(name).endMetadata().withNewSpec().withStorageClassName(cls).withVolumeName(volumeName)
        .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
        .endSpec().build());
  }

  private void volume(String name, String cls, String node, String claim) {
    PersistentVolumeBuilder b = new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withStorageClassName(cls).addToCapacity("storage", new Quantity("1Gi"))
        .withAccessModes("ReadWriteOnce").withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm()
        .addNewMatchExpression().withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
        .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec();
    if (claim != null) b.editSpec().withNewClaimRef().withNamespace("default").withName(claim).endClaimRef().endSpec();
    volumes.put(name, b.build());
  }

  private static Pod using(String claim) {
    return pod("p-" + claim, "10m", null).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
        .withClaimName(claim).endPersistentVolumeClaim().endVolume().endSpec().build();
  }

  private ScheduleAlgorithm.Result schedule(Pod pod) {
    return cache.withSnapshot(s -> algorithm.schedule(new PodContext(pod), s));
  }

  private String message(Pod pod) {
    ScheduleAlgorithm.Result r = schedule(pod);
    assertThat(r).isInstanceOf(ScheduleAlgorithm.Unschedulable.class);
    return ((ScheduleAlgorithm.Unschedulable) r).message();
  }

  private String chosen(Pod pod) {
    ScheduleAlgorithm.Result r = schedule(pod);
    assertThat(r).isInstanceOf(ScheduleAlgorithm.Chosen.class);
    return ((ScheduleAlgorithm.Chosen) r).node();
  }

  @Test
  void aMissingOrUnboundImmediateClaimRejectsThePodWithUpstreamsMessages() {
    assertThat(message(using("nope"))).isEqualTo("0/2 nodes are available: persistentvolumeclaim \"nope\" not found.");
    claim("pending", "now", null);
    assertThat(message(using("pending")))
        .isEqualTo("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
  }

  @Test
  void aBoundVolumesNodeAffinityRestrictsTheNodes() {
    volume("pv-n2", "now", "n2", "data");
    claim("data", "now", "pv-n2");
    for (int i = 0; i < 5; i++) assertThat(chosen(using("data"))).isEqualTo("n2");
    volume("pv-elsewhere", "now", "n9", "other");
    claim("other", "now", "pv-elsewhere");
    assertThat(message(using("other"))).isEqualTo("0/2 nodes are available: 2 node(s) had volume node affinity conflict.");
  }

  @Test
  void waitForFirstConsumerClaimsGetTheChosenNodeBeforeBinding() {
    claim("later", "wait", null);
    Pod pod = using("later");
    String node = chosen(pod);
    assertThat(algorithm.preBind(pod, node)).isTrue();
    assertThat(selected).containsEntry("later", node);
    // the pod is bound only once the binder has bound the claim (to what the provisioner made)
    assertThat(algorithm.claimsBound(pod)).isFalse();
    claim("later", "wait", "pvc-later");
    claims.get("default/later").getMetadata().setAnnotations(Map.of("pv.kubernetes.io/bind-completed", "yes"));
    assertThat(algorithm.claimsBound(pod)).isTrue();
    assertThat(algorithm.preBind(pod, node)).isFalse();
  }

  @Test
  void withoutAProvisionerOnlyNodesWithAMatchingVolumeFit() {
    claim("local-data", "local", null);
    assertThat(message(using("local-data")))
        .isEqualTo("0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.");
    volume("local-n1", "local", "n1", null);
    for (int i = 0; i < 5; i++) assertThat(chosen(using("local-data"))).isEqualTo("n1");
  }
}
