package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Upstream's NodeRestriction for requests from a kubelet's identity ({@code system:node:<name>} in
 * {@code system:nodes}): it may change only its own Node (not its taints, nor node-restriction.kubernetes.io labels),
 * its own Lease in kube-node-lease, the status of and evictions of pods bound to it, delete such pods, and create only
 * mirror pods bound to itself that reference no other objects. Which objects it may read (upstream's node authorizer
 * graph) is not decided here.
 */
final class NodeRestriction implements AdmissionPlugin {
  static final String NODE_PREFIX = "system:node:";
  static final String NODES_GROUP = "system:nodes";
  private static final Set<String> KUBELET_LABELS = Set.of("kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os",
      "beta.kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
      "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/region",
      "topology.kubernetes.io/zone");
  private static final Set<String> KUBELET_LABEL_NAMESPACES = Set.of("kubelet.kubernetes.io", "node.kubernetes.io");

  @Override
  public String name() {
    return AdmissionPlugins.NODE_RESTRICTION;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.user().inGroup(NODES_GROUP)) return;
    String node = a.user().name().startsWith(NODE_PREFIX) ? a.user().name().substring(NODE_PREFIX.length()) : "";
    if (node.isEmpty()) throw a.forbidden("could not determine node from user \"" + a.user().name() + "\"");
    String group = a.type().group();
    String plural = a.type().plural();
    if (group.isEmpty() && plural.equals("pods")) pod(node, a);
    else if (group.isEmpty() && plural.equals("nodes")) node(node, a);
    else if (group.equals("coordination.k8s.io") && plural.equals("leases")) lease(node, a);
  }

  private static String nodeNameOf(JsonNode pod) {
    return pod == null ? "" : pod.path("spec").path("nodeName").asText("");
  }

  private void pod(String node, AdmissionAttributes a) {
    switch (a.subresource()) {
      case "" -> {
        if (a.operation().equals(AdmissionAttributes.CREATE)) {
          podCreate(node, a);
        } else if (a.operation().equals(AdmissionAttributes.DELETE)) {
          if (!nodeNameOf(a.oldObject()).equals(node)) throw a.forbidden("node \"" + node + "\" can only delete pods with spec.nodeName set to itself");
        } else {
          throw a.forbidden("unexpected operation \"" + a.operation() + "\", node \"" + node + "\" can only create and delete mirror pods");
        }
      }
      case "status" -> {
        if (!nodeNameOf(a.oldObject()).equals(node)) {
          throw a.forbidden("node \"" + node + "\" can only update pod status for pods with spec.nodeName set to itself");
        }
        if (!a.object().path("metadata").path("labels").equals(a.oldObject().path("metadata").path("labels"))) {
          throw a.forbidden("node \"" + node + "\" cannot update labels through pod status");
        }
      }
      case "eviction" -> {
        if (!nodeNameOf(a.oldObject()).equals(node)) throw a.forbidden("node " + node + " can only evict pods with spec.nodeName set to itself");
      }
      default -> throw a.forbidden("unexpected pod subresource \"" + a.subresource() + "\", only 'status' and 'eviction' are allowed");
    }
  }

  private void podCreate(String node, AdmissionAttributes a) {
    JsonNode pod = a.object();
    if (!pod.path("metadata").path("annotations").has(ServiceAccountAdmission.MIRROR)) {
      throw a.forbidden("pod does not have \"" + ServiceAccountAdmission.MIRROR + "\" annotation, node \"" + node + "\" can only create mirror pods");
    }
    if (!nodeNameOf(pod).equals(node)) throw a.forbidden("node \"" + node + "\" can only create pods with spec.nodeName set to itself");
    JsonNode owners = pod.path("metadata").path("ownerReferences");
    if (owners.size() > 1) throw a.forbidden("node \"" + node + "\" can only create pods with a single owner reference set to itself");
    if (owners.size() == 1) {
      JsonNode o = owners.get(0);
      if (!o.path("apiVersion").asText().equals("v1") || !o.path("kind").asText().equals("Node") || !o.path("name").asText().equals(node)) {
        throw a.forbidden("node \"" + node + "\" can only create pods with an owner reference set to itself");
      }
      if (!o.path("controller").asBoolean(false)) {
        throw a.forbidden("node \"" + node + "\" can only create pods with a controller owner reference set to itself");
      }
      if (o.path("blockOwnerDeletion").asBoolean(false)) {
        throw a.forbidden("node \"" + node + "\" must not set blockOwnerDeletion on an owner reference");
      }
    }
    JsonNode spec = pod.path("spec");
    if (!spec.path("serviceAccountName").asText("").isEmpty()) {
      throw a.forbidden("node \"" + node + "\" can not create pods that reference a service account");
    }
    if (references(spec, "secret", "secretKeyRef", "secretRef") || spec.path("imagePullSecrets").size() > 0) {
      throw a.forbidden("node \"" + node + "\" can not create pods that reference secrets");
    }
    if (references(spec, "configMap", "configMapKeyRef", "configMapRef")) {
      throw a.forbidden("node \"" + node + "\" can not create pods that reference configmaps");
    }
    for (JsonNode v : spec.path("volumes")) {
      if (v.has("persistentVolumeClaim")) throw a.forbidden("node \"" + node + "\" can not create pods that reference persistentvolumeclaims");
    }
  }

  /** Whether volumes (also projected sources), env or envFrom of any container name such an object. */
  private static boolean references(JsonNode spec, String volumeField, String envField, String envFromField) {
    for (JsonNode v : spec.path("volumes")) {
      if (v.has(volumeField)) return true;
      for (JsonNode s : v.path("projected").path("sources")) if (s.has(volumeField)) return true;
    }
    for (String f : new String[] {"containers", "initContainers", "ephemeralContainers"}) {
      for (JsonNode c : spec.path(f)) {
        for (JsonNode e : c.path("env")) if (e.path("valueFrom").has(envField)) return true;
        for (JsonNode e : c.path("envFrom")) if (e.has(envFromField)) return true;
      }
    }
    return false;
  }

  private void node(String node, AdmissionAttributes a) {
    if (a.operation().equals(AdmissionAttributes.CREATE)) {
      TreeSet<String> forbidden = new TreeSet<>();
      a.object().path("metadata").path("labels").fieldNames().forEachRemaining(l -> {
        if (restrictionLabel(l)) forbidden.add(l);
      });
      if (!forbidden.isEmpty()) {
        throw a.forbidden("node \"" + node + "\" is not allowed to set the following labels: " + String.join(", ", forbidden));
      }
    }
    if (!a.name().equals(node)) {
      String verb = a.operation().equals(AdmissionAttributes.DELETE) ? "delete" : "modify";
      throw a.forbidden("node \"" + node + "\" is not allowed to " + verb + " node \"" + a.name() + "\"");
    }
    if (!a.operation().equals(AdmissionAttributes.UPDATE)) return;
    if (!a.object().path("spec").path("taints").equals(a.oldObject().path("spec").path("taints"))) {
      throw a.forbidden("node \"" + node + "\" is not allowed to modify taints");
    }
    TreeSet<String> forbidden = new TreeSet<>();
    for (String l : modifiedLabels(a.object().path("metadata").path("labels"), a.oldObject().path("metadata").path("labels"))) {
      if (restrictionLabel(l) || kubernetesLabel(l) && !kubeletLabel(l)) forbidden.add(l);
    }
    if (!forbidden.isEmpty()) throw a.forbidden("is not allowed to modify labels: " + String.join(", ", forbidden));
  }

  private static TreeSet<String> modifiedLabels(JsonNode now, JsonNode before) {
    TreeSet<String> out = new TreeSet<>();
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) now::fields) {
      if (!e.getValue().equals(before.get(e.getKey()))) out.add(e.getKey());
    }
    before.fieldNames().forEachRemaining(k -> {
      if (!now.has(k)) out.add(k);
    });
    return out;
  }

  private static String labelNamespace(String key) {
    int i = key.indexOf('/');
    return i < 0 ? "" : key.substring(0, i);
  }

  private static boolean restrictionLabel(String key) {
    String ns = labelNamespace(key);
    return ns.equals("node-restriction.kubernetes.io") || ns.endsWith(".node-restriction.kubernetes.io");
  }

  private static boolean kubernetesLabel(String key) {
    String ns = labelNamespace(key);
    return ns.equals("kubernetes.io") || ns.endsWith(".kubernetes.io") || ns.equals("k8s.io") || ns.endsWith(".k8s.io");
  }

  private static boolean kubeletLabel(String key) {
    if (KUBELET_LABELS.contains(key)) return true;
    String ns = labelNamespace(key);
    for (String k : KUBELET_LABEL_NAMESPACES) if (ns.equals(k) || ns.endsWith("." + k)) return true;
    return false;
  }

  private void lease(String node, AdmissionAttributes a) {
    if (!a.namespace().equals("kube-node-lease")) throw a.forbidden("can only access leases in the \"kube-node-lease\" namespace");
    if (!a.name().equals(node)) throw a.forbidden("can only access node lease with the same name as the requesting node");
  }
}
