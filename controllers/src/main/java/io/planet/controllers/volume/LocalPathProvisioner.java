package io.planet.controllers.volume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.client.events.EventRecorder;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Planet's built-in dynamic provisioner {@value #PROVISIONER}, after rancher's local-path-provisioner as k3s ships it:
 * a claim handed to it (the binder's storage-provisioner annotation) gets a PersistentVolume with a hostPath
 * {@code <storage dir>/<pv name>} (type DirectoryOrCreate) on one node and a required node affinity to that node,
 * pre-bound to the claim; the binder then binds both halves. The node is the scheduler's selected-node for
 * WaitForFirstConsumer classes, else the Ready node with the fewest such volumes. This runs in the
 * controller-manager, which may be on another machine: it only writes API objects. The node's kubelet makes the
 * directory when a pod mounts the volume and removes it once the volume object is gone. The storage directory is
 * the one the node's kubelet publishes in the {@value #DIR_ANNOTATION} annotation (its data dir + /storage), else
 * {@code defaultDir}. A Released volume whose policy is Delete is deleted here (reclaiming it is the provisioner's
 * job, as upstream's external provisioners do).
 */
public final class LocalPathProvisioner extends Controller {
  public static final String PROVISIONER = "planet.io/local-path";
  /** On a Node: the directory its local-path volumes live under. */
  public static final String DIR_ANNOTATION = "planet.io/local-path-dir";
  /** On a PersistentVolume: the node its directory is on (what the node authorizer relates it to). */
  public static final String NODE_ANNOTATION = "planet.io/local-path-node";
  public static final String DEFAULT_DIR = "/var/lib/planet/storage";
  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
  static final String CLAIM = "claim:";
  static final String VOLUME = "volume:";
  private static final Set<String> ACCESS_MODES = Set.of("ReadWriteOnce", "ReadWriteOncePod");

  private final KubernetesClient client;
  private final String defaultDir;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;
  private SharedIndexInformer<StorageClass> classes;
  private SharedIndexInformer<Node> nodes;

  public LocalPathProvisioner(KubernetesClient client) {
    this(client, DEFAULT_DIR);
  }

  public LocalPathProvisioner(KubernetesClient client, String defaultDir) {
    super("local-path-provisioner", 1);
    this.client = client;
    this.defaultDir = defaultDir;
  }

  @Override
  protected String eventSource() {
    return PROVISIONER;
  }

  @Override
  protected void register(Informers informers) {
    claims = informers.informer(PersistentVolumeClaim.class);
    volumes = informers.informer(PersistentVolume.class);
    classes = informers.informer(StorageClass.class);
    nodes = informers.informer(Node.class);
    claims.addEventHandler(handler(c -> enqueue(CLAIM + key(c))));
    volumes.addEventHandler(handler(v -> enqueue(VOLUME + v.getMetadata().getName())));
  }

  @Override
  protected void reconcile(String key) {
    if (key.startsWith(CLAIM)) {
      PersistentVolumeClaim c = claims.getStore().getByKey(key.substring(CLAIM.length()));
      if (c != null) provision(c);
    } else if (key.startsWith(VOLUME)) {
      PersistentVolume v = volumes.getStore().getByKey(key.substring(VOLUME.length()));
      if (v != null) reclaim(v);
    }
  }

  private void provision(PersistentVolumeClaim claim) {
    Map<String, String> a = claim.getMetadata().getAnnotations();
    if (a == null || !PROVISIONER.equals(a.get(VolumeAnnotations.STORAGE_PROVISIONER))) return;
    if (claim.getMetadata().getDeletionTimestamp() != null) return;
    if (claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()) return;
    StorageClass sc = classes.getStore().getByKey(VolumeMatching.storageClass(claim));
    if (sc == null || !PROVISIONER.equals(sc.getProvisioner())) return;
    String pvName = "pvc-" + claim.getMetadata().getUid();
    if (volumes.getStore().getByKey(pvName) != null) return;
    boolean waitForConsumer = VolumeAnnotations.WAIT_FOR_FIRST_CONSUMER.equals(sc.getVolumeBindingMode());
    String selected = a.get(VolumeAnnotations.SELECTED_NODE);
    if (waitForConsumer && selected == null) return;
    List<String> modes = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
    if (!ACCESS_MODES.containsAll(modes)) {
      failed(claim, "Only support ReadWriteOnce and ReadWriteOncePod access modes");
      return;
    }
    if ("Block".equals(claim.getSpec().getVolumeMode())) {
      failed(claim, "Only support Filesystem volume mode");
      return;
    }
    Node node = selected != null ? nodes.getStore().getByKey(selected) : leastUsedReadyNode();
    if (node == null) {
      failed(claim, selected != null ? "node \"" + selected + "\" not found" : "no Ready node to provision the volume on");
      return;
    }
    String nodeName = node.getMetadata().getName();
    Map<String, String> nodeAnnotations = node.getMetadata().getAnnotations();
    String dir = nodeAnnotations != null && nodeAnnotations.get(DIR_ANNOTATION) != null
        ? nodeAnnotations.get(DIR_ANNOTATION) : defaultDir;
    Map<String, String> labels = node.getMetadata().getLabels();
    String hostname = labels != null && labels.get(HOSTNAME_LABEL) != null ? labels.get(HOSTNAME_LABEL) : nodeName;
    events().event(EventRecorder.reference(claim), "Normal", "Provisioning",
        "External provisioner is provisioning volume for claim \"" + key(claim) + "\"");
    Quantity size = claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null
        ? null : claim.getSpec().getResources().getRequests().get("storage");
    PersistentVolume pv = new PersistentVolumeBuilder()
        .withNewMetadata().withName(pvName)
          .addToAnnotations(VolumeAnnotations.PROVISIONED_BY, PROVISIONER)
          .addToAnnotations(NODE_ANNOTATION, nodeName)
        .endMetadata()
        .withNewSpec()
          .addToCapacity("storage", size == null ? new Quantity("0") : size)
          .withAccessModes(modes.isEmpty() ? List.of("ReadWriteOnce") : modes)
          .withPersistentVolumeReclaimPolicy(sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy())
          .withStorageClassName(sc.getMetadata().getName())
          .withVolumeMode("Filesystem")
          .withMountOptions(sc.getMountOptions())
          .withNewHostPath(dir + "/" + pvName, "DirectoryOrCreate")
          .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
            .withKey(HOSTNAME_LABEL).withOperator("In").withValues(hostname)
          .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
          .withNewClaimRef().withKind("PersistentVolumeClaim").withApiVersion("v1")
            .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
            .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
          .endClaimRef()
        .endSpec().build();
    try {
      client.persistentVolumes().resource(pv).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      return;
    }
    log.info("provisioned {} for claim {} on node {} at {}", pvName, key(claim), nodeName, dir + "/" + pvName);
    events().event(EventRecorder.reference(claim), "Normal", "ProvisioningSucceeded",
        "Successfully provisioned volume " + pvName);
  }

  private void failed(PersistentVolumeClaim claim, String message) {
    events().event(EventRecorder.reference(claim), "Warning", "ProvisioningFailed",
        "failed to provision volume with StorageClass \"" + VolumeMatching.storageClass(claim) + "\": " + message);
  }

  /** For Immediate classes: a Ready, schedulable node, the one with the fewest local-path volumes. */
  private Node leastUsedReadyNode() {
    Map<String, Long> used = new java.util.HashMap<>();
    for (PersistentVolume v : volumes.getStore().list()) {
      Map<String, String> a = v.getMetadata().getAnnotations();
      if (a != null && a.get(NODE_ANNOTATION) != null) used.merge(a.get(NODE_ANNOTATION), 1L, Long::sum);
    }
    return nodes.getStore().list().stream()
        .filter(n -> !Boolean.TRUE.equals(n.getSpec() == null ? null : n.getSpec().getUnschedulable()) && ready(n))
        .min(Comparator.<Node>comparingLong(n -> used.getOrDefault(n.getMetadata().getName(), 0L))
            .thenComparing(n -> n.getMetadata().getName()))
        .orElse(null);
  }

  private static boolean ready(Node n) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) return false;
    for (NodeCondition c : n.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
    }
    return false;
  }

  /** A Released volume of ours with policy Delete: the volume object goes; its node's kubelet removes the directory. */
  private void reclaim(PersistentVolume v) {
    Map<String, String> a = v.getMetadata().getAnnotations();
    if (a == null || !PROVISIONER.equals(a.get(VolumeAnnotations.PROVISIONED_BY))) return;
    if (v.getMetadata().getDeletionTimestamp() != null) return;
    if (v.getStatus() == null || !"Released".equals(v.getStatus().getPhase())) return;
    if (!"Delete".equals(v.getSpec().getPersistentVolumeReclaimPolicy())) return;
    try {
      client.persistentVolumes().withName(v.getMetadata().getName()).delete();
      log.info("deleted released volume {}", v.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }
}
