package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration: upstream's v1
 * defaults (failurePolicy Fail, matchPolicy Equivalent, empty selectors, timeoutSeconds 10, rule scope "*", service
 * port 443, reinvocationPolicy Never for mutating webhooks) and ValidateValidating/MutatingWebhookConfiguration.
 * matchConditions (CEL) are kept but not compiled.
 */
public final class WebhookConfigurationStrategy implements ResourceStrategy {
  static final List<String> ACCEPTED_REVIEW_VERSIONS = List.of("v1", "v1beta1");
  private static final List<String> FAILURE_POLICIES = List.of("Fail", "Ignore");
  private static final List<String> MATCH_POLICIES = List.of("Equivalent", "Exact");
  private static final List<String> NO_SIDE_EFFECTS = List.of("None", "NoneOnDryRun");
  private static final List<String> ALL_SIDE_EFFECTS = List.of("None", "NoneOnDryRun", "Some", "Unknown");
  private static final List<String> OPERATIONS = List.of("*", "CONNECT", "CREATE", "DELETE", "UPDATE");
  private static final List<String> REINVOCATION_POLICIES = List.of("IfNeeded", "Never");
  private static final List<String> SCOPES = List.of("*", "Cluster", "Namespaced");
  private static final String URL_FORM = "; desired format: https://host[/path]";

  private final boolean mutating;

  public WebhookConfigurationStrategy(boolean mutating) {
    this.mutating = mutating;
  }

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    for (ObjectNode hook : Trees.items(obj, "webhooks")) {
      Trees.putIfAbsent(hook, "failurePolicy", "Fail");
      Trees.putIfAbsent(hook, "matchPolicy", "Equivalent");
      Trees.objectIfAbsent(hook, "namespaceSelector");
      Trees.objectIfAbsent(hook, "objectSelector");
      Trees.putIfAbsent(hook, "timeoutSeconds", 10);
      if (mutating) Trees.putIfAbsent(hook, "reinvocationPolicy", "Never");
      for (ObjectNode rule : Trees.items(hook, "rules")) Trees.putIfAbsent(rule, "scope", "*");
      JsonNode service = Trees.obj(Trees.obj(hook, "clientConfig"), "service");
      if (service instanceof ObjectNode s) Trees.putIfAbsent(s, "port", 443);
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    validate(obj, new Options(true, true, true), errors);
  }

  /** As upstream, an update is held to the stricter rules only where the stored object already met them. */
  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    List<ObjectNode> oldHooks = Trees.items(old, "webhooks");
    boolean noSideEffects = oldHooks.stream().allMatch(h -> NO_SIDE_EFFECTS.contains(Trees.str(h, "sideEffects")));
    boolean recognized = oldHooks.stream().allMatch(h -> {
      ArrayNode versions = Trees.array(h, "admissionReviewVersions");
      if (versions == null || versions.isEmpty()) return true;
      for (JsonNode v : versions) if (ACCEPTED_REVIEW_VERSIONS.contains(v.asText())) return true;
      return false;
    });
    Set<String> names = new HashSet<>();
    boolean unique = oldHooks.stream().allMatch(h -> names.add(Trees.str(h, "name")));
    validate(obj, new Options(noSideEffects, recognized, unique), errors);
  }

  private record Options(boolean requireNoSideEffects, boolean requireRecognizedVersion, boolean requireUniqueNames) {}

  private void validate(ObjectNode obj, Options opts, List<FieldError> errors) {
    List<ObjectNode> hooks = Trees.items(obj, "webhooks");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < hooks.size(); i++) {
      ObjectNode hook = hooks.get(i);
      String p = "webhooks[" + i + "]";
      validateWebhook(hook, p, opts, errors);
      validateReviewVersions(Trees.array(hook, "admissionReviewVersions"), p + ".admissionReviewVersions",
          opts.requireRecognizedVersion(), errors);
      String name = Trees.str(hook, "name");
      if (opts.requireUniqueNames() && !name.isEmpty() && !names.add(name)) {
        errors.add(Errors.duplicate(p + ".name", name));
      }
    }
  }

  private void validateWebhook(ObjectNode hook, String p, Options opts, List<FieldError> errors) {
    fullyQualifiedName(Trees.str(hook, "name"), p + ".name", errors);
    List<ObjectNode> rules = Trees.items(hook, "rules");
    for (int i = 0; i < rules.size(); i++) validateRule(rules.get(i), p + ".rules[" + i + "]", errors);
    oneOf(hook, "failurePolicy", FAILURE_POLICIES, p, errors);
    oneOf(hook, "matchPolicy", MATCH_POLICIES, p, errors);
    List<String> sideEffects = opts.requireNoSideEffects() ? NO_SIDE_EFFECTS : ALL_SIDE_EFFECTS;
    if (!hook.hasNonNull("sideEffects")) {
      errors.add(Errors.required(p + ".sideEffects", "must specify one of " + String.join(", ", sideEffects)));
    } else {
      oneOf(hook, "sideEffects", sideEffects, p, errors);
    }
    if (hook.hasNonNull("timeoutSeconds")) {
      long t = hook.get("timeoutSeconds").asLong();
      if (t < 1 || t > 30) errors.add(Errors.invalid(p + ".timeoutSeconds", t, "the timeout value must be between 1 and 30 seconds"));
    }
    LabelSelectors.validate(hook.get("namespaceSelector"), p + ".namespaceSelector", errors);
    LabelSelectors.validate(hook.get("objectSelector"), p + ".objectSelector", errors);
    if (mutating) oneOf(hook, "reinvocationPolicy", REINVOCATION_POLICIES, p, errors);
    validateClientConfig(Trees.obj(hook, "clientConfig"), p + ".clientConfig", errors);
  }

  /** IsFullyQualifiedName: a DNS subdomain with at least three segments. */
  private static void fullyQualifiedName(String name, String field, List<FieldError> errors) {
    if (name.isEmpty()) {
      errors.add(Errors.required(field));
      return;
    }
    List<String> msgs = Names.dns1123Subdomain(name);
    if (!msgs.isEmpty()) {
      errors.add(Errors.invalid(field, name, String.join(",", msgs)));
    } else if (name.split("\\.", -1).length < 3) {
      errors.add(Errors.invalid(field, name, "should be a domain with at least three segments separated by dots"));
    }
  }

  private static void oneOf(ObjectNode hook, String key, List<String> valid, String p, List<FieldError> errors) {
    if (hook.hasNonNull(key) && !valid.contains(hook.get(key).asText())) {
      errors.add(Errors.notSupported(p + "." + key, hook.get(key).asText(), valid));
    }
  }

  private static void validateReviewVersions(ArrayNode versions, String p, boolean requireRecognized,
      List<FieldError> errors) {
    if (versions == null || versions.isEmpty()) {
      errors.add(Errors.required(p, "must specify one of " + String.join(", ", ACCEPTED_REVIEW_VERSIONS)));
      return;
    }
    Set<String> seen = new HashSet<>();
    boolean accepted = false;
    for (int i = 0; i < versions.size(); i++) {
      String v = versions.get(i).asText();
      if (!seen.add(v)) {
        errors.add(Errors.invalid(p + "[" + i + "]", v, "duplicate version"));
        continue;
      }
      for (String m : Names.dns1035Label(v)) errors.add(Errors.invalid(p + "[" + i + "]", v, m));
      if (ACCEPTED_REVIEW_VERSIONS.contains(v)) accepted = true;
    }
    if (requireRecognized && !accepted) {
      errors.add(Errors.invalidRendered(p, Errors.goStringSlice(versions),
          "must include at least one of " + String.join(", ", ACCEPTED_REVIEW_VERSIONS)));
    }
  }

  private static void validateRule(ObjectNode rule, String p, List<FieldError> errors) {
    ArrayNode ops = Trees.array(rule, "operations");
    if (ops == null || ops.isEmpty()) errors.add(Errors.required(p + ".operations"));
    if (ops != null && ops.size() > 1 && hasWildcard(ops)) {
      errors.add(Errors.invalidRendered(p + ".operations", goSlice("admissionregistration.OperationType", ops),
          "if '*' is present, must not specify other operations"));
    }
    if (ops != null) {
      for (int i = 0; i < ops.size(); i++) {
        if (!OPERATIONS.contains(ops.get(i).asText())) {
          errors.add(Errors.notSupported(p + ".operations[" + i + "]", ops.get(i).asText(), OPERATIONS));
        }
      }
    }
    ArrayNode groups = Trees.array(rule, "apiGroups");
    if (groups == null || groups.isEmpty()) errors.add(Errors.required(p + ".apiGroups"));
    if (groups != null && groups.size() > 1 && hasWildcard(groups)) {
      errors.add(Errors.invalidRendered(p + ".apiGroups", Errors.goStringSlice(groups),
          "if '*' is present, must not specify other API groups"));
    }
    ArrayNode versions = Trees.array(rule, "apiVersions");
    if (versions == null || versions.isEmpty()) errors.add(Errors.required(p + ".apiVersions"));
    if (versions != null && versions.size() > 1 && hasWildcard(versions)) {
      errors.add(Errors.invalidRendered(p + ".apiVersions", Errors.goStringSlice(versions),
          "if '*' is present, must not specify other API versions"));
    }
    if (versions != null) {
      for (int i = 0; i < versions.size(); i++) {
        if (versions.get(i).asText().isEmpty()) errors.add(Errors.required(p + ".apiVersions[" + i + "]"));
      }
    }
    validateResources(Trees.array(rule, "resources"), p + ".resources", errors);
    if (rule.hasNonNull("scope") && !SCOPES.contains(rule.get("scope").asText())) {
      errors.add(Errors.notSupported(p + ".scope", rule.get("scope").asText(), SCOPES));
    }
  }

  /** validateResources: "x", "x/y", "x/*", "*&#47;y", "*" and "*&#47;*" without contradicting each other. */
  private static void validateResources(ArrayNode resources, String p, List<FieldError> errors) {
    if (resources == null || resources.isEmpty()) {
      errors.add(Errors.required(p));
      return;
    }
    Set<String> withWildcardSub = new HashSet<>();
    Set<String> subsWithWildcardResource = new HashSet<>();
    boolean doubleWildcard = false;
    boolean singleWildcard = false;
    boolean withoutSubresource = false;
    for (int i = 0; i < resources.size(); i++) {
      String rs = resources.get(i).asText();
      if (rs.isEmpty()) {
        errors.add(Errors.required(p + "[" + i + "]"));
        continue;
      }
      if (rs.equals("*/*")) doubleWildcard = true;
      if (rs.equals("*")) singleWildcard = true;
      int slash = rs.indexOf('/');
      if (slash < 0) {
        withoutSubresource = !rs.equals("*");
        continue;
      }
      String res = rs.substring(0, slash);
      String sub = rs.substring(slash + 1);
      if (withWildcardSub.contains(res)) {
        errors.add(Errors.invalid(p + "[" + i + "]", rs, "if '" + res + "/*' is present, must not specify " + rs));
      }
      if (subsWithWildcardResource.contains(sub)) {
        errors.add(Errors.invalid(p + "[" + i + "]", rs, "if '*/" + sub + "' is present, must not specify " + rs));
      }
      if (sub.equals("*")) withWildcardSub.add(res);
      if (res.equals("*")) subsWithWildcardResource.add(sub);
    }
    if (resources.size() > 1 && doubleWildcard) {
      errors.add(Errors.invalidRendered(p, Errors.goStringSlice(resources), "if '*/*' is present, must not specify other resources"));
    }
    if (singleWildcard && withoutSubresource) {
      errors.add(Errors.invalidRendered(p, Errors.goStringSlice(resources),
          "if '*' is present, must not specify other resources without subresources"));
    }
  }

  private static void validateClientConfig(JsonNode cc, String p, List<FieldError> errors) {
    boolean hasUrl = cc != null && cc.hasNonNull("url");
    boolean hasService = cc != null && cc.hasNonNull("service");
    if (hasUrl == hasService) {
      errors.add(Errors.required(p, "exactly one of url or service is required"));
    } else if (hasUrl) {
      validateUrl(cc.get("url").asText(), p + ".url", errors);
    } else {
      validateService(cc.get("service"), p + ".service", errors);
    }
  }

  /** ValidateWebhookURL with https forced. */
  static void validateUrl(String url, String p, List<FieldError> errors) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      errors.add(Errors.required(p, "url must be a valid URL: " + e.getMessage() + URL_FORM));
      return;
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    if (!scheme.equals("https")) errors.add(Errors.invalid(p, scheme, "'https' is the only allowed URL scheme" + URL_FORM));
    String host = u.getRawAuthority() == null ? "" : u.getRawAuthority().replaceFirst("^.*@", "");
    if (host.isEmpty()) errors.add(Errors.invalid(p, host, "host must be provided" + URL_FORM));
    if (u.getRawUserInfo() != null) {
      errors.add(Errors.invalid(p, u.getRawUserInfo(), "user information is not permitted in the URL"));
    }
    if (u.getRawFragment() != null && !u.getRawFragment().isEmpty()) {
      errors.add(Errors.invalid(p, u.getRawFragment(), "fragments are not permitted in the URL"));
    }
    if (u.getRawQuery() != null && !u.getRawQuery().isEmpty()) {
      errors.add(Errors.invalid(p, u.getRawQuery(), "query parameters are not permitted in the URL"));
    }
  }

  /** ValidateWebhookService. */
  private static void validateService(JsonNode svc, String p, List<FieldError> errors) {
    if (Trees.str(svc, "name").isEmpty()) errors.add(Errors.required(p + ".name", "service name is required"));
    if (Trees.str(svc, "namespace").isEmpty()) errors.add(Errors.required(p + ".namespace", "service namespace is required"));
    long port = Trees.num(svc, "port", 443);
    List<String> portErrors = Names.portNumber(port);
    if (!portErrors.isEmpty()) errors.add(Errors.invalid(p + ".port", port, "port is not valid: " + String.join(", ", portErrors)));
    if (!svc.hasNonNull("path")) return;
    String path = svc.get("path").asText();
    if (path.isEmpty() || path.equals("/")) return;
    if (path.equals("//")) {
      errors.add(Errors.invalid(p + ".path", path, "segment[0] may not be empty"));
      return;
    }
    if (!path.startsWith("/")) errors.add(Errors.invalid(p + ".path", path, "must start with a '/'"));
    String check = path.substring(1);
    if (check.endsWith("/")) check = check.substring(0, check.length() - 1);
    String[] steps = check.split("/", -1);
    for (int i = 0; i < steps.length; i++) {
      if (steps[i].isEmpty()) {
        errors.add(Errors.invalid(p + ".path", path, "segment[" + i + "] may not be empty"));
        continue;
      }
      for (String m : Names.dns1123Subdomain(steps[i])) errors.add(Errors.invalid(p + ".path", path, "segment[" + i + "]: " + m));
    }
  }

  private static boolean hasWildcard(ArrayNode items) {
    for (JsonNode i : items) if (i.asText().equals("*")) return true;
    return false;
  }

  /** Go's %#v of a slice of a named string type. */
  private static String goSlice(String type, ArrayNode items) {
    return "[]" + type + Errors.goStringSlice(items).substring("[]string".length());
  }
}
