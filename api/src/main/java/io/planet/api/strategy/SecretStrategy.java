package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** core/v1 Secret: stringData folded into data, type Opaque, per-type required keys, immutability. */
public final class SecretStrategy implements ResourceStrategy {
  static final String SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name";

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    Trees.putIfAbsent(obj, "type", "Opaque");
    // v1 conversion: stringData is write-only and wins over data
    ObjectNode stringData = Trees.obj(obj, "stringData");
    if (stringData != null) {
      ObjectNode data = Trees.with(obj, "data");
      stringData.fields().forEachRemaining(e -> data.put(e.getKey(),
          Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
    obj.remove("stringData");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    long total = DataKeys.validateKeys(obj, "data", true, errors);
    if (total > DataKeys.MAX_SIZE) errors.add(Errors.tooLong("data", DataKeys.MAX_SIZE));
    ObjectNode data = Trees.obj(obj, "data");
    switch (Trees.str(obj, "type")) {
      case "kubernetes.io/service-account-token" -> {
        if (Meta.annotations(obj).getOrDefault(SERVICE_ACCOUNT_NAME, "").isEmpty()) {
          errors.add(Errors.required("metadata.annotations[" + SERVICE_ACCOUNT_NAME + "]"));
        }
      }
      case "kubernetes.io/dockercfg" -> requireKey(data, ".dockercfg", errors);
      case "kubernetes.io/dockerconfigjson" -> requireKey(data, ".dockerconfigjson", errors);
      case "kubernetes.io/basic-auth" -> {
        if (!Trees.has(data, "username") && !Trees.has(data, "password")) {
          errors.add(Errors.required("data[username]"));
          errors.add(Errors.required("data[password]"));
        }
      }
      case "kubernetes.io/ssh-auth" -> requireKey(data, "ssh-privatekey", errors);
      case "kubernetes.io/tls" -> {
        requireKey(data, "tls.key", errors);
        requireKey(data, "tls.crt", errors);
      }
      default -> { }
    }
  }

  private static void requireKey(JsonNode data, String key, List<FieldError> errors) {
    if (!Trees.has(data, key)) errors.add(Errors.required("data[" + key + "]"));
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    Errors.immutable(Trees.str(obj, "type"), Trees.str(old, "type"), "type", errors);
    DataKeys.immutability(obj, old, List.of("data"), errors);
    validate(type, obj, errors);
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("type", Trees.str(obj, "type"));
  }
}
