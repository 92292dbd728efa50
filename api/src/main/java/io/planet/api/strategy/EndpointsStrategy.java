package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** core/v1 Endpoints: subsets' addresses and ports. */
public final class EndpointsStrategy implements ResourceStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    for (ObjectNode subset : Trees.items(obj, "subsets")) {
      for (ObjectNode p : Trees.items(subset, "ports")) Trees.putIfAbsent(p, "protocol", "TCP");
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    List<ObjectNode> subsets = Trees.items(obj, "subsets");
    for (int i = 0; i < subsets.size(); i++) {
      ObjectNode s = subsets.get(i);
      String p = "subsets[" + i + "]";
      if (Trees.isEmpty(s, "addresses") && Trees.isEmpty(s, "notReadyAddresses")) {
        errors.add(Errors.required(p, "must specify `addresses` or `notReadyAddresses`"));
      }
      for (String list : List.of("addresses", "notReadyAddresses")) {
        List<ObjectNode> addrs = Trees.items(s, list);
        for (int j = 0; j < addrs.size(); j++) {
          String ip = Trees.str(addrs.get(j), "ip");
          String ap = p + "." + list + "[" + j + "].ip";
          if (!Names.isIp(ip)) errors.add(Errors.invalid(ap, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
      }
      List<ObjectNode> ports = Trees.items(s, "ports");
      for (int j = 0; j < ports.size(); j++) {
        ObjectNode port = ports.get(j);
        String pp = p + ".ports[" + j + "]";
        String name = Trees.str(port, "name");
        if (ports.size() > 1 && name.isEmpty()) errors.add(Errors.required(pp + ".name"));
        else if (!name.isEmpty()) for (String m : Names.dns1123Label(name)) errors.add(Errors.invalid(pp + ".name", name, m));
        long n = Trees.num(port, "port", 0);
        for (String m : Names.portNumber(n)) errors.add(Errors.invalid(pp + ".port", n, m));
        String proto = Trees.str(port, "protocol");
        if (proto.isEmpty()) errors.add(Errors.required(pp + ".protocol"));
        else if (!PodSpecs.PROTOCOLS.contains(proto)) errors.add(Errors.notSupported(pp + ".protocol", proto, PodSpecs.PROTOCOLS));
      }
    }
  }
}
