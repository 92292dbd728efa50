package io.planet.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;

/** The shared JSON/YAML mappers. Objects travel through the server as Jackson trees (like upstream's unstructured). */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();
  /** Rejects duplicate keys: used for fieldValidation=Strict. */
  public static final ObjectMapper STRICT_MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();
  public static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  public static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  public static JsonNode parse(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String text(JsonNode node) {
    return node.toString();
  }

  /** Reads an optional string; "" when absent or null. */
  public static String str(JsonNode node, String field) {
    if (node == null) return "";
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  /** Walks a dotted path of object fields; null when any step is missing. */
  public static JsonNode at(JsonNode node, String... path) {
    JsonNode cur = node;
    for (String p : path) {
      if (cur == null || !cur.isObject()) return null;
      cur = cur.get(p);
    }
    return cur == null || cur.isNull() ? null : cur;
  }

  /** Gets or creates a child object. */
  public static ObjectNode with(ObjectNode node, String field) {
    JsonNode v = node.get(field);
    if (v instanceof ObjectNode o) return o;
    return node.putObject(field);
  }

  public static boolean isParseError(Throwable t) {
    return t instanceof com.fasterxml.jackson.core.JsonProcessingException;
  }
}
