package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.Base64;
import java.util.List;

/**
 * apiregistration.k8s.io/v1 APIService, after kube-aggregator's defaults and ValidateAPIService: the name is
 * {@code <version>.<group>}; a service reference (when the group is not served locally) has a namespace, a name and a
 * port (default 443); TLS trust is either a caBundle or insecureSkipTLSVerify.
 */
public final class ApiServiceStrategy implements ResourceStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    JsonNode service = Trees.obj(Trees.obj(obj, "spec"), "service");
    if (service instanceof ObjectNode s && !s.hasNonNull("port")) s.put("port", 443);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    String group = Trees.str(spec, "group");
    String version = Trees.str(spec, "version");
    String name = Meta.name(obj);
    String required = version + "." + group;
    if (!name.isEmpty() && Names.pathSegment(name, false).isEmpty() && !name.equals(required)) {
      errors.add(Errors.invalid("metadata.name", name, "must be `spec.version+\".\"+spec.group`: \"" + required + "\""));
    }
    // only the legacy core group may be registered without a group name
    if (group.isEmpty() && !version.equals("v1")) {
      errors.add(Errors.required("spec.group", "only v1 may have an empty group and it better be legacy kube"));
    }
    if (!group.isEmpty()) {
      for (String msg : Names.dns1123Subdomain(group)) errors.add(Errors.invalid("spec.group", group, msg));
    }
    for (String msg : Names.dns1035Label(version)) errors.add(Errors.invalid("spec.version", version, msg));
    long groupPriority = Trees.num(spec, "groupPriorityMinimum", 0);
    if (groupPriority <= 0 || groupPriority > 20000) {
      errors.add(Errors.invalid("spec.groupPriorityMinimum", groupPriority, "must be positive and less than 20000"));
    }
    long versionPriority = Trees.num(spec, "versionPriority", 0);
    if (versionPriority <= 0 || versionPriority > 1000) {
      errors.add(Errors.invalid("spec.versionPriority", versionPriority, "must be positive and less than 1000"));
    }
    int caBundleBytes = caBundleBytes(spec);
    boolean insecure = Trees.bool(spec, "insecureSkipTLSVerify");
    JsonNode service = Trees.obj(spec, "service");
    if (service == null) {
      if (caBundleBytes != 0) {
        errors.add(Errors.invalid("spec.caBundle", caBundleBytes + " bytes", "local APIServices may not have a caBundle"));
      }
      if (insecure) {
        errors.add(Errors.invalid("spec.insecureSkipTLSVerify", true, "local APIServices may not have insecureSkipTLSVerify"));
      }
      return;
    }
    if (Trees.str(service, "namespace").isEmpty()) errors.add(Errors.required("spec.service.namespace"));
    if (Trees.str(service, "name").isEmpty()) errors.add(Errors.required("spec.service.name"));
    long port = Trees.num(service, "port", 443);
    List<String> portErrors = Names.portNumber(port);
    if (!portErrors.isEmpty()) {
      errors.add(Errors.invalid("spec.service.port", port, "port is not valid: " + String.join(", ", portErrors)));
    }
    if (insecure && caBundleBytes > 0) {
      errors.add(Errors.invalid("spec.insecureSkipTLSVerify", true, "may not be true if caBundle is present"));
    }
  }

  /** The decoded length of spec.caBundle (base64 in JSON); an undecodable value counts by its text length. */
  static int caBundleBytes(JsonNode spec) {
    String b64 = Trees.str(spec, "caBundle");
    if (b64.isEmpty()) return 0;
    try {
      return Base64.getDecoder().decode(b64).length;
    } catch (IllegalArgumentException e) {
      return b64.length();
    }
  }
}
