package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Key syntax, total size and immutability of configmap and secret data. */
final class DataKeys {
  private DataKeys() {}

  static final int MAX_SIZE = 1024 * 1024;

  /** Validates keys of {@code obj[field]}; returns the total size (base64 values decoded when {@code binary}). */
  static long validateKeys(ObjectNode obj, String field, boolean binary, List<FieldError> errors) {
    ObjectNode data = Trees.obj(obj, field);
    if (data == null) return 0;
    long total = 0;
    for (var e : MetadataValidation.iterable(data)) {
      for (String m : Names.configMapKey(e.getKey())) errors.add(Errors.invalid(field + "[" + e.getKey() + "]", e.getKey(), m));
      total += size(e.getValue(), binary);
    }
    return total;
  }

  static long size(JsonNode v, boolean binary) {
    if (v == null || v.isNull()) return 0;
    String s = v.asText();
    if (binary) {
      try {
        return Base64.getDecoder().decode(s).length;
      } catch (IllegalArgumentException e) {
        return s.length() * 3L / 4;
      }
    }
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** immutable: true forbids changing the flag back and the listed data fields. */
  static void immutability(ObjectNode obj, ObjectNode old, List<String> fields, List<FieldError> errors) {
    if (!Trees.bool(old, "immutable")) return;
    if (!Trees.bool(obj, "immutable")) errors.add(Errors.forbidden("immutable", "field is immutable when `immutable` is set"));
    for (String f : fields) {
      if (!Trees.semanticEquals(Trees.obj(obj, f), Trees.obj(old, f))) {
        errors.add(Errors.forbidden(f, "field is immutable when `immutable` is set"));
      }
    }
  }
}
