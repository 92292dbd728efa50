package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/**
 * networking.k8s.io/v1 Ingress (upstream's pkg/apis/networking/validation, 1.32): rules and paths, backends, TLS
 * hosts, the class name; status only through /status; generation follows spec changes.
 */
public final class IngressStrategy implements ResourceStrategy {
  static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
  private static final List<String> INVALID_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
  private static final List<String> INVALID_SUFFIXES = List.of("/..", "/.");

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.remove("status");
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    validateSpec(Trees.obj(obj, "spec"), errors);
    // ValidateIngressCreate only: the deprecated annotation must agree with the field
    ObjectNode annotations = Trees.obj(Trees.obj(obj, "metadata"), "annotations");
    String annotation = Trees.str(annotations, CLASS_ANNOTATION);
    JsonNode spec = obj.get("spec");
    if (Trees.has(annotations, CLASS_ANNOTATION) && Trees.has(spec, "ingressClassName")
        && !annotation.equals(Trees.str(spec, "ingressClassName"))) {
      errors.add(Errors.invalid("annotations." + CLASS_ANNOTATION, annotation, "must match `ingressClassName` when both are specified"));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validateSpec(Trees.obj(obj, "spec"), errors);
  }

  @Override
  public void validateUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    if (!subresource.equals("status")) {
      validateUpdate(type, obj, old, errors);
      return;
    }
    List<ObjectNode> ingress = Trees.items(Trees.obj(Trees.obj(obj, "status"), "loadBalancer"), "ingress");
    for (int i = 0; i < ingress.size(); i++) {
      String p = "status.loadBalancer.ingress[" + i + "]";
      String ip = Trees.str(ingress.get(i), "ip");
      if (!ip.isEmpty() && !Names.isIp(ip)) {
        errors.add(Errors.invalid(p + ".ip", ip, "must be a valid IP address"));
      }
      String host = Trees.str(ingress.get(i), "hostname");
      if (!host.isEmpty()) {
        for (String m : Names.dns1123Subdomain(host)) errors.add(Errors.invalid(p + ".hostname", host, m));
        if (Names.isIp(host)) errors.add(Errors.invalid(p + ".hostname", host, "must be a DNS name, not an IP address"));
      }
    }
  }

  static void validateSpec(ObjectNode spec, List<FieldError> errors) {
    List<ObjectNode> rules = Trees.items(spec, "rules");
    if (rules.isEmpty() && !Trees.has(spec, "defaultBackend")) {
      String value = Trees.array(spec, "rules") == null ? "[]networking.IngressRule(nil)" : "[]networking.IngressRule{}";
      errors.add(Errors.invalidRendered("spec", value, "either `defaultBackend` or `rules` must be specified"));
    }
    if (Trees.has(spec, "defaultBackend")) validateBackend(Trees.obj(spec, "defaultBackend"), "spec.defaultBackend", errors);
    for (int i = 0; i < rules.size(); i++) validateRule(rules.get(i), "spec.rules[" + i + "]", errors);
    List<ObjectNode> tls = Trees.items(spec, "tls");
    for (int t = 0; t < tls.size(); t++) {
      String p = "spec.tls[" + t + "]";
      List<String> hosts = MetadataValidation.strings(tls.get(t).get("hosts"));
      for (int i = 0; i < hosts.size(); i++) {
        String h = hosts.get(i);
        List<String> msgs = h.contains("*") ? wildcardSubdomain(h) : Names.dns1123Subdomain(h);
        for (String m : msgs) errors.add(Errors.invalid(p + ".hosts[" + i + "]", h, m));
      }
      String secret = Trees.str(tls.get(t), "secretName");
      if (!secret.isEmpty()) for (String m : Names.dns1123Subdomain(secret)) errors.add(Errors.invalid(p + ".secretName", secret, m));
    }
    if (Trees.has(spec, "ingressClassName")) {
      String cls = Trees.str(spec, "ingressClassName");
      for (String m : Names.dns1123Subdomain(cls)) errors.add(Errors.invalid("spec.ingressClassName", cls, m));
    }
  }

  private static void validateRule(ObjectNode rule, String p, List<FieldError> errors) {
    String host = Trees.str(rule, "host");
    if (!host.isEmpty()) {
      if (Names.isIp(host)) errors.add(Errors.invalid(p + ".host", host, "must be a DNS name, not an IP address"));
      List<String> msgs = host.contains("*") ? wildcardSubdomain(host) : Names.dns1123Subdomain(host);
      for (String m : msgs) errors.add(Errors.invalid(p + ".host", host, m));
    }
    ObjectNode http = Trees.obj(rule, "http");
    if (http == null) return;
    List<ObjectNode> paths = Trees.items(http, "paths");
    if (paths.isEmpty()) errors.add(Errors.required(p + ".http.paths"));
    for (int i = 0; i < paths.size(); i++) validatePath(paths.get(i), p + ".http.paths[" + i + "]", errors);
  }

  private static void validatePath(ObjectNode path, String p, List<FieldError> errors) {
    if (!Trees.has(path, "pathType")) {
      errors.add(Errors.required(p + ".pathType", "pathType must be specified"));
      return;
    }
    String type = Trees.str(path, "pathType");
    String value = Trees.str(path, "path");
    switch (type) {
      case "Exact", "Prefix" -> {
        if (!value.startsWith("/")) errors.add(Errors.invalid(p + ".path", value, "must be an absolute path"));
        for (String seq : INVALID_SEQUENCES) {
          if (value.contains(seq)) errors.add(Errors.invalid(p + ".path", value, "must not contain '" + seq + "'"));
        }
        for (String suffix : INVALID_SUFFIXES) {
          if (value.endsWith(suffix)) errors.add(Errors.invalid(p + ".path", value, "cannot end with '" + suffix + "'"));
        }
      }
      case "ImplementationSpecific" -> {
        if (!value.isEmpty() && !value.startsWith("/")) errors.add(Errors.invalid(p + ".path", value, "must be an absolute path"));
      }
      default -> errors.add(Errors.notSupported(p + ".pathType", type, PATH_TYPES));
    }
    validateBackend(Trees.obj(path, "backend"), p + ".backend", errors);
  }

  /** validateIngressBackend: exactly one of a service (name and a port name or number) or a resource. */
  static void validateBackend(ObjectNode backend, String p, List<FieldError> errors) {
    boolean resource = Trees.has(backend, "resource");
    boolean service = Trees.has(backend, "service");
    if (resource && service) {
      errors.add(Errors.invalid(p, "", "cannot set both resource and service backends"));
      return;
    }
    if (resource) {
      validateTypedReference(Trees.obj(backend, "resource"), p + ".resource", errors);
      return;
    }
    if (!service) {
      errors.add(Errors.invalid(p, "", "resource or service backend is required"));
      return;
    }
    ObjectNode svc = Trees.obj(backend, "service");
    String name = Trees.str(svc, "name");
    if (name.isEmpty()) errors.add(Errors.required(p + ".service.name"));
    else for (String m : Names.dns1035Label(name)) errors.add(Errors.invalid(p + ".service.name", name, m));
    ObjectNode port = Trees.obj(svc, "port");
    String portName = Trees.str(port, "name");
    long number = Trees.num(port, "number", 0);
    if (!portName.isEmpty() && number != 0) {
      errors.add(Errors.invalid(p, "", "cannot set both port name & port number"));
    } else if (!portName.isEmpty()) {
      for (String m : Names.portName(portName)) errors.add(Errors.invalid(p + ".service.port.name", portName, m));
    } else if (number != 0) {
      for (String m : Names.portNumber(number)) errors.add(Errors.invalid(p + ".service.port.number", number, m));
    } else {
      errors.add(Errors.required(p, "port name or number is required"));
    }
  }

  /** validateIngressTypedLocalObjectReference (also the start of IngressClass parameters). */
  static void validateTypedReference(ObjectNode ref, String p, List<FieldError> errors) {
    if (ref == null) return;
    if (Trees.has(ref, "apiGroup")) {
      String group = Trees.str(ref, "apiGroup");
      for (String m : Names.dns1123Subdomain(group)) errors.add(Errors.invalid(p + ".apiGroup", group, m));
    }
    for (String f : List.of("kind", "name")) {
      String v = Trees.str(ref, f);
      if (v.isEmpty()) errors.add(Errors.required(p + "." + f));
      else for (String m : Names.pathSegment(v, false)) errors.add(Errors.invalid(p + "." + f, v, m));
    }
  }

  /** IsWildcardDNS1123Subdomain: "*." followed by a DNS-1123 subdomain. */
  static List<String> wildcardSubdomain(String s) {
    List<String> out = new java.util.ArrayList<>();
    if (s.length() > 253) out.add(Names.maxLen(253));
    boolean ok = s.startsWith("*.") && Names.dns1123Subdomain(s.substring(2)).isEmpty();
    if (!ok) {
      out.add("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist "
          + "of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', "
          + "regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
    return out;
  }
}
