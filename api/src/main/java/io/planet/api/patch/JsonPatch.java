package io.planet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RFC 6902 JSON Patch ({@code application/json-patch+json}) with the semantics of gopkg.in/evanphx/json-patch.v4, the
 * library kube-apiserver uses. Its deviations from the RFC are kept on purpose, since clients see them:
 * {@code replace} of a missing object member adds it, {@code copy} from a missing member copies null, negative array
 * indices count from the end, and a path not starting with '/' has its first token ignored.
 *
 * <p>Errors: a patch that is not an array of objects is 400 BadRequest (the decode error); an operation that does not
 * apply is 422 Invalid with upstream's generic message; more than {@value #MAX_OPERATIONS} operations is 413.
 */
public final class JsonPatch {
  /** apiserver's maxJSONPatchOperations. */
  public static final int MAX_OPERATIONS = 10000;

  private JsonPatch() {}

  /** Applies {@code patch} to a copy of {@code doc}; {@code doc} is never modified. */
  public static JsonNode apply(JsonNode doc, JsonNode patch) {
    Objects.requireNonNull(doc, "doc");
    List<JsonNode> ops = decode(patch);
    if (ops.size() > MAX_OPERATIONS) {
      throw PatchErrors.tooLarge("The allowed maximum operations in a JSON patch is " + MAX_OPERATIONS
          + ", got " + ops.size());
    }
    Document d = new Document(doc.deepCopy());
    for (JsonNode op : ops) {
      try {
        d.apply(op);
      } catch (OperationFailed e) {
        throw PatchErrors.unprocessable(e.getMessage());
      }
    }
    return d.root;
  }

  /** DecodePatch: the body must be a JSON array of objects (null decodes to no operations). */
  private static List<JsonNode> decode(JsonNode patch) {
    List<JsonNode> ops = new ArrayList<>();
    if (patch == null || patch.isNull() || patch.isMissingNode()) return ops;
    if (!patch.isArray()) {
      throw PatchErrors.badRequest("json: cannot unmarshal " + GoValues.jsonKind(patch)
          + " into Go value of type jsonpatch.Patch");
    }
    for (JsonNode op : patch) {
      if (!op.isObject() && !op.isNull()) {
        throw PatchErrors.badRequest("json: cannot unmarshal " + GoValues.jsonKind(op)
            + " into Go value of type jsonpatch.Operation");
      }
      ops.add(op);
    }
    return ops;
  }

  /** An operation that cannot be applied; carries json-patch's own message. */
  private static final class OperationFailed extends Exception {
    OperationFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** The parent container of a path's last token. */
  private record Target(JsonNode container, String key) {}

  private static final class Document {
    JsonNode root;

    Document(JsonNode root) {
      this.root = root;
    }

    void apply(JsonNode op) throws OperationFailed {
      String kind = kind(op);
      switch (kind) {
        case "add" -> add(op);
        case "remove" -> remove(op);
        case "replace" -> replace(op);
        case "move" -> move(op);
        case "test" -> test(op);
        case "copy" -> copy(op);
        default -> throw new OperationFailed("Unexpected kind: " + kind);
      }
    }

    private void add(JsonNode op) throws OperationFailed {
      String path = pointer(op, "path", "add operation failed to decode path");
      Target t = find(path);
      if (t == null) throw new OperationFailed("add operation does not apply: doc is missing path: \"" + path + "\"");
      insert(t, value(op), path);
    }

    private void remove(JsonNode op) throws OperationFailed {
      String path = pointer(op, "path", "remove operation failed to decode path");
      Target t = find(path);
      if (t == null) {
        throw new OperationFailed("remove operation does not apply: doc is missing path: \"" + path + "\"");
      }
      delete(t, path);
    }

    private void replace(JsonNode op) throws OperationFailed {
      String path = pointer(op, "path", "replace operation failed to decode path");
      if (path.isEmpty()) {
        JsonNode v = value(op);
        if (!v.isObject() && !v.isArray()) {
          throw new OperationFailed("replace operation value must be object or array");
        }
        root = v;
        return;
      }
      Target t = find(path);
      if (t == null) throw new OperationFailed("replace operation does not apply: doc is missing path: " + path);
      // A missing object member is not an error in json-patch v4: replace then behaves like add.
      get(t, "replace operation does not apply: doc is missing key: " + path);
      if (t.container instanceof ObjectNode o) {
        o.set(t.key, value(op));
      } else {
        ArrayNode a = (ArrayNode) t.container;
        a.set(arrayIndex(a, t.key, a.size(), "error in remove for path: '" + path + "'"), value(op));
      }
    }

    private void move(JsonNode op) throws OperationFailed {
      String from = pointer(op, "from", "move operation failed to decode from");
      Target src = find(from);
      if (src == null) throw new OperationFailed("move operation does not apply: doc is missing from path: " + from);
      JsonNode val = get(src, "error in move for path: '" + src.key + "'");
      delete(src, src.key);
      String path = pointer(op, "path", "move operation failed to decode path");
      Target dst = find(path);
      if (dst == null) {
        throw new OperationFailed("move operation does not apply: doc is missing destination path: " + path);
      }
      insert(dst, val == null ? NullNode.getInstance() : val, path);
    }

    private void test(JsonNode op) throws OperationFailed {
      String path = pointer(op, "path", "test operation failed to decode path");
      JsonNode expected = op.get("value");
      if (path.isEmpty()) {
        if (expected != null && equal(root, expected)) return;
        throw new OperationFailed("testing value " + path + " failed");
      }
      Target t = find(path);
      if (t == null) throw new OperationFailed("test operation does not apply: is missing path: " + path);
      JsonNode actual = get(t, "error in test for path: '" + path + "'");
      if (actual == null || actual.isNull()) {
        // A missing or null member matches an absent or null value.
        if (expected == null || expected.isNull()) return;
        throw new OperationFailed("testing value " + path + " failed");
      }
      if (expected == null || !equal(actual, expected)) {
        throw new OperationFailed("testing value " + path + " failed");
      }
    }

    private void copy(JsonNode op) throws OperationFailed {
      String from = pointer(op, "from", "copy operation failed to decode from");
      Target src = find(from);
      if (src == null) throw new OperationFailed("copy operation does not apply: doc is missing from path: " + from);
      JsonNode val = get(src, "error in copy for from: '" + from + "'");
      String path = pointer(op, "path", "copy operation failed to decode path");
      Target dst = find(path);
      if (dst == null) {
        throw new OperationFailed("copy operation does not apply: doc is missing destination path: " + path);
      }
      insert(dst, val == null ? NullNode.getInstance() : val.deepCopy(), path);
    }

    /** findObject: walks all tokens but the last; only objects and arrays can be traversed. */
    private Target find(String path) {
      String[] split = path.split("/", -1);
      if (split.length < 2) return null;
      JsonNode cur = root;
      for (int i = 1; i < split.length - 1; i++) {
        JsonNode next;
        try {
          next = get(new Target(cur, unescape(split[i])), "");
        } catch (OperationFailed e) {
          return null;
        }
        if (next == null || !(next.isObject() || next.isArray())) return null;
        cur = next;
      }
      if (!cur.isObject() && !cur.isArray()) return null;
      return new Target(cur, unescape(split[split.length - 1]));
    }

    /** The member or element at a target; null when an object member is missing (not an error upstream). */
    private JsonNode get(Target t, String context) throws OperationFailed {
      if (t.container instanceof ObjectNode o) return o.get(t.key);
      ArrayNode a = (ArrayNode) t.container;
      return a.get(arrayIndex(a, t.key, a.size(), context));
    }

    private void insert(Target t, JsonNode value, String path) throws OperationFailed {
      if (t.container instanceof ObjectNode o) {
        o.set(t.key, value);
        return;
      }
      ArrayNode a = (ArrayNode) t.container;
      if (t.key.equals("-")) {
        a.add(value);
        return;
      }
      int idx = parseIndex(t.key, "error in add for path: '" + path + "': value was not a proper array index: '"
          + t.key + "'");
      int size = a.size() + 1;
      if (idx >= size || idx < -size) {
        throw new OperationFailed("error in add for path: '" + path + "': Unable to access invalid index: " + idx);
      }
      if (idx < 0) idx += size;
      a.insert(idx, value);
    }

    private void delete(Target t, String path) throws OperationFailed {
      if (t.container instanceof ObjectNode o) {
        if (!o.has(t.key)) {
          throw new OperationFailed("error in remove for path: '" + path + "': Unable to remove nonexistent key: "
              + t.key);
        }
        o.remove(t.key);
        return;
      }
      ArrayNode a = (ArrayNode) t.container;
      a.remove(arrayIndex(a, t.key, a.size(), "error in remove for path: '" + path + "'"));
    }
  }

  private static int arrayIndex(ArrayNode a, String key, int size, String context) throws OperationFailed {
    int idx = parseIndex(key, context + ": invalid index " + key);
    if (idx >= size || idx < -size) throw new OperationFailed(context + ": Unable to access invalid index: " + idx);
    return idx < 0 ? idx + size : idx;
  }

  /** strconv.Atoi: optional sign and decimal digits. */
  private static int parseIndex(String key, String message) throws OperationFailed {
    try {
      return Integer.parseInt(key);
    } catch (NumberFormatException e) {
      throw new OperationFailed(message);
    }
  }

  private static String kind(JsonNode op) {
    JsonNode k = op.get("op");
    return k != null && k.isTextual() ? k.asText() : "unknown";
  }

  private static String pointer(JsonNode op, String field, String message) throws OperationFailed {
    JsonNode p = op.get(field);
    if (p == null || !p.isTextual()) throw new OperationFailed(message);
    return p.asText();
  }

  /** An absent "value" adds null, as json-patch v4 does. */
  private static JsonNode value(JsonNode op) {
    JsonNode v = op.get("value");
    return v == null ? NullNode.getInstance() : v.deepCopy();
  }

  /** RFC 6901: "~1" then "~0", in one left-to-right pass. */
  static String unescape(String token) {
    if (token.indexOf('~') < 0) return token;
    StringBuilder b = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '~' && i + 1 < token.length() && (token.charAt(i + 1) == '0' || token.charAt(i + 1) == '1')) {
        b.append(token.charAt(i + 1) == '0' ? '~' : '/');
        i++;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * json-patch v4's lazyNode.equal: scalars compare by their JSON text, arrays element-wise; objects match when every
   * member of the document's object is in the expected value (extra expected members are not checked upstream).
   */
  private static boolean equal(JsonNode actual, JsonNode expected) {
    if (actual.isObject()) {
      if (!expected.isObject()) return false;
      Iterator<Map.Entry<String, JsonNode>> it = actual.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode other = expected.get(e.getKey());
        if (other == null) return false;
        if (e.getValue().isNull() && other.isNull()) continue;
        if (e.getValue().isNull() || other.isNull()) return false;
        if (!equal(e.getValue(), other)) return false;
      }
      return true;
    }
    if (actual.isArray()) {
      if (!expected.isArray() || actual.size() != expected.size()) return false;
      for (int i = 0; i < actual.size(); i++) {
        if (!equal(actual.get(i), expected.get(i))) return false;
      }
      return true;
    }
    if (expected.isContainerNode()) return false;
    return actual.toString().equals(expected.toString());
  }
}
