package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.ArrayList;
import java.util.List;

/**
 * networking.k8s.io/v1 NetworkPolicy: policyTypes and port protocols defaulted as the v1 defaults do; selectors, ports,
 * peers and ipBlock CIDRs validated as upstream; generation follows spec changes.
 */
public final class NetworkPolicyStrategy implements ResourceStrategy {
  static final List<String> POLICY_TYPES = List.of("Ingress", "Egress");
  static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.objectIfAbsent(spec, "podSelector");
    for (String dir : List.of("ingress", "egress")) {
      for (ObjectNode rule : Trees.items(spec, dir)) {
        for (ObjectNode port : Trees.items(rule, "ports")) Trees.putIfAbsent(port, "protocol", "TCP");
      }
    }
    // SetDefaults_NetworkPolicy: Ingress always, Egress when there are egress rules
    if (Trees.isEmpty(spec, "policyTypes")) {
      ArrayNode types = spec.putArray("policyTypes");
      types.add("Ingress");
      if (!Trees.items(spec, "egress").isEmpty()) types.add("Egress");
    }
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode spec = Trees.obj(obj, "spec");
    LabelSelectors.validate(Trees.obj(spec, "podSelector"), "spec.podSelector", errors);
    for (String[] dir : new String[][] {{"ingress", "from"}, {"egress", "to"}}) {
      List<ObjectNode> rules = Trees.items(spec, dir[0]);
      for (int i = 0; i < rules.size(); i++) {
        String p = "spec." + dir[0] + "[" + i + "]";
        List<ObjectNode> ports = Trees.items(rules.get(i), "ports");
        for (int j = 0; j < ports.size(); j++) validatePort(ports.get(j), p + ".ports[" + j + "]", errors);
        List<ObjectNode> peers = Trees.items(rules.get(i), dir[1]);
        for (int j = 0; j < peers.size(); j++) validatePeer(peers.get(j), p + "." + dir[1] + "[" + j + "]", errors);
      }
    }
    ArrayNode types = Trees.array(spec, "policyTypes");
    if (types == null) return;
    if (types.size() > POLICY_TYPES.size()) {
      List<String> quoted = new ArrayList<>();
      for (JsonNode t : types) quoted.add(Errors.quote(t.asText()));
      errors.add(Errors.invalidRendered("spec.policyTypes", "[]networking.PolicyType{" + String.join(", ", quoted) + "}",
          "may not specify more than two policyTypes"));
      return;
    }
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i).asText();
      if (!POLICY_TYPES.contains(t)) errors.add(Errors.notSupported("spec.policyTypes[" + i + "]", t, POLICY_TYPES));
    }
  }

  private static void validatePort(ObjectNode port, String p, List<FieldError> errors) {
    String protocol = Trees.str(port, "protocol");
    if (Trees.has(port, "protocol") && !PROTOCOLS.contains(protocol)) {
      errors.add(Errors.notSupported(p + ".protocol", protocol, PROTOCOLS));
    }
    JsonNode value = port.get("port");
    boolean hasEnd = Trees.has(port, "endPort");
    long end = Trees.num(port, "endPort", 0);
    if (value == null || value.isNull()) {
      if (hasEnd) errors.add(Errors.invalid(p + ".endPort", end, "may not be specified when `port` is not specified"));
    } else if (value.isNumber()) {
      long n = value.asLong();
      for (String m : Names.portNumber(n)) errors.add(Errors.invalid(p + ".port", n, m));
      if (hasEnd) {
        if (end < n) errors.add(Errors.invalid(p + ".endPort", end, "must be greater than or equal to `port`"));
        for (String m : Names.portNumber(end)) errors.add(Errors.invalid(p + ".endPort", end, m));
      }
    } else {
      if (hasEnd) errors.add(Errors.invalid(p + ".endPort", end, "may not be specified when `port` is non-numeric"));
      for (String m : Names.portName(value.asText())) errors.add(Errors.invalid(p + ".port", value.asText(), m));
    }
  }

  private static void validatePeer(ObjectNode peer, String p, List<FieldError> errors) {
    int peers = 0;
    if (Trees.has(peer, "podSelector")) {
      peers++;
      LabelSelectors.validate(peer.get("podSelector"), p + ".podSelector", errors);
    }
    if (Trees.has(peer, "namespaceSelector")) {
      peers++;
      LabelSelectors.validate(peer.get("namespaceSelector"), p + ".namespaceSelector", errors);
    }
    boolean ipBlock = Trees.has(peer, "ipBlock");
    if (ipBlock) {
      peers++;
      validateIpBlock(Trees.obj(peer, "ipBlock"), p + ".ipBlock", errors);
    }
    if (peers == 0) errors.add(Errors.required(p, "must specify a peer"));
    else if (peers > 1 && ipBlock) errors.add(Errors.forbidden(p, "may not specify both ipBlock and another peer"));
  }

  /** ValidateIPBlock as of 1.32: cidr required and a CIDR; each except a CIDR strictly inside it. */
  private static void validateIpBlock(ObjectNode block, String p, List<FieldError> errors) {
    String cidr = Trees.str(block, "cidr");
    if (cidr.isEmpty()) {
      errors.add(Errors.required(p + ".cidr"));
      return;
    }
    Cidr outer = Cidr.parse(cidr);
    if (outer == null) {
      errors.add(Errors.invalid(p + ".cidr", cidr, "not a valid CIDR"));
      return;
    }
    List<String> except = MetadataValidation.strings(block.get("except"));
    for (int i = 0; i < except.size(); i++) {
      String e = except.get(i);
      Cidr inner = Cidr.parse(e);
      if (inner == null) {
        errors.add(Errors.invalid(p + ".except[" + i + "]", e, "not a valid CIDR"));
        return;
      }
      if (!outer.contains(inner.network()) || outer.prefix() >= inner.prefix()) {
        errors.add(Errors.invalid(p + ".except[" + i + "]", e, "must be a strict subset of `cidr`"));
      }
    }
  }
}
