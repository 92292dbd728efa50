package io.planet.api.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.planet.api.Json;

/**
 * The apiextensions types whose JSON is not their protobuf shape: raw JSON values and the either-or wrappers
 * (JSONSchemaPropsOrArray/OrBool/OrStringArray), rendered as their Go MarshalJSON does.
 */
final class JsonSchemaProps {
  private JsonSchemaProps() {}

  /** The JSON of a wrapper type, or null when the message is an ordinary object. */
  static JsonNode special(Message m) {
    switch (m.getDescriptorForType().getName()) {
      case "JSON":
        return ProtoJson.embedded(ProtoJson.bytesField(m, "raw"));
      case "JSONSchemaPropsOrArray": {
        if (has(m, "schema")) return schema(m);
        return repeated(m, "jSONSchemas");
      }
      case "JSONSchemaPropsOrBool": {
        if (has(m, "schema")) return schema(m);
        return Json.NODES.booleanNode((Boolean) m.getField(field(m, "allows")));
      }
      case "JSONSchemaPropsOrStringArray": {
        if (m.getRepeatedFieldCount(field(m, "property")) > 0) return repeated(m, "property");
        if (has(m, "schema")) return schema(m);
        return NullNode.getInstance();
      }
      default:
        return null;
    }
  }

  private static JsonNode schema(Message m) {
    return ProtoJson.object((Message) m.getField(field(m, "schema")));
  }

  private static JsonNode repeated(Message m, String name) {
    FieldDescriptor f = field(m, name);
    if (m.getRepeatedFieldCount(f) == 0) return NullNode.getInstance();
    ArrayNode arr = Json.array();
    for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
      Object v = m.getRepeatedField(f, i);
      arr.add(v instanceof Message msg ? ProtoJson.object(msg) : Json.NODES.textNode(String.valueOf(v)));
    }
    return arr;
  }

  private static boolean has(Message m, String name) {
    return m.hasField(field(m, name));
  }

  private static FieldDescriptor field(Message m, String name) {
    return m.getDescriptorForType().findFieldByName(name);
  }
}
