package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * core/v1 Service: SetDefaults_Service, ValidateService(Update), and the clusterIP bookkeeping upstream's service
 * REST does around updates (keep allocated values a client left out, normalize clusterIP/clusterIPs). Allocation of
 * cluster IPs and node ports is the server's.
 */
public final class ServiceStrategy implements ResourceStrategy {
  static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  static final List<String> AFFINITIES = List.of("ClientIP", "None");
  static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
  static final List<String> FAMILY_POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");
  static final List<String> FAMILIES = List.of("IPv4", "IPv6");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "sessionAffinity", "None");
    String affinity = Trees.str(spec, "sessionAffinity");
    if (affinity.equals("None")) spec.remove("sessionAffinityConfig");
    if (affinity.equals("ClientIP")) {
      ObjectNode clientIp = Trees.with(Trees.with(spec, "sessionAffinityConfig"), "clientIP");
      Trees.putIfAbsent(clientIp, "timeoutSeconds", 10800);
    }
    Trees.putIfAbsent(spec, "type", "ClusterIP");
    String t = Trees.str(spec, "type");
    for (ObjectNode p : Trees.items(spec, "ports")) {
      Trees.putIfAbsent(p, "protocol", "TCP");
      JsonNode tp = p.get("targetPort");
      if (tp == null || tp.isNull() || (tp.isNumber() && tp.asLong() == 0) || (tp.isTextual() && tp.asText().isEmpty())) {
        if (p.has("port")) p.set("targetPort", p.get("port").deepCopy());
      }
    }
    boolean externallyAccessible = t.equals("LoadBalancer") || t.equals("NodePort")
        || (t.equals("ClusterIP") && !Trees.isEmpty(spec, "externalIPs"));
    if (externallyAccessible) Trees.putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    if (!spec.hasNonNull("internalTrafficPolicy") && !t.equals("ExternalName")) spec.put("internalTrafficPolicy", "Cluster");
    if (t.equals("LoadBalancer")) Trees.putIfAbsent(spec, "allocateLoadBalancerNodePorts", true);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.set("status", Json.object().set("loadBalancer", Json.object()));
    ObjectNode spec = Trees.with(obj, "spec");
    normalizeClusterIps(spec, null);
    if (!Trees.str(spec, "type").equals("ExternalName")) {
      Trees.putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
      if (Trees.isEmpty(spec, "ipFamilies")) {
        String ip = Trees.str(spec, "clusterIP");
        spec.putArray("ipFamilies").add(ip.contains(":") ? "IPv6" : "IPv4");
      }
    }
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    ObjectNode spec = Trees.with(obj, "spec");
    ObjectNode oldSpec = Trees.obj(old, "spec");
    if (oldSpec == null) return;
    patchAllocatedValues(spec, oldSpec);
    normalizeClusterIps(spec, oldSpec);
    dropTypeDependentFields(spec, oldSpec);
  }

  static boolean needsClusterIp(JsonNode spec) {
    return !Trees.str(spec, "type").equals("ExternalName");
  }

  static boolean needsNodePort(JsonNode spec) {
    String t = Trees.str(spec, "type");
    return t.equals("NodePort") || (t.equals("LoadBalancer") && (!spec.has("allocateLoadBalancerNodePorts") || Trees.bool(spec, "allocateLoadBalancerNodePorts")));
  }

  /** A full update that leaves out allocated values keeps them (upstream's patchAllocatedValues). */
  private static void patchAllocatedValues(ObjectNode spec, ObjectNode oldSpec) {
    if (needsClusterIp(oldSpec) && needsClusterIp(spec)) {
      if (Trees.str(spec, "clusterIP").isEmpty() && Trees.has(oldSpec, "clusterIP")) spec.set("clusterIP", oldSpec.get("clusterIP").deepCopy());
      if (Trees.isEmpty(spec, "clusterIPs") && !Trees.isEmpty(oldSpec, "clusterIPs")) spec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
      if (!spec.hasNonNull("ipFamilyPolicy") && oldSpec.hasNonNull("ipFamilyPolicy")) spec.set("ipFamilyPolicy", oldSpec.get("ipFamilyPolicy").deepCopy());
      if (Trees.isEmpty(spec, "ipFamilies") && !Trees.isEmpty(oldSpec, "ipFamilies")) spec.set("ipFamilies", oldSpec.get("ipFamilies").deepCopy());
    }
    if (needsNodePort(oldSpec) && needsNodePort(spec)) {
      List<ObjectNode> oldPorts = Trees.items(oldSpec, "ports");
      for (ObjectNode p : Trees.items(spec, "ports")) {
        if (Trees.num(p, "nodePort", 0) != 0) continue;
        for (ObjectNode o : oldPorts) {
          if (Trees.num(o, "port", 0) == Trees.num(p, "port", -1) && Trees.str(o, "protocol").equals(Trees.str(p, "protocol"))
              && Trees.num(o, "nodePort", 0) != 0) {
            p.set("nodePort", o.get("nodePort").deepCopy());
            break;
          }
        }
      }
    }
    if (Trees.str(spec, "externalTrafficPolicy").equals("Local") && Trees.num(spec, "healthCheckNodePort", 0) == 0
        && Trees.num(oldSpec, "healthCheckNodePort", 0) != 0) {
      spec.set("healthCheckNodePort", oldSpec.get("healthCheckNodePort").deepCopy());
    }
  }

  /** upstream's normalizeClusterIPs: keeps clusterIP (singular, old clients) and clusterIPs in step. */
  static void normalizeClusterIps(ObjectNode spec, ObjectNode oldSpec) {
    String ip = Trees.str(spec, "clusterIP");
    if (oldSpec == null) {
      if (!ip.isEmpty() && Trees.isEmpty(spec, "clusterIPs")) spec.putArray("clusterIPs").add(ip);
      return;
    }
    String oldIp = Trees.str(oldSpec, "clusterIP");
    if (!Trees.isEmpty(oldSpec, "clusterIPs") && Trees.isEmpty(spec, "clusterIPs") && oldIp.equals(ip)) {
      spec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
    }
    if (!oldIp.equals(ip)) {
      boolean sameIps = Trees.semanticEquals(spec.get("clusterIPs"), oldSpec.get("clusterIPs"));
      if (!oldIp.isEmpty() && ip.isEmpty()) {
        if (sameIps) spec.remove("clusterIPs");
      } else if (sameIps) {
        spec.putArray("clusterIPs").add(ip);
      }
    }
  }

  /** Clears what the old type allocated when the type changes and the client left it unchanged. */
  private static void dropTypeDependentFields(ObjectNode spec, ObjectNode oldSpec) {
    if (Trees.str(spec, "type").equals(Trees.str(oldSpec, "type"))) return;
    if (needsClusterIp(oldSpec) && !needsClusterIp(spec)) {
      if (Trees.str(spec, "clusterIP").equals(Trees.str(oldSpec, "clusterIP"))
          && Trees.semanticEquals(spec.get("clusterIPs"), oldSpec.get("clusterIPs"))) {
        spec.remove("clusterIP");
        spec.remove("clusterIPs");
      }
      if (Trees.semanticEquals(spec.get("ipFamilies"), oldSpec.get("ipFamilies"))) spec.remove("ipFamilies");
      if (Trees.str(spec, "ipFamilyPolicy").equals(Trees.str(oldSpec, "ipFamilyPolicy"))) spec.remove("ipFamilyPolicy");
    }
    if (needsNodePort(oldSpec) && !needsNodePort(spec)) {
      List<ObjectNode> oldPorts = Trees.items(oldSpec, "ports");
      List<ObjectNode> ports = Trees.items(spec, "ports");
      for (int i = 0; i < ports.size(); i++) {
        if (i < oldPorts.size() && Trees.num(ports.get(i), "nodePort", 0) == Trees.num(oldPorts.get(i), "nodePort", 0)) {
          ports.get(i).remove("nodePort");
        }
      }
    }
    String t = Trees.str(spec, "type");
    if (!t.equals("NodePort") && !t.equals("LoadBalancer") && Trees.isEmpty(spec, "externalIPs")
        && Trees.str(spec, "externalTrafficPolicy").equals(Trees.str(oldSpec, "externalTrafficPolicy"))) {
      spec.remove("externalTrafficPolicy");
    }
    if (!t.equals("LoadBalancer")) {
      if (Trees.num(spec, "healthCheckNodePort", 0) == Trees.num(oldSpec, "healthCheckNodePort", 0)) spec.remove("healthCheckNodePort");
      if (spec.has("allocateLoadBalancerNodePorts") && Trees.bool(spec, "allocateLoadBalancerNodePorts") == Trees.bool(oldSpec, "allocateLoadBalancerNodePorts")) {
        spec.remove("allocateLoadBalancerNodePorts");
      }
      if (Trees.str(spec, "loadBalancerClass").equals(Trees.str(oldSpec, "loadBalancerClass"))) spec.remove("loadBalancerClass");
    }
    if (!t.equals("ExternalName") && Trees.str(spec, "externalName").equals(Trees.str(oldSpec, "externalName"))) {
      spec.remove("externalName");
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    if (spec == null) spec = Json.object();
    String t = Trees.str(spec, "type");
    String clusterIp = Trees.str(spec, "clusterIP");
    boolean headless = clusterIp.equals("None");
    List<ObjectNode> ports = Trees.items(spec, "ports");
    if (t.isEmpty()) errors.add(Errors.required("spec.type"));
    else if (!TYPES.contains(t)) errors.add(Errors.notSupported("spec.type", t, TYPES));
    if (t.equals("ExternalName")) {
      if (!clusterIp.isEmpty()) errors.add(Errors.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
      String en = Trees.str(spec, "externalName");
      if (en.isEmpty()) errors.add(Errors.required("spec.externalName"));
      else {
        String trimmed = en.endsWith(".") ? en.substring(0, en.length() - 1) : en;
        for (String m : Names.dns1123Subdomain(trimmed)) errors.add(Errors.invalid("spec.externalName", en, m));
      }
    } else if (ports.isEmpty() && !headless) {
      errors.add(Errors.required("spec.ports"));
    }
    validatePorts(spec, ports, t, errors);
    MetadataValidation.validateLabels(Trees.obj(spec, "selector"), "spec.selector", errors);
    String affinity = Trees.str(spec, "sessionAffinity");
    if (affinity.isEmpty()) errors.add(Errors.required("spec.sessionAffinity"));
    else if (!AFFINITIES.contains(affinity)) errors.add(Errors.notSupported("spec.sessionAffinity", affinity, AFFINITIES));
    else if (affinity.equals("ClientIP")) {
      long timeout = Trees.num(Json.at(spec, "sessionAffinityConfig", "clientIP"), "timeoutSeconds", 0);
      if (timeout <= 0 || timeout > 86400) {
        errors.add(Errors.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, "must be greater than 0 and less than 86400"));
      }
    } else if (Trees.has(spec, "sessionAffinityConfig")) {
      errors.add(Errors.invalidRendered("spec.sessionAffinityConfig", spec.get("sessionAffinityConfig").toString(),
          "must not be set when session affinity is None"));
    }
    validateClusterIps(spec, errors);
    String etp = Trees.str(spec, "externalTrafficPolicy");
    boolean external = t.equals("NodePort") || t.equals("LoadBalancer") || !Trees.isEmpty(spec, "externalIPs");
    if (!external && !etp.isEmpty()) {
      errors.add(Errors.invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
    } else if (external && etp.isEmpty() && !t.equals("ExternalName")) {
      errors.add(Errors.required("spec.externalTrafficPolicy"));
    } else if (!etp.isEmpty() && !TRAFFIC_POLICIES.contains(etp)) {
      errors.add(Errors.notSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
    }
    String itp = Trees.str(spec, "internalTrafficPolicy");
    if (!t.equals("ExternalName")) {
      if (itp.isEmpty()) errors.add(Errors.required("spec.internalTrafficPolicy"));
      else if (!TRAFFIC_POLICIES.contains(itp)) errors.add(Errors.notSupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
    }
    String fp = Trees.str(spec, "ipFamilyPolicy");
    if (!fp.isEmpty() && !FAMILY_POLICIES.contains(fp)) errors.add(Errors.notSupported("spec.ipFamilyPolicy", fp, FAMILY_POLICIES));
    ArrayNode families = Trees.array(spec, "ipFamilies");
    if (families != null) {
      for (int i = 0; i < families.size(); i++) {
        String f = families.get(i).asText();
        if (!FAMILIES.contains(f)) errors.add(Errors.notSupported("spec.ipFamilies[" + i + "]", f, FAMILIES));
      }
    }
    ArrayNode externalIps = Trees.array(spec, "externalIPs");
    if (externalIps != null) {
      for (int i = 0; i < externalIps.size(); i++) {
        String ip = externalIps.get(i).asText();
        if (!Names.isIp(ip)) errors.add(Errors.invalid("spec.externalIPs[" + i + "]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
      }
    }
  }

  private static void validatePorts(JsonNode spec, List<ObjectNode> ports, String type, List<FieldError> errors) {
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    Set<String> nodePorts = new HashSet<>();
    boolean requireName = ports.size() > 1;
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode p = ports.get(i);
      String path = "spec.ports[" + i + "]";
      String name = Trees.str(p, "name");
      if (requireName && name.isEmpty()) errors.add(Errors.required(path + ".name"));
      else if (!name.isEmpty()) {
        // service port names are DNS labels (container port names are IANA service names)
        for (String m : Names.dns1123Label(name)) errors.add(Errors.invalid(path + ".name", name, m));
        if (!names.add(name)) errors.add(Errors.duplicate(path + ".name", name));
      }
      long port = Trees.num(p, "port", 0);
      for (String m : Names.portNumber(port)) errors.add(Errors.invalid(path + ".port", port, m));
      String proto = Trees.str(p, "protocol");
      if (proto.isEmpty()) errors.add(Errors.required(path + ".protocol"));
      else if (!PodSpecs.PROTOCOLS.contains(proto)) errors.add(Errors.notSupported(path + ".protocol", proto, PodSpecs.PROTOCOLS));
      JsonNode tp = p.get("targetPort");
      if (tp != null && !tp.isNull()) {
        if (tp.isNumber()) for (String m : Names.portNumber(tp.asLong())) errors.add(Errors.invalid(path + ".targetPort", tp.asLong(), m));
        else for (String m : Names.portName(tp.asText())) errors.add(Errors.invalid(path + ".targetPort", tp.asText(), m));
      }
      String appProtocol = Trees.str(p, "appProtocol");
      if (!appProtocol.isEmpty()) for (String m : Names.qualifiedName(appProtocol)) errors.add(Errors.invalid(path + ".appProtocol", appProtocol, m));
      long nodePort = Trees.num(p, "nodePort", 0);
      if (nodePort != 0) {
        if (type.equals("ClusterIP")) errors.add(Errors.forbidden(path + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
        else {
          for (String m : Names.portNumber(nodePort)) errors.add(Errors.invalid(path + ".nodePort", nodePort, m));
          if (!nodePorts.add(proto + "/" + nodePort)) errors.add(Errors.duplicate(path + ".nodePort", nodePort));
        }
      }
      if (!keys.add(proto + "/" + port)) {
        errors.add(Errors.duplicateRendered(path, "core.ServicePort{Name:\"\", Protocol:\"" + proto
            + "\", AppProtocol:(*string)(nil), Port:" + port
            + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"));
      }
    }
  }

  private static void validateClusterIps(JsonNode spec, List<FieldError> errors) {
    ArrayNode ips = Trees.array(spec, "clusterIPs");
    String ip = Trees.str(spec, "clusterIP");
    if (ips == null || ips.isEmpty()) {
      if (!ip.isEmpty() && !ip.equals("None") && !Names.isIp(ip)) {
        errors.add(Errors.invalid("spec.clusterIPs[0]", ip, "must be empty, 'None', or a valid IP address"));
      }
      return;
    }
    if (!ips.get(0).asText().equals(ip)) {
      errors.add(Errors.invalid("spec.clusterIPs[0]", ips.get(0).asText(), "must match `clusterIP`"));
    }
    for (int i = 0; i < ips.size(); i++) {
      String v = ips.get(i).asText();
      if (v.equals("None")) {
        if (i > 0 || ips.size() > 1) errors.add(Errors.invalid("spec.clusterIPs[" + i + "]", v, "'None' must be the first and only value"));
      } else if (!Names.isIp(v)) {
        errors.add(Errors.invalid("spec.clusterIPs[" + i + "]", v, "must be empty, 'None', or a valid IP address"));
      }
    }
    if (ips.size() > 2) errors.add(Errors.invalidRendered("spec.clusterIPs", Errors.goStringSlice(ips), "may only hold up to 2 values"));
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    JsonNode oldSpec = Trees.obj(old, "spec");
    if (spec != null && oldSpec != null && needsClusterIp(spec) && needsClusterIp(oldSpec)) {
      ArrayNode ips = Trees.array(spec, "clusterIPs");
      ArrayNode oldIps = Trees.array(oldSpec, "clusterIPs");
      if (ips != null && oldIps != null && !ips.isEmpty() && !oldIps.isEmpty()) {
        if (!ips.get(0).asText().equals(oldIps.get(0).asText())) {
          errors.add(Errors.invalidRendered("spec.clusterIPs[0]", Errors.goStringSlice(ips), "may not change once set"));
        }
        if (ips.size() > 1 && oldIps.size() > 1 && !ips.get(1).asText().equals(oldIps.get(1).asText())) {
          errors.add(Errors.invalidRendered("spec.clusterIPs[1]", Errors.goStringSlice(ips), "may not change once set"));
        }
      }
      ArrayNode fams = Trees.array(spec, "ipFamilies");
      ArrayNode oldFams = Trees.array(oldSpec, "ipFamilies");
      if (fams != null && oldFams != null && !fams.isEmpty() && !oldFams.isEmpty()
          && !fams.get(0).asText().equals(oldFams.get(0).asText())) {
        errors.add(Errors.invalid("spec.ipFamilies[0]", fams.get(0).asText(), "may not change once set"));
      }
    }
    validate(type, obj, errors);
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("spec.clusterIP", Trees.str(obj.get("spec"), "clusterIP"));
    f.put("spec.type", Trees.str(obj.get("spec"), "type"));
    return f;
  }
}
