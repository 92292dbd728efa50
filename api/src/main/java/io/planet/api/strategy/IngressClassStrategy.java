package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** networking.k8s.io/v1 IngressClass: controller required (a domain-prefixed path) and immutable, parameters scoped. */
public final class IngressClassStrategy implements ResourceStrategy {
  static final int MAX_CONTROLLER = 250;
  static final List<String> SCOPES = List.of("Cluster", "Namespace");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode params = Trees.obj(Trees.obj(obj, "spec"), "parameters");
    if (params != null && !Trees.has(params, "scope")) params.put("scope", "Cluster");
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
    String controller = Trees.str(spec, "controller");
    if (controller.isEmpty()) {
      errors.add(Errors.required("spec.controller"));
    } else {
      if (controller.length() > MAX_CONTROLLER) errors.add(Errors.tooLong("spec.controller", MAX_CONTROLLER));
      domainPrefixedPath(controller, "spec.controller", errors);
    }
    ObjectNode params = Trees.obj(spec, "parameters");
    if (params == null) return;
    IngressStrategy.validateTypedReference(params, "spec.parameters", errors);
    if (!Trees.has(params, "scope")) {
      errors.add(Errors.required("spec.parameters.scope"));
      return;
    }
    String scope = Trees.str(params, "scope");
    if (!SCOPES.contains(scope)) {
      errors.add(Errors.notSupported("spec.parameters.scope", scope, SCOPES));
    } else if (scope.equals("Namespace")) {
      if (!Trees.has(params, "namespace")) {
        errors.add(Errors.required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"));
      } else {
        String ns = Trees.str(params, "namespace");
        for (String m : Names.dns1123Label(ns)) errors.add(Errors.invalid("spec.parameters.namespace", ns, m));
      }
    } else if (Trees.has(params, "namespace")) {
      errors.add(Errors.forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    Errors.immutable(Trees.str(Trees.obj(obj, "spec"), "controller"), Trees.str(Trees.obj(old, "spec"), "controller"),
        "spec.controller", errors);
    validate(type, obj, errors);
  }

  /** IsDomainPrefixedPath: a DNS-1123 subdomain, '/', then a non-empty path of URL-safe characters. */
  static void domainPrefixedPath(String value, String path, List<FieldError> errors) {
    int slash = value.indexOf('/');
    if (slash <= 0 || slash == value.length() - 1) {
      errors.add(Errors.invalid(path, value, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
      return;
    }
    String host = value.substring(0, slash);
    String rest = value.substring(slash + 1);
    for (String m : Names.dns1123Subdomain(host)) errors.add(Errors.invalid(path, host, m));
    if (!rest.matches(HTTP_PATH)) {
      errors.add(Errors.invalid(path, rest, "Invalid path (regex used for validation is '" + HTTP_PATH + "')"));
    }
  }

  private static final String HTTP_PATH = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
}
