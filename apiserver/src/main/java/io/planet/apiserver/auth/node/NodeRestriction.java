package io.planet.apiserver.auth.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.apiserver.auth.UserInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The NodeRestriction admission plugin (upstream's plugin/pkg/admission/noderestriction): a node's credentials may
 * create only mirror pods bound to itself and delete, evict or update the status of only pods bound to it; create and
 * modify only its own Node object, without touching its taints, its configSource or labels outside the kubelet's
 * set; use only its own Lease (and CSINode); update only the status of persistent volume claims; request service
 * account tokens only bound to its pods. Requests by anyone else pass untouched. Refusals are 403 Forbidden with
 * upstream's messages ({@code nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"}).
 */
public final class NodeRestriction {
  public static final String CREATE = "CREATE";
  public static final String UPDATE = "UPDATE";
  public static final String DELETE = "DELETE";
  public static final String NODE_RESTRICTION_LABEL_NAMESPACE = "node-restriction.kubernetes.io";

  /** Labels a kubelet may set on its own Node (upstream's kubeletapis.KubeletLabels). */
  private static final Set<String> KUBELET_LABELS = Set.of("kubernetes.io/hostname", "kubernetes.io/os",
      "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch", "topology.kubernetes.io/zone",
      "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
      "failure-domain.beta.kubernetes.io/region", "node.kubernetes.io/instance-type",
      "beta.kubernetes.io/instance-type");
  /** Label namespaces a kubelet may set (upstream's kubeletapis.KubeletLabelNamespaces). */
  private static final List<String> KUBELET_LABEL_NAMESPACES = List.of("kubelet.kubernetes.io", "node.kubernetes.io");

  private final BiFunction<String, String, ObjectNode> pods;
  private final Function<String, ObjectNode> nodes;

  /**
   * @param pods the current pod of a namespace and name, null when there is none
   * @param nodes the current Node of a name, null when there is none
   */
  public NodeRestriction(BiFunction<String, String, ObjectNode> pods, Function<String, ObjectNode> nodes) {
    this.pods = pods;
    this.nodes = nodes;
  }

  /** Whether the plugin has anything to say about a group/resource (nodes' requests elsewhere always pass). */
  public static boolean restricts(String group, String resource) {
    return switch (group + "/" + resource) {
      case "/pods", "/nodes", "/persistentvolumeclaims", "/serviceaccounts", "coordination.k8s.io/leases",
          "storage.k8s.io/csinodes" -> true;
      default -> false;
    };
  }

  /**
   * Admits a write, or throws the 403 (404 when the pod it is about is gone).
   *
   * @param operation CREATE, UPDATE or DELETE (upstream's admission operations; CONNECT is not restricted)
   * @param name the object's name ("" on create: it is taken from {@code obj})
   * @param obj the object as written (the Eviction or TokenRequest for those subresources); null on delete
   * @param old the object before an update or delete; null on create
   */
  public void admit(UserInfo user, String operation, String group, String resource, String subresource,
      String namespace, String name, ObjectNode obj, ObjectNode old) {
    NodeIdentity id = NodeIdentity.of(user);
    if (!id.isNode()) return;
    Request r = new Request(id.nodeName(), operation, group, resource, subresource == null ? "" : subresource,
        namespace == null ? "" : namespace, name == null ? "" : name, obj, old);
    if (r.node.isEmpty()) throw r.forbidden("could not determine node from user \"" + user.name() + "\"");
    switch (group + "/" + resource) {
      case "/pods" -> {
        switch (r.subresource) {
          case "" -> admitPod(r);
          case "status" -> admitPodStatus(r);
          case "eviction" -> admitPodEviction(r);
          default -> throw r.forbidden("unexpected pod subresource \"" + r.subresource
              + "\", only 'status' and 'eviction' are allowed");
        }
      }
      case "/nodes" -> admitNode(r);
      case "/persistentvolumeclaims" -> {
        if (!r.subresource.equals("status")) throw r.forbidden("may only update PVC status");
        admitPvcStatus(r);
      }
      case "/serviceaccounts" -> admitServiceAccount(r);
      case "coordination.k8s.io/leases" -> admitLease(r);
      case "storage.k8s.io/csinodes" -> admitCsiNode(r);
      default -> {
        // not restricted
      }
    }
  }

  /** One admission request and the Forbidden error it gets (upstream's admission.NewForbidden). */
  private record Request(String node, String operation, String group, String resource, String subresource,
      String namespace, String name, ObjectNode obj, ObjectNode old) {
    ApiException forbidden(String why) {
      String n = !name.isEmpty() ? name : obj != null ? Meta.name(obj) : "";
      return ApiException.forbidden(group, resource, n, why);
    }
  }

  // ---- pods

  private void admitPod(Request r) {
    switch (r.operation) {
      case CREATE -> admitPodCreate(r);
      case DELETE -> {
        ObjectNode existing = pod(r.namespace, r.name);
        if (!nodeName(existing).equals(r.node)) {
          throw r.forbidden("node \"" + r.node + "\" can only delete pods with spec.nodeName set to itself");
        }
      }
      default -> throw r.forbidden("unexpected operation \"" + r.operation + "\", node \"" + r.node
          + "\" can only create and delete mirror pods");
    }
  }

  private void admitPodCreate(Request r) {
    ObjectNode pod = r.obj;
    String node = "\"" + r.node + "\"";
    if (!PodReferences.isMirrorPod(pod)) {
      throw r.forbidden("pod does not have \"" + PodReferences.MIRROR_ANNOTATION + "\" annotation, node " + node
          + " can only create mirror pods");
    }
    if (!nodeName(pod).equals(r.node)) {
      throw r.forbidden("node " + node + " can only create pods with spec.nodeName set to itself");
    }
    JsonNode owners = pod.path("metadata").path("ownerReferences");
    if (owners.size() > 1) {
      throw r.forbidden("node " + node + " can only create pods with a single owner reference set to itself");
    }
    if (owners.size() == 0) {
      throw r.forbidden("node " + node + " can only create pods with an owner reference set to itself");
    }
    JsonNode owner = owners.get(0);
    if (!owner.path("apiVersion").asText("").equals("v1") || !owner.path("kind").asText("").equals("Node")
        || !owner.path("name").asText("").equals(r.node)) {
      throw r.forbidden("node " + node + " can only create pods with an owner reference set to itself");
    }
    if (!owner.path("controller").asBoolean(false)) {
      throw r.forbidden("node " + node + " can only create pods with a controller owner reference set to itself");
    }
    if (owner.path("blockOwnerDeletion").asBoolean(false)) {
      throw r.forbidden("node " + node + " must not set blockOwnerDeletion on an owner reference");
    }
    ObjectNode self = nodes.apply(r.node);
    if (self == null) throw ApiException.notFound("", "nodes", r.node);
    String ownerUid = owner.path("uid").asText("");
    if (!ownerUid.equals(Meta.uid(self))) {
      throw r.forbidden("node " + r.node + " UID mismatch: expected " + ownerUid + " got " + Meta.uid(self));
    }
    // a node must not grant itself access to other objects by creating a pod that names them
    PodReferences refs = PodReferences.of(pod);
    if (!pod.path("spec").path("serviceAccountName").asText("").isEmpty()) {
      throw r.forbidden("node " + node + " can not create pods that reference a service account");
    }
    if (!refs.secrets().isEmpty()) throw r.forbidden("node " + node + " can not create pods that reference secrets");
    if (!refs.configMaps().isEmpty()) {
      throw r.forbidden("node " + node + " can not create pods that reference configmaps");
    }
    for (JsonNode v : pod.path("spec").path("volumes")) {
      for (JsonNode src : v.path("projected").path("sources")) {
        if (src.has("clusterTrustBundle")) {
          throw r.forbidden("node " + node + " can not create pods that reference clustertrustbundles");
        }
      }
    }
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.has("persistentVolumeClaim")) {
        throw r.forbidden("node " + node + " can not create pods that reference persistentvolumeclaims");
      }
    }
  }

  private void admitPodStatus(Request r) {
    if (!r.operation.equals(UPDATE)) throw r.forbidden("unexpected operation \"" + r.operation + "\"");
    if (!nodeName(r.old).equals(r.node)) {
      throw r.forbidden("node \"" + r.node + "\" can only update pod status for pods with spec.nodeName set to itself");
    }
    if (!Meta.labels(r.old).equals(Meta.labels(r.obj))) {
      throw r.forbidden("node \"" + r.node + "\" cannot update labels through pod status");
    }
    if (!claimStatuses(r.old).equals(claimStatuses(r.obj))) {
      throw r.forbidden("node \"" + r.node + "\" cannot update resource claim statues");
    }
  }

  /** status.resourceClaimStatuses as (name, claim name) pairs in order. */
  private static List<String> claimStatuses(JsonNode pod) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : pod.path("status").path("resourceClaimStatuses")) {
      out.add(s.path("name").asText("") + "=" + (s.hasNonNull("resourceClaimName") ? s.get("resourceClaimName").asText()
          : "<nil>"));
    }
    return out;
  }

  private void admitPodEviction(Request r) {
    if (!r.operation.equals(CREATE)) throw r.forbidden("unexpected operation " + r.operation);
    // the pod named by the request wins over the one in the Eviction body
    String podName = r.name;
    if (podName.isEmpty()) {
      podName = r.obj == null ? "" : Meta.name(r.obj);
      if (podName.isEmpty()) throw r.forbidden("could not determine pod from request data");
    }
    ObjectNode existing = pod(r.namespace, podName);
    if (!nodeName(existing).equals(r.node)) {
      throw r.forbidden("node " + r.node + " can only evict pods with spec.nodeName set to itself");
    }
  }

  private ObjectNode pod(String namespace, String name) {
    ObjectNode p = pods.apply(namespace, name);
    if (p == null) throw ApiException.notFound("", "pods", name);
    return p;
  }

  private static String nodeName(JsonNode pod) {
    return pod == null ? "" : pod.path("spec").path("nodeName").asText("");
  }

  // ---- nodes

  private void admitNode(Request r) {
    String requested = r.name.isEmpty() && r.obj != null ? Meta.name(r.obj) : r.name;
    if (!requested.equals(r.node)) {
      throw r.forbidden("node \"" + r.node + "\" is not allowed to modify node \"" + requested + "\"");
    }
    String node = "\"" + r.node + "\"";
    if (r.operation.equals(CREATE)) {
      if (present(r.obj.path("spec").get("configSource"))) {
        throw r.forbidden("node " + node + " is not allowed to create pods with a non-nil configSource");
      }
      Set<String> forbidden = forbiddenLabels(modifiedLabels(Meta.labels(r.obj), Map.of()));
      if (!forbidden.isEmpty()) {
        throw r.forbidden("node " + node + " is not allowed to set the following labels: "
            + String.join(", ", forbidden));
      }
    }
    if (r.operation.equals(UPDATE)) {
      JsonNode configSource = r.obj.path("spec").get("configSource");
      if (present(configSource) && !configSource.equals(r.old.path("spec").get("configSource"))) {
        throw r.forbidden("node " + node + " is not allowed to update configSource to a new non-nil configSource");
      }
      if (!sameList(r.obj.path("spec").get("taints"), r.old.path("spec").get("taints"))) {
        throw r.forbidden("node " + node + " is not allowed to modify taints");
      }
      Set<String> forbidden = forbiddenLabels(modifiedLabels(Meta.labels(r.obj), Meta.labels(r.old)));
      if (!forbidden.isEmpty()) throw r.forbidden("is not allowed to modify labels: " + String.join(", ", forbidden));
    }
  }

  /** Label keys added, removed or changed between two label maps. */
  static Set<String> modifiedLabels(Map<String, String> a, Map<String, String> b) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, String> e : a.entrySet()) if (!e.getValue().equals(b.get(e.getKey()))) out.add(e.getKey());
    for (Map.Entry<String, String> e : b.entrySet()) if (!e.getValue().equals(a.get(e.getKey()))) out.add(e.getKey());
    return out;
  }

  /** The labels a kubelet may not add, remove or change, sorted (upstream's getForbiddenLabels). */
  static Set<String> forbiddenLabels(Set<String> modified) {
    Set<String> out = new TreeSet<>();
    for (String label : modified) {
      String ns = labelNamespace(label);
      if (ns.equals(NODE_RESTRICTION_LABEL_NAMESPACE) || ns.endsWith("." + NODE_RESTRICTION_LABEL_NAMESPACE)) {
        out.add(label);
      }
      if (isKubernetesLabel(ns) && !isKubeletLabel(label, ns)) out.add(label);
    }
    return out;
  }

  private static boolean isKubernetesLabel(String ns) {
    return ns.equals("kubernetes.io") || ns.endsWith(".kubernetes.io") || ns.equals("k8s.io") || ns.endsWith(".k8s.io");
  }

  private static boolean isKubeletLabel(String label, String ns) {
    if (KUBELET_LABELS.contains(label)) return true;
    for (String allowed : KUBELET_LABEL_NAMESPACES) if (ns.equals(allowed) || ns.endsWith("." + allowed)) return true;
    return false;
  }

  private static String labelNamespace(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  /** Go's semantic equality of slices: a missing, null and empty list are the same. */
  private static boolean sameList(JsonNode a, JsonNode b) {
    boolean emptyA = !present(a) || a.size() == 0;
    boolean emptyB = !present(b) || b.size() == 0;
    if (emptyA || emptyB) return emptyA && emptyB;
    return a.equals(b);
  }

  // ---- persistent volume claims

  /** Fields of a claim a node may change through its status (with RecoverVolumeExpansionFailure, on since 1.32). */
  private static final List<String> PVC_STATUS_FIELDS =
      List.of("capacity", "conditions", "allocatedResources", "allocatedResourceStatuses");

  private void admitPvcStatus(Request r) {
    if (!r.operation.equals(UPDATE)) throw r.forbidden("unexpected operation \"" + r.operation + "\"");
    ObjectNode before = comparable(r.old);
    ObjectNode after = comparable(r.obj);
    if (!before.equals(after)) {
      throw r.forbidden("node \"" + r.node + "\" is not allowed to update fields other than status.capacity and "
          + "status.conditions: " + String.join(", ", differences("", before, after)));
    }
  }

  private static ObjectNode comparable(ObjectNode pvc) {
    ObjectNode c = pvc.deepCopy();
    c.remove("apiVersion");
    c.remove("kind");
    ObjectNode meta = Meta.meta(c);
    meta.remove("resourceVersion");
    meta.remove("managedFields");
    if (c.path("status").isObject()) {
      ObjectNode status = (ObjectNode) c.get("status");
      for (String f : PVC_STATUS_FIELDS) status.remove(f);
      if (status.isEmpty()) c.remove("status");
    }
    return c;
  }

  /** The paths where two objects differ (standing in for the diff upstream prints). */
  private static List<String> differences(String path, JsonNode a, JsonNode b) {
    List<String> out = new ArrayList<>();
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) out.addAll(differences(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k)));
    } else if (!Objects.equals(a, b)) {
      out.add(path);
    }
    return out;
  }

  // ---- service account tokens, leases, CSINodes

  private void admitServiceAccount(Request r) {
    if (!r.operation.equals(CREATE) || !r.subresource.equals("token")) return;
    JsonNode ref = r.obj == null ? null : r.obj.path("spec").get("boundObjectRef");
    if (ref == null || !ref.isObject() || !ref.path("apiVersion").asText("").equals("v1")
        || !ref.path("kind").asText("").equals("Pod") || ref.path("name").asText("").isEmpty()) {
      throw r.forbidden("node requested token not bound to a pod");
    }
    String uid = ref.path("uid").asText("");
    if (uid.isEmpty()) throw r.forbidden("node requested token with a pod binding without a uid");
    ObjectNode pod = pod(r.namespace, ref.path("name").asText());
    if (!uid.equals(Meta.uid(pod))) {
      throw r.forbidden("the UID in the bound object reference (" + uid + ") does not match the UID in record. "
          + "The object might have been deleted and then recreated");
    }
    if (!nodeName(pod).equals(r.node)) {
      throw r.forbidden("node requested token bound to a pod scheduled on a different node");
    }
  }

  private void admitLease(Request r) {
    if (!r.namespace.equals(NodeAuthorizer.NODE_LEASE_NAMESPACE)) {
      throw r.forbidden("can only access leases in the \"" + NodeAuthorizer.NODE_LEASE_NAMESPACE
          + "\" system namespace");
    }
    String leaseName = r.operation.equals(CREATE) && r.obj != null ? Meta.name(r.obj) : r.name;
    if (!leaseName.equals(r.node)) {
      throw r.forbidden("can only access node lease with the same name as the requesting node");
    }
  }

  private void admitCsiNode(Request r) {
    String csiName = r.operation.equals(CREATE) && r.obj != null ? Meta.name(r.obj) : r.name;
    if (!csiName.equals(r.node)) {
      throw r.forbidden("can only access CSINode with the same name as the requesting node");
    }
  }
}
