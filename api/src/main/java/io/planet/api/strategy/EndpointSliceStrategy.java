package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** discovery.k8s.io/v1 EndpointSlice. */
public final class EndpointSliceStrategy implements ResourceStrategy {
  static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
  static final int MAX_ENDPOINTS = 1000;
  static final int MAX_PORTS = 20000;

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    for (ObjectNode p : Trees.items(obj, "ports")) {
      if (!p.hasNonNull("name")) p.put("name", "");
      Trees.putIfAbsent(p, "protocol", "TCP");
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    String at = Trees.str(obj, "addressType");
    if (at.isEmpty()) errors.add(Errors.required("addressType"));
    else if (!ADDRESS_TYPES.contains(at)) errors.add(Errors.notSupported("addressType", at, ADDRESS_TYPES));
    List<ObjectNode> endpoints = Trees.items(obj, "endpoints");
    if (endpoints.size() > MAX_ENDPOINTS) errors.add(Errors.tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS));
    for (int i = 0; i < endpoints.size(); i++) {
      ObjectNode e = endpoints.get(i);
      String p = "endpoints[" + i + "]";
      List<String> addrs = MetadataValidation.strings(e.get("addresses"));
      if (addrs.isEmpty()) errors.add(Errors.required(p + ".addresses", "must contain at least 1 address"));
      else if (addrs.size() > 100) errors.add(Errors.tooMany(p + ".addresses", addrs.size(), 100));
      for (int j = 0; j < addrs.size(); j++) {
        String a = addrs.get(j);
        String ap = p + ".addresses[" + j + "]";
        boolean ok = switch (at) {
          case "IPv4" -> Names.isIp(a) && !a.contains(":");
          case "IPv6" -> Names.isIp(a) && a.contains(":");
          case "FQDN" -> Names.dns1123Subdomain(a).isEmpty();
          default -> true;
        };
        if (!ok) {
          String msg = switch (at) {
            case "IPv4" -> "must be a valid IPv4 address";
            case "IPv6" -> "must be a valid IPv6 address";
            default -> Names.dns1123Subdomain(a).isEmpty() ? "" : Names.dns1123Subdomain(a).get(0);
          };
          errors.add(Errors.invalid(ap, a, msg));
        }
      }
      String hostname = Trees.str(e, "hostname");
      if (!hostname.isEmpty()) for (String m : Names.dns1123Label(hostname)) errors.add(Errors.invalid(p + ".hostname", hostname, m));
    }
    List<ObjectNode> ports = Trees.items(obj, "ports");
    if (ports.size() > MAX_PORTS) errors.add(Errors.tooMany("ports", ports.size(), MAX_PORTS));
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      String p = "ports[" + i + "]";
      String name = Trees.str(port, "name");
      if (!name.isEmpty()) for (String m : Names.dns1123Label(name)) errors.add(Errors.invalid(p + ".name", name, m));
      if (!names.add(name)) errors.add(Errors.duplicate(p + ".name", name));
      String proto = Trees.str(port, "protocol");
      if (!proto.isEmpty() && !PodSpecs.PROTOCOLS.contains(proto)) errors.add(Errors.notSupported(p + ".protocol", proto, PodSpecs.PROTOCOLS));
      JsonNode n = port.get("port");
      if (n != null && !n.isNull()) for (String m : Names.portNumber(n.asLong())) errors.add(Errors.invalid(p + ".port", n.asLong(), m));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    Errors.immutable(Trees.str(obj, "addressType"), Trees.str(old, "addressType"), "addressType", errors);
  }
}
