package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Printers for coordination, discovery, rbac, networking, storage, scheduling, node, admissionregistration and
 * certificates kinds, after upstream's printers.go.
 */
final class ClusterPrinters {
  private ClusterPrinters() {}

  static void register(Map<String, TablePrinter> p) {
    p.put("coordination.k8s.io/Lease", lease());
    p.put("discovery.k8s.io/EndpointSlice", endpointSlice());
    p.put("rbac.authorization.k8s.io/RoleBinding", roleBinding("roleBinding"));
    p.put("rbac.authorization.k8s.io/ClusterRoleBinding", roleBinding("clusterRoleBinding"));
    p.put("networking.k8s.io/Ingress", ingress());
    p.put("networking.k8s.io/IngressClass", ingressClass());
    p.put("networking.k8s.io/NetworkPolicy", networkPolicy());
    p.put("storage.k8s.io/StorageClass", storageClass());
    p.put("storage.k8s.io/VolumeAttachment", volumeAttachment());
    p.put("storage.k8s.io/CSINode", csiNode());
    p.put("storage.k8s.io/CSIDriver", csiDriver());
    p.put("storage.k8s.io/CSIStorageCapacity", csiStorageCapacity());
    p.put("scheduling.k8s.io/PriorityClass", priorityClass());
    p.put("node.k8s.io/RuntimeClass", runtimeClass());
    p.put("admissionregistration.k8s.io/MutatingWebhookConfiguration", webhookConfiguration());
    p.put("admissionregistration.k8s.io/ValidatingWebhookConfiguration", webhookConfiguration());
    p.put("certificates.k8s.io/CertificateSigningRequest", certificateSigningRequest());
    p.put("apiregistration.k8s.io/APIService", apiService());
  }

  /** kube-aggregator's APIService table: the backing service ("Local" when served in-process) and availability. */
  static TablePrinter apiService() {
    return ColumnPrinter.builder().name()
        .column("Service", "string", "The reference to the service that hosts this API endpoint.", o -> {
          JsonNode svc = o.path("spec").path("service");
          if (!svc.isObject()) return "Local";
          return svc.path("namespace").asText() + "/" + svc.path("name").asText();
        })
        .column("Available", "string", "Whether this service is available.", ClusterPrinters::apiServiceAvailable)
        .age()
        .build();
  }

  static String apiServiceAvailable(JsonNode apiService) {
    for (JsonNode c : Cells.list(apiService, "status", "conditions")) {
      if (!c.path("type").asText().equals("Available")) continue;
      String status = c.path("status").asText();
      String reason = c.path("reason").asText();
      return status.equals("True") || reason.isEmpty() ? status : status + " (" + reason + ")";
    }
    return "Unknown";
  }

  static TablePrinter lease() {
    return ColumnPrinter.builder().name()
        .column("Holder", "string", SwaggerDocs.of("V1LeaseSpec", "holderIdentity"),
            o -> Cells.str(o, "spec", "holderIdentity"))
        .age()
        .build();
  }

  static TablePrinter endpointSlice() {
    return ColumnPrinter.builder().name()
        .column("AddressType", "string", SwaggerDocs.of("V1EndpointSlice", "addressType"), o -> Json.str(o, "addressType"))
        .column("Ports", "string", SwaggerDocs.of("V1EndpointSlice", "ports"), ClusterPrinters::discoveryPorts)
        .column("Endpoints", "string", SwaggerDocs.of("V1EndpointSlice", "endpoints"),
            ClusterPrinters::discoveryEndpoints)
        .age()
        .build();
  }

  /** formatDiscoveryPorts: port numbers (the name, or "*" when unset), at most three shown. */
  static String discoveryPorts(JsonNode slice) {
    List<String> list = new ArrayList<>();
    for (JsonNode port : Cells.list(slice, "ports")) {
      if (port.hasNonNull("port")) {
        list.add(Long.toString(port.get("port").asLong()));
      } else if (port.hasNonNull("name")) {
        list.add(port.get("name").asText());
      } else {
        list.add("*");
      }
    }
    return Cells.listWithMore(list, 3);
  }

  static String discoveryEndpoints(JsonNode slice) {
    List<String> list = new ArrayList<>();
    for (JsonNode ep : Cells.list(slice, "endpoints")) {
      for (JsonNode address : Cells.list(ep, "addresses")) list.add(address.asText());
    }
    return Cells.listWithMore(list, 3);
  }

  static TablePrinter roleBinding(String what) {
    return ColumnPrinter.builder().name()
        .column("Role", "string", SwaggerDocs.of("V1RoleBinding", "roleRef"),
            o -> Cells.str(o, "roleRef", "kind") + "/" + Cells.str(o, "roleRef", "name"))
        .age()
        .wide("Users", "string", "Users in the " + what, o -> subjects(o, "User"))
        .wide("Groups", "string", "Groups in the " + what, o -> subjects(o, "Group"))
        .wide("ServiceAccounts", "string", "ServiceAccounts in the " + what, o -> subjects(o, "ServiceAccount"))
        .build();
  }

  /** rbac.SubjectsStrings: names of one kind of subject, service accounts as "namespace/name". */
  static String subjects(JsonNode binding, String kind) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : Cells.list(binding, "subjects")) {
      if (!kind.equals(Json.str(s, "kind"))) continue;
      out.add(kind.equals("ServiceAccount") ? Json.str(s, "namespace") + "/" + Json.str(s, "name")
          : Json.str(s, "name"));
    }
    return String.join(", ", out);
  }

  static TablePrinter ingress() {
    return ColumnPrinter.builder().name()
        .column("Class", "string", "The name of the IngressClass resource that should be used for additional "
            + "configuration", o -> Json.at(o, "spec", "ingressClassName") == null ? Cells.NONE
                : Cells.str(o, "spec", "ingressClassName"))
        .column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule",
            ClusterPrinters::ingressHosts)
        .column("Address", "string", "Address is a list containing ingress points for the load-balancer",
            o -> CorePrinters.loadBalancerIngress(Json.at(o, "status", "loadBalancer")))
        .column("Ports", "string", "Ports of TLS configurations that open",
            o -> Cells.size(o, "spec", "tls") != 0 ? "80, 443" : "80")
        .age()
        .build();
  }

  /** formatHosts: up to three rule hosts, "*" when none. */
  static String ingressHosts(JsonNode ingress) {
    List<JsonNode> rules = Cells.list(ingress, "spec", "rules");
    List<String> list = new ArrayList<>();
    int max = 3;
    boolean more = false;
    for (JsonNode rule : rules) {
      if (list.size() == max) more = true;
      if (!more && !Json.str(rule, "host").isEmpty()) list.add(Json.str(rule, "host"));
    }
    if (list.isEmpty()) return "*";
    String ret = String.join(",", list);
    return more ? ret + " + " + (rules.size() - max) + " more..." : ret;
  }

  static TablePrinter ingressClass() {
    return ColumnPrinter.builder().name()
        .column("Controller", "string", "Controller that is responsible for handling this class",
            o -> Cells.str(o, "spec", "controller"))
        .column("Parameters", "string", "A reference to a resource with additional parameters", o -> {
          JsonNode p = Json.at(o, "spec", "parameters");
          if (p == null) return Cells.NONE;
          String s = Json.str(p, "kind");
          if (p.hasNonNull("apiGroup")) s += "." + p.get("apiGroup").asText();
          return s + "/" + Json.str(p, "name");
        })
        .age()
        .build();
  }

  static TablePrinter networkPolicy() {
    return ColumnPrinter.builder().name()
        .column("Pod-Selector", "string", SwaggerDocs.of("V1NetworkPolicySpec", "podSelector"), o -> {
          JsonNode sel = Json.at(o, "spec", "podSelector");
          // podSelector is a value, not a pointer, upstream: an absent one formats like an empty one
          return Cells.formatLabelSelector(sel == null ? Json.object() : sel);
        })
        .age()
        .build();
  }

  static TablePrinter storageClass() {
    return ColumnPrinter.builder()
        .add(new Column("Name", "string", "name", SwaggerDocs.meta("name"), 0, (o, now) -> {
          Map<String, String> a = Meta.annotations(o);
          boolean dflt = "true".equals(a.get("storageclass.kubernetes.io/is-default-class"))
              || "true".equals(a.get("storageclass.beta.kubernetes.io/is-default-class"));
          return dflt ? Meta.name(o) + " (default)" : Meta.name(o);
        }))
        .column("Provisioner", "string", SwaggerDocs.of("V1StorageClass", "provisioner"), o -> Json.str(o, "provisioner"))
        .column("ReclaimPolicy", "string", SwaggerDocs.of("V1StorageClass", "reclaimPolicy"),
            o -> Cells.orElse(Json.str(o, "reclaimPolicy"), "Delete"))
        .column("VolumeBindingMode", "string", SwaggerDocs.of("V1StorageClass", "volumeBindingMode"),
            o -> Cells.orElse(Json.str(o, "volumeBindingMode"), "Immediate"))
        .column("AllowVolumeExpansion", "string", SwaggerDocs.of("V1StorageClass", "allowVolumeExpansion"),
            o -> o.path("allowVolumeExpansion").asBoolean(false))
        .age()
        .build();
  }

  static TablePrinter volumeAttachment() {
    return ColumnPrinter.builder().name()
        .add(new Column("Attacher", "string", "name", SwaggerDocs.of("V1VolumeAttachmentSpec", "attacher"), 0,
            (o, now) -> Cells.str(o, "spec", "attacher")))
        .column("PV", "string", SwaggerDocs.of("V1VolumeAttachmentSource", "persistentVolumeName"),
            o -> Cells.str(o, "spec", "source", "persistentVolumeName"))
        .column("Node", "string", SwaggerDocs.of("V1VolumeAttachmentSpec", "nodeName"),
            o -> Cells.str(o, "spec", "nodeName"))
        .column("Attached", "boolean", SwaggerDocs.of("V1VolumeAttachmentStatus", "attached"),
            o -> o.path("status").path("attached").asBoolean(false))
        .age()
        .build();
  }

  static TablePrinter csiNode() {
    return ColumnPrinter.builder().name()
        .column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node",
            o -> (long) Cells.size(o, "spec", "drivers"))
        .age()
        .build();
  }

  static TablePrinter csiDriver() {
    return ColumnPrinter.builder().name()
        .column("AttachRequired", "boolean", SwaggerDocs.of("V1CSIDriverSpec", "attachRequired"),
            o -> o.path("spec").path("attachRequired").asBoolean(true))
        .column("PodInfoOnMount", "boolean", SwaggerDocs.of("V1CSIDriverSpec", "podInfoOnMount"),
            o -> o.path("spec").path("podInfoOnMount").asBoolean(false))
        .column("StorageCapacity", "boolean", SwaggerDocs.of("V1CSIDriverSpec", "storageCapacity"),
            o -> o.path("spec").path("storageCapacity").asBoolean(false))
        .column("TokenRequests", "string", SwaggerDocs.of("V1CSIDriverSpec", "tokenRequests"), o -> {
          List<String> audiences = new ArrayList<>();
          for (JsonNode t : Cells.list(o, "spec", "tokenRequests")) audiences.add(Json.str(t, "audience"));
          return audiences.isEmpty() ? "<unset>" : String.join(",", audiences);
        })
        .column("RequiresRepublish", "boolean", SwaggerDocs.of("V1CSIDriverSpec", "requiresRepublish"),
            o -> o.path("spec").path("requiresRepublish").asBoolean(false))
        .column("Modes", "string", SwaggerDocs.of("V1CSIDriverSpec", "volumeLifecycleModes"), o -> {
          List<String> modes = new ArrayList<>();
          for (JsonNode m : Cells.list(o, "spec", "volumeLifecycleModes")) modes.add(m.asText());
          return modes.isEmpty() ? Cells.NONE : String.join(",", modes);
        })
        .age()
        .build();
  }

  /** printCSIStorageCapacity: no Age column upstream. */
  static TablePrinter csiStorageCapacity() {
    return ColumnPrinter.builder().name()
        .column("StorageClassName", "string", SwaggerDocs.of("V1CSIStorageCapacity", "storageClassName"),
            o -> Json.str(o, "storageClassName"))
        .column("Capacity", "string", SwaggerDocs.of("V1CSIStorageCapacity", "capacity"),
            o -> o.hasNonNull("capacity") ? o.get("capacity").asText() : "<unset>")
        .build();
  }

  static TablePrinter priorityClass() {
    return ColumnPrinter.builder().name()
        .column("Value", "integer", SwaggerDocs.of("V1PriorityClass", "value"), o -> Cells.num(o, "value"))
        .column("Global-Default", "boolean", SwaggerDocs.of("V1PriorityClass", "globalDefault"),
            o -> o.path("globalDefault").asBoolean(false))
        .age()
        .column("PreemptionPolicy", "string", SwaggerDocs.of("V1PriorityClass", "preemptionPolicy"),
            o -> Json.str(o, "preemptionPolicy"))
        .build();
  }

  static TablePrinter runtimeClass() {
    return ColumnPrinter.builder().name()
        .column("Handler", "string", SwaggerDocs.of("V1RuntimeClass", "handler"), o -> Json.str(o, "handler"))
        .age()
        .build();
  }

  static TablePrinter webhookConfiguration() {
    return ColumnPrinter.builder().name()
        .column("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration",
            o -> (long) Cells.size(o, "webhooks"))
        .age()
        .build();
  }

  static TablePrinter certificateSigningRequest() {
    return ColumnPrinter.builder().name()
        .age()
        .column("SignerName", "string", SwaggerDocs.of("V1CertificateSigningRequestSpec", "signerName"),
            o -> Cells.orElse(Cells.str(o, "spec", "signerName"), Cells.NONE))
        .column("Requestor", "string", SwaggerDocs.of("V1CertificateSigningRequestSpec", "request"),
            o -> Cells.str(o, "spec", "username"))
        .column("RequestedDuration", "string", SwaggerDocs.of("V1CertificateSigningRequestSpec", "expirationSeconds"),
            o -> Json.at(o, "spec", "expirationSeconds") == null ? Cells.NONE
                : Durations.humanDuration(Duration.ofSeconds(Cells.num(o, "spec", "expirationSeconds"))))
        .column("Condition", "string", SwaggerDocs.of("V1CertificateSigningRequestStatus", "conditions"),
            ClusterPrinters::csrCondition)
        .build();
  }

  /** extractCSRStatus: Denied, Approved or Pending, then ",Failed" and ",Issued". */
  static String csrCondition(JsonNode csr) {
    TreeSet<String> types = new TreeSet<>();
    for (JsonNode c : Cells.list(csr, "status", "conditions")) types.add(Json.str(c, "type"));
    String status = types.contains("Denied") ? "Denied" : types.contains("Approved") ? "Approved" : "Pending";
    if (types.contains("Failed")) status += ",Failed";
    if (!Cells.str(csr, "status", "certificate").isEmpty()) status += ",Issued";
    return status;
  }
}
