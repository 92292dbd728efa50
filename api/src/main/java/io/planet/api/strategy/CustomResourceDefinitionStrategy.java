package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import io.planet.api.schema.CrdSchemaValidation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** apiextensions.k8s.io/v1 CustomResourceDefinition. */
public final class CustomResourceDefinitionStrategy implements ResourceStrategy {
  static final List<String> SCOPES = List.of("Cluster", "Namespaced");
  static final List<String> CONVERSION_STRATEGIES = List.of("None", "Webhook");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    ObjectNode names = Trees.with(spec, "names");
    String kind = Trees.str(names, "kind");
    if (Trees.str(names, "singular").isEmpty() && !kind.isEmpty()) names.put("singular", kind.toLowerCase(Locale.ROOT));
    if (Trees.str(names, "listKind").isEmpty() && !kind.isEmpty()) names.put("listKind", kind + "List");
    ObjectNode conversion = Trees.with(spec, "conversion");
    Trees.putIfAbsent(conversion, "strategy", "None");
    ObjectNode service = Trees.obj(Trees.obj(Trees.obj(conversion, "webhook"), "clientConfig"), "service");
    if (service != null) Trees.putIfAbsent(service, "port", 443);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    ObjectNode accepted = status.putObject("acceptedNames");
    accepted.put("kind", "");
    accepted.put("plural", "");
    ArrayNode stored = status.putArray("storedVersions");
    String storage = storageVersion(obj);
    if (storage != null) stored.add(storage);
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
    // a new storage version is recorded so that migration knows what etcd may hold
    String storage = storageVersion(obj);
    ObjectNode status = Trees.obj(obj, "status");
    if (storage != null && status != null) {
      ArrayNode stored = Trees.array(status, "storedVersions");
      if (stored == null) stored = status.putArray("storedVersions");
      if (!MetadataValidation.strings(stored).contains(storage)) stored.add(storage);
    }
  }

  static String storageVersion(JsonNode crd) {
    for (ObjectNode v : Trees.items(crd.get("spec"), "versions")) if (Trees.bool(v, "storage")) return Trees.str(v, "name");
    return null;
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    String group = Trees.str(spec, "group");
    JsonNode names = Trees.obj(spec, "names");
    String plural = Trees.str(names, "plural");
    String name = Meta.name(obj);
    if (!name.equals(plural + "." + group)) {
      errors.add(Errors.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
    }
    if (group.isEmpty()) errors.add(Errors.required("spec.group"));
    else if (!Names.dns1123Subdomain(group).isEmpty()) {
      errors.add(Errors.invalid("spec.group", group, String.join(",", Names.dns1123Subdomain(group))));
    } else if (group.split("\\.").length < 2) {
      errors.add(Errors.invalid("spec.group", group, "should be a domain with at least one dot"));
    }
    String scope = Trees.str(spec, "scope");
    if (scope.isEmpty()) errors.add(Errors.required("spec.scope"));
    else if (!SCOPES.contains(scope)) errors.add(Errors.notSupported("spec.scope", scope, SCOPES));
    validateNames(names, "spec.names", errors);
    List<ObjectNode> versions = Trees.items(spec, "versions");
    if (versions.isEmpty()) errors.add(Errors.required("spec.versions", "must have exactly one version marked as storage version"));
    int storage = 0;
    boolean served = false;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < versions.size(); i++) {
      ObjectNode v = versions.get(i);
      String p = "spec.versions[" + i + "]";
      String vn = Trees.str(v, "name");
      if (vn.isEmpty()) errors.add(Errors.required(p + ".name"));
      else if (!Names.dns1035Label(vn).isEmpty()) errors.add(Errors.invalid(p + ".name", vn, String.join(",", Names.dns1035Label(vn))));
      if (!vn.isEmpty() && !seen.add(vn)) {
        errors.add(Errors.invalidRendered("spec.versions", spec.get("versions").toString(), "must contain unique version names"));
      }
      if (Trees.bool(v, "storage")) storage++;
      if (Trees.bool(v, "served")) served = true;
      JsonNode schema = io.planet.api.Json.at(v, "schema", "openAPIV3Schema");
      if (schema == null && io.planet.api.Json.at(spec, "validation", "openAPIV3Schema") == null) {
        errors.add(Errors.required(p + ".schema.openAPIV3Schema", "schemas are required"));
      }
      // v1 requires structural schemas whose defaults are pruned and valid
      if (schema != null) errors.addAll(CrdSchemaValidation.validate(schema, p + ".schema.openAPIV3Schema"));
    }
    if (!versions.isEmpty() && storage != 1) {
      errors.add(Errors.invalidRendered("spec.versions", spec.get("versions").toString(), "must have exactly one version marked as storage version"));
    }
    if (!versions.isEmpty() && !served) {
      errors.add(Errors.invalidRendered("spec.versions", spec.get("versions").toString(), "must have at least one version marked as served"));
    }
    String cs = Trees.str(Trees.obj(spec, "conversion"), "strategy");
    if (!cs.isEmpty() && !CONVERSION_STRATEGIES.contains(cs)) errors.add(Errors.notSupported("spec.conversion.strategy", cs, CONVERSION_STRATEGIES));
  }

  private static void validateNames(JsonNode names, String path, List<FieldError> errors) {
    String plural = Trees.str(names, "plural");
    if (plural.isEmpty()) errors.add(Errors.required(path + ".plural"));
    else if (!Names.dns1035Label(plural).isEmpty()) errors.add(Errors.invalid(path + ".plural", plural, String.join(",", Names.dns1035Label(plural))));
    String singular = Trees.str(names, "singular");
    if (!singular.isEmpty() && !Names.dns1035Label(singular).isEmpty()) {
      errors.add(Errors.invalid(path + ".singular", singular, String.join(",", Names.dns1035Label(singular))));
    }
    String kind = Trees.str(names, "kind");
    if (kind.isEmpty()) errors.add(Errors.required(path + ".kind"));
    else if (!Names.dns1035Label(kind.toLowerCase(Locale.ROOT)).isEmpty()) {
      errors.add(Errors.invalid(path + ".kind", kind, "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"));
    }
    String listKind = Trees.str(names, "listKind");
    if (!listKind.isEmpty() && listKind.equals(kind)) errors.add(Errors.invalid(path + ".listKind", listKind, "kind and listKind may not be the same"));
    ArrayNode shortNames = Trees.array(names, "shortNames");
    if (shortNames != null) {
      for (int i = 0; i < shortNames.size(); i++) {
        String s = shortNames.get(i).asText();
        if (!Names.dns1035Label(s).isEmpty()) errors.add(Errors.invalid(path + ".shortNames[" + i + "]", s, String.join(",", Names.dns1035Label(s))));
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    JsonNode spec = obj.get("spec");
    JsonNode oldSpec = old.get("spec");
    Errors.immutable(Trees.str(spec, "group"), Trees.str(oldSpec, "group"), "spec.group", errors);
    Errors.immutable(Trees.str(Trees.obj(spec, "names"), "plural"), Trees.str(Trees.obj(oldSpec, "names"), "plural"), "spec.names.plural", errors);
    boolean established = false;
    for (ObjectNode c : Trees.items(old.get("status"), "conditions")) {
      if (Trees.str(c, "type").equals("Established") && Trees.str(c, "status").equals("True")) established = true;
    }
    if (established) Errors.immutable(Trees.str(spec, "scope"), Trees.str(oldSpec, "scope"), "spec.scope", errors);
  }
}
