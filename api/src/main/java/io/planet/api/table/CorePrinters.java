package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Printers for the core/v1 kinds other than pods, after upstream's printers.go. */
final class CorePrinters {
  private static final String TEMPLATE_NAMES = "Names of each container in the template.";
  private static final String TEMPLATE_IMAGES = "Images referenced by each container in the template.";

  private CorePrinters() {}

  static void register(Map<String, TablePrinter> p) {
    p.put("Pod", new PodPrinter());
    p.put("PodTemplate", podTemplate());
    p.put("ReplicationController", replicationController());
    p.put("Service", service());
    p.put("Endpoints", endpoints());
    p.put("Node", node());
    p.put("Event", event());
    p.put("Namespace", namespace());
    p.put("Secret", secret());
    p.put("ServiceAccount", serviceAccount());
    p.put("PersistentVolume", persistentVolume());
    p.put("PersistentVolumeClaim", persistentVolumeClaim());
    p.put("ConfigMap", configMap());
    p.put("ResourceQuota", resourceQuota());
    p.put("ComponentStatus", componentStatus());
  }

  static TablePrinter podTemplate() {
    return ColumnPrinter.builder().name()
        .column("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(Json.at(o, "template", "spec")))
        .column("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(Json.at(o, "template", "spec")))
        .column("Pod Labels", "string", "The labels for the pod template.",
            o -> Cells.formatLabels(Json.at(o, "template", "metadata", "labels")))
        .build();
  }

  static TablePrinter replicationController() {
    return ColumnPrinter.builder().name()
        .column("Desired", "integer", SwaggerDocs.of("V1ReplicationControllerSpec", "replicas"),
            o -> Cells.num(o, 1, "spec", "replicas"))
        .column("Current", "integer", SwaggerDocs.of("V1ReplicationControllerStatus", "replicas"),
            o -> Cells.num(o, "status", "replicas"))
        .column("Ready", "integer", SwaggerDocs.of("V1ReplicationControllerStatus", "readyReplicas"),
            o -> Cells.num(o, "status", "readyReplicas"))
        .age()
        .wide("Containers", "string", TEMPLATE_NAMES, o -> Cells.containerNames(Json.at(o, "spec", "template", "spec")))
        .wide("Images", "string", TEMPLATE_IMAGES, o -> Cells.containerImages(Json.at(o, "spec", "template", "spec")))
        .wide("Selector", "string", SwaggerDocs.of("V1ReplicationControllerSpec", "selector"),
            o -> Cells.formatLabels(Json.at(o, "spec", "selector")))
        .build();
  }

  static TablePrinter service() {
    return ColumnPrinter.builder().name()
        .column("Type", "string", SwaggerDocs.of("V1ServiceSpec", "type"), o -> Cells.str(o, "spec", "type"))
        .column("Cluster-IP", "string", SwaggerDocs.of("V1ServiceSpec", "clusterIP"), CorePrinters::clusterIP)
        .column("External-IP", "string", SwaggerDocs.of("V1ServiceSpec", "externalIPs"), CorePrinters::externalIP)
        .column("Port(s)", "string", SwaggerDocs.of("V1ServiceSpec", "ports"),
            o -> Cells.orElse(servicePorts(Json.at(o, "spec", "ports")), Cells.NONE))
        .age()
        .wide("Selector", "string", SwaggerDocs.of("V1ServiceSpec", "selector"),
            o -> Cells.formatLabels(Json.at(o, "spec", "selector")))
        .build();
  }

  private static String clusterIP(JsonNode svc) {
    List<JsonNode> ips = Cells.list(svc, "spec", "clusterIPs");
    if (!ips.isEmpty()) return ips.get(0).asText();
    return Cells.orElse(Cells.str(svc, "spec", "clusterIP"), Cells.NONE);
  }

  /** getServiceExternalIP, as printed with Wide (the server always prints wide). */
  static String externalIP(JsonNode svc) {
    List<String> externalIPs = new ArrayList<>();
    Cells.list(svc, "spec", "externalIPs").forEach(ip -> externalIPs.add(ip.asText()));
    switch (Cells.str(svc, "spec", "type")) {
      case "ClusterIP", "NodePort":
        return externalIPs.isEmpty() ? Cells.NONE : String.join(",", externalIPs);
      case "LoadBalancer": {
        String lbIPs = loadBalancerIngress(Json.at(svc, "status", "loadBalancer"));
        if (!externalIPs.isEmpty()) {
          List<String> results = new ArrayList<>();
          if (!lbIPs.isEmpty()) results.addAll(List.of(lbIPs.split(",")));
          results.addAll(externalIPs);
          return String.join(",", results);
        }
        return lbIPs.isEmpty() ? "<pending>" : lbIPs;
      }
      case "ExternalName":
        return Cells.str(svc, "spec", "externalName");
      default:
        return Cells.UNKNOWN;
    }
  }

  /** loadBalancerStatusStringer: the sorted, de-duplicated IPs (or hostnames) of the ingress points. */
  static String loadBalancerIngress(JsonNode lb) {
    TreeSet<String> result = new TreeSet<>();
    for (JsonNode in : Cells.list(lb, "ingress")) {
      if (!Json.str(in, "ip").isEmpty()) {
        result.add(Json.str(in, "ip"));
      } else if (!Json.str(in, "hostname").isEmpty()) {
        result.add(Json.str(in, "hostname"));
      }
    }
    return String.join(",", result);
  }

  /** makePortString: "80/TCP,443:30443/TCP". */
  static String servicePorts(JsonNode ports) {
    List<String> pieces = new ArrayList<>();
    if (ports != null && ports.isArray()) {
      for (JsonNode p : ports) {
        String protocol = Cells.orElse(Json.str(p, "protocol"), "TCP");
        long port = p.path("port").asLong();
        long nodePort = p.path("nodePort").asLong();
        pieces.add(nodePort > 0 ? port + ":" + nodePort + "/" + protocol : port + "/" + protocol);
      }
    }
    return String.join(",", pieces);
  }

  static TablePrinter endpoints() {
    return ColumnPrinter.builder().name()
        .column("Endpoints", "string", SwaggerDocs.of("V1Endpoints", "subsets"), CorePrinters::formatEndpoints)
        .age()
        .build();
  }

  /** formatEndpoints: up to three "ip:port" (or bare IPs for port-less subsets), then " + N more...". */
  static String formatEndpoints(JsonNode ep) {
    List<JsonNode> subsets = Cells.list(ep, "subsets");
    if (subsets.isEmpty()) return Cells.NONE;
    List<String> list = new ArrayList<>();
    int max = 3;
    boolean more = false;
    int count = 0;
    for (JsonNode ss : subsets) {
      List<JsonNode> addresses = Cells.list(ss, "addresses");
      List<JsonNode> ports = Cells.list(ss, "ports");
      if (ports.isEmpty()) {
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.add(Json.str(a, "ip"));
        }
        continue;
      }
      for (JsonNode port : ports) {
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.add(joinHostPort(Json.str(a, "ip"), port.path("port").asLong()));
        }
      }
    }
    String ret = String.join(",", list);
    return more ? ret + " + " + (count - max) + " more..." : ret;
  }

  /** net.JoinHostPort: IPv6 hosts in brackets. */
  static String joinHostPort(String host, long port) {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  static TablePrinter node() {
    return ColumnPrinter.builder().name()
        .column("Status", "string", "The status of the node", CorePrinters::nodeStatus)
        .column("Roles", "string", "The roles of the node",
            o -> Cells.orElse(String.join(",", nodeRoles(o)), Cells.NONE))
        .age()
        .column("Version", "string", SwaggerDocs.of("V1NodeSystemInfo", "kubeletVersion"),
            o -> Cells.str(o, "status", "nodeInfo", "kubeletVersion"))
        .wide("Internal-IP", "string", SwaggerDocs.of("V1NodeStatus", "addresses"), o -> nodeAddress(o, "InternalIP"))
        .wide("External-IP", "string", SwaggerDocs.of("V1NodeStatus", "addresses"), o -> nodeAddress(o, "ExternalIP"))
        .wide("OS-Image", "string", SwaggerDocs.of("V1NodeSystemInfo", "osImage"),
            o -> Cells.orElse(Cells.str(o, "status", "nodeInfo", "osImage"), Cells.UNKNOWN))
        .wide("Kernel-Version", "string", SwaggerDocs.of("V1NodeSystemInfo", "kernelVersion"),
            o -> Cells.orElse(Cells.str(o, "status", "nodeInfo", "kernelVersion"), Cells.UNKNOWN))
        .wide("Container-Runtime", "string", SwaggerDocs.of("V1NodeSystemInfo", "containerRuntimeVersion"),
            o -> Cells.orElse(Cells.str(o, "status", "nodeInfo", "containerRuntimeVersion"), Cells.UNKNOWN))
        .build();
  }

  /** "Ready", "NotReady" or "Unknown" from the Ready condition, plus ",SchedulingDisabled" when cordoned. */
  static String nodeStatus(JsonNode node) {
    List<String> status = new ArrayList<>();
    String ready = Cells.conditionStatus(node, "Ready");
    if (ready != null) status.add("True".equals(ready) ? "Ready" : "NotReady");
    if (status.isEmpty()) status.add("Unknown");
    if (node.path("spec").path("unschedulable").asBoolean(false)) status.add("SchedulingDisabled");
    return String.join(",", status);
  }

  /** findNodeRoles: node-role.kubernetes.io/&lt;role&gt; labels and the kubernetes.io/role label, sorted. */
  static List<String> nodeRoles(JsonNode node) {
    TreeSet<String> roles = new TreeSet<>();
    Meta.labels(node).forEach((k, v) -> {
      if (k.startsWith("node-role.kubernetes.io/")) {
        String role = k.substring("node-role.kubernetes.io/".length());
        if (!role.isEmpty()) roles.add(role);
      } else if (k.equals("kubernetes.io/role") && !v.isEmpty()) {
        roles.add(v);
      }
    });
    return new ArrayList<>(roles);
  }

  private static String nodeAddress(JsonNode node, String type) {
    for (JsonNode a : Cells.list(node, "status", "addresses")) {
      if (type.equals(Json.str(a, "type"))) return Json.str(a, "address");
    }
    return Cells.NONE;
  }

  /** Core and events.k8s.io events share upstream's printer (both are the internal Event). */
  static TablePrinter event() {
    return ColumnPrinter.builder()
        .timed("Last Seen", "string", SwaggerDocs.of("CoreV1Event", "lastTimestamp"),
            (o, now) -> EventView.of(o).lastSeen(now))
        .column("Type", "string", SwaggerDocs.of("CoreV1Event", "type"), o -> Json.str(o, "type"))
        .column("Reason", "string", SwaggerDocs.of("CoreV1Event", "reason"), o -> Json.str(o, "reason"))
        .column("Object", "string", SwaggerDocs.of("CoreV1Event", "involvedObject"), o -> EventView.of(o).target())
        .wide("Subobject", "string", SwaggerDocs.of("V1ObjectReference", "fieldPath"),
            o -> Json.str(EventView.of(o).involvedObject(), "fieldPath"))
        .wide("Source", "string", SwaggerDocs.of("CoreV1Event", "source"), o -> EventView.of(o).source())
        .column("Message", "string", SwaggerDocs.of("CoreV1Event", "message"), o -> EventView.of(o).message().trim())
        .add(new Column("First Seen", "string", "", SwaggerDocs.of("CoreV1Event", "firstTimestamp"), 1,
            (o, now) -> EventView.of(o).firstSeen(now)))
        .wide("Count", "string", SwaggerDocs.of("CoreV1Event", "count"), o -> EventView.of(o).count())
        .add(new Column("Name", "string", "name", SwaggerDocs.meta("name"), 1, (o, now) -> Meta.name(o)))
        .build();
  }

  static TablePrinter namespace() {
    return ColumnPrinter.builder().name()
        .column("Status", "string", "The status of the namespace", o -> Cells.str(o, "status", "phase"))
        .age()
        .build();
  }

  static TablePrinter secret() {
    return ColumnPrinter.builder().name()
        .column("Type", "string", SwaggerDocs.of("V1Secret", "type"), o -> Json.str(o, "type"))
        .column("Data", "string", SwaggerDocs.of("V1Secret", "data"), o -> (long) Cells.size(o, "data"))
        .age()
        .build();
  }

  static TablePrinter serviceAccount() {
    return ColumnPrinter.builder().name()
        .column("Secrets", "string", SwaggerDocs.of("V1ServiceAccount", "secrets"), o -> (long) Cells.size(o, "secrets"))
        .age()
        .build();
  }

  static TablePrinter persistentVolume() {
    return ColumnPrinter.builder().name()
        .column("Capacity", "string", SwaggerDocs.of("V1PersistentVolumeSpec", "capacity"),
            o -> Cells.orElse(Cells.str(o, "spec", "capacity", "storage"), "0"))
        .column("Access Modes", "string", SwaggerDocs.of("V1PersistentVolumeSpec", "accessModes"),
            o -> Cells.accessModes(Json.at(o, "spec", "accessModes")))
        .column("Reclaim Policy", "string", SwaggerDocs.of("V1PersistentVolumeSpec", "persistentVolumeReclaimPolicy"),
            o -> Cells.str(o, "spec", "persistentVolumeReclaimPolicy"))
        .column("Status", "string", SwaggerDocs.of("V1PersistentVolumeStatus", "phase"),
            o -> Meta.isDeleting(o) ? "Terminating" : Cells.str(o, "status", "phase"))
        .column("Claim", "string", SwaggerDocs.of("V1PersistentVolumeSpec", "claimRef"), o -> {
          JsonNode ref = Json.at(o, "spec", "claimRef");
          return ref == null ? "" : Json.str(ref, "namespace") + "/" + Json.str(ref, "name");
        })
        .column("StorageClass", "string", "StorageClass of the pv", o -> {
          String beta = Meta.annotations(o).get("volume.beta.kubernetes.io/storage-class");
          return beta != null ? beta : Cells.str(o, "spec", "storageClassName");
        })
        .column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv",
            o -> Cells.orElse(Cells.str(o, "spec", "volumeAttributesClassName"), Cells.UNSET))
        .column("Reason", "string", SwaggerDocs.of("V1PersistentVolumeStatus", "reason"),
            o -> Cells.str(o, "status", "reason"))
        .age()
        .wide("VolumeMode", "string", SwaggerDocs.of("V1PersistentVolumeSpec", "volumeMode"),
            o -> Cells.orElse(Cells.str(o, "spec", "volumeMode"), Cells.UNSET))
        .build();
  }

  static TablePrinter persistentVolumeClaim() {
    return ColumnPrinter.builder().name()
        .column("Status", "string", SwaggerDocs.of("V1PersistentVolumeClaimStatus", "phase"),
            o -> Meta.isDeleting(o) ? "Terminating" : Cells.str(o, "status", "phase"))
        .column("Volume", "string", SwaggerDocs.of("V1PersistentVolumeClaimSpec", "volumeName"),
            o -> Cells.str(o, "spec", "volumeName"))
        .column("Capacity", "string", SwaggerDocs.of("V1PersistentVolumeClaimStatus", "capacity"),
            o -> Cells.str(o, "spec", "volumeName").isEmpty() ? ""
                : Cells.orElse(Cells.str(o, "status", "capacity", "storage"), "0"))
        .column("Access Modes", "string", SwaggerDocs.of("V1PersistentVolumeClaimStatus", "accessModes"),
            o -> Cells.str(o, "spec", "volumeName").isEmpty() ? ""
                : Cells.accessModes(Json.at(o, "status", "accessModes")))
        .column("StorageClass", "string", "StorageClass of the pvc", o -> {
          String beta = Meta.annotations(o).get("volume.beta.kubernetes.io/storage-class");
          return beta != null ? beta : Cells.str(o, "spec", "storageClassName");
        })
        .column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc",
            o -> Cells.orElse(Cells.str(o, "spec", "volumeAttributesClassName"), Cells.UNSET))
        .age()
        .wide("VolumeMode", "string", SwaggerDocs.of("V1PersistentVolumeClaimSpec", "volumeMode"),
            o -> Cells.orElse(Cells.str(o, "spec", "volumeMode"), Cells.UNSET))
        .build();
  }

  static TablePrinter configMap() {
    return ColumnPrinter.builder().name()
        .column("Data", "string", SwaggerDocs.of("V1ConfigMap", "data"),
            o -> (long) (Cells.size(o, "data") + Cells.size(o, "binaryData")))
        .age()
        .build();
  }

  static TablePrinter resourceQuota() {
    return ColumnPrinter.builder().name()
        .column("Request", "string",
            "Request represents a minimum amount of cpu/memory that a container may consume.",
            o -> quotaColumn(o, false))
        .column("Limit", "string",
            "Limits control the maximum amount of cpu/memory that a container may use independent of contention "
                + "on the node.",
            o -> quotaColumn(o, true))
        .age()
        .build();
  }

  /** "resource: used/hard, ..." sorted by resource name; "limits.*" resources go to the Limit column. */
  private static String quotaColumn(JsonNode quota, boolean limits) {
    Map<String, String> hard = new TreeMap<>(Meta.stringMap(Json.at(quota, "status", "hard")));
    Map<String, String> used = Meta.stringMap(Json.at(quota, "status", "used"));
    List<String> parts = new ArrayList<>();
    hard.forEach((resource, h) -> {
      String[] pieces = resource.split("\\.");
      boolean isLimit = pieces.length > 1 && pieces[0].equals("limits");
      if (isLimit == limits) parts.add(resource + ": " + used.getOrDefault(resource, "0") + "/" + h);
    });
    return String.join(", ", parts);
  }

  static TablePrinter componentStatus() {
    return ColumnPrinter.builder().name()
        .column("Status", "string", "Status of the component conditions", o -> componentCondition(o, "status"))
        .column("Message", "string", "Message of the component conditions", o -> componentCondition(o, "message"))
        .column("Error", "string", "Error of the component conditions", o -> componentCondition(o, "error"))
        .build();
  }

  private static String componentCondition(JsonNode cs, String field) {
    for (JsonNode c : Cells.list(cs, "conditions")) {
      if ("Healthy".equals(Json.str(c, "type"))) {
        if (field.equals("status")) return "True".equals(Json.str(c, "status")) ? "Healthy" : "Unhealthy";
        return Json.str(c, field);
      }
    }
    return field.equals("status") ? "Unknown" : "";
  }
}
