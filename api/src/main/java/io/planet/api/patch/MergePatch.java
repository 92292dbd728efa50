package io.planet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RFC 7386 JSON Merge Patch ({@code application/merge-patch+json}) as evanphx/json-patch.v4's MergePatch does it:
 * objects merge recursively, null deletes, anything else replaces. Values taken from the patch have their nulls pruned
 * (including null array elements, a json-patch quirk kept for fidelity).
 *
 * <p>A patch that is null or a scalar is 400 BadRequest "Invalid JSON Patch"; an array patch replaces the whole
 * document (the caller then finds the result is not an object).
 */
public final class MergePatch {
  /** evanphx/json-patch's ErrBadJSONPatch text. */
  static final String INVALID_PATCH = "Invalid JSON Patch";

  private MergePatch() {}

  /** Applies {@code patch} to a copy of {@code doc}; {@code doc} is never modified. */
  public static JsonNode apply(JsonNode doc, JsonNode patch) {
    Objects.requireNonNull(doc, "doc");
    if (patch == null || patch.isNull() || patch.isMissingNode()) throw PatchErrors.badRequest(INVALID_PATCH);
    if (patch.isArray()) return pruneNulls(patch.deepCopy());
    if (!patch.isObject()) throw PatchErrors.badRequest(INVALID_PATCH);
    ObjectNode p = patch.deepCopy();
    if (!doc.isObject()) return pruneNulls(p);
    ObjectNode result = doc.deepCopy();
    mergeDocs(result, p);
    return result;
  }

  private static void mergeDocs(ObjectNode doc, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (value.isNull()) {
        doc.remove(key);
        continue;
      }
      JsonNode cur = doc.get(key);
      if (cur == null || cur.isNull()) {
        doc.set(key, pruneNulls(value));
      } else {
        doc.set(key, merge(cur, value));
      }
    }
  }

  private static JsonNode merge(JsonNode cur, JsonNode patch) {
    if (!cur.isObject()) return pruneNulls(patch);
    // An object replaced by a non-object keeps the patch value as sent (json-patch does not prune here).
    if (!patch.isObject()) return patch;
    mergeDocs((ObjectNode) cur, (ObjectNode) patch);
    return cur;
  }

  private static JsonNode pruneNulls(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> nulls = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) nulls.add(e.getKey());
        else pruneNulls(e.getValue());
      }
      o.remove(nulls);
    } else if (n instanceof ArrayNode a) {
      for (int i = a.size() - 1; i >= 0; i--) {
        if (a.get(i).isNull()) a.remove(i);
        else pruneNulls(a.get(i));
      }
    }
    return n;
  }
}
