package io.planet.api.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Encodes a swagger 2.0 JSON document as gnostic's protobuf message {@code openapi.v2.Document}, the way gnostic's
 * compiler maps the JSON: objects become messages with fixed field numbers, maps become repeated (name, value) pairs,
 * {@code x-} keys become {@code NamedAny} vendor extensions whose {@code Any.yaml} holds the value as YAML (that is
 * the field kube-openapi reads), and the oneof wrappers (TypeItem, ItemsItem, ParametersItem, ...) are chosen by the
 * JSON's shape. Keys gnostic does not know are dropped. Proto3 rules: scalar defaults are not written.
 */
final class GnosticV2Encoder {
  private GnosticV2Encoder() {}

  /** Writes one JSON value as field {@code number} of the message being built. */
  @FunctionalInterface
  private interface Encoder {
    void write(Message out, int number, JsonNode value);
  }

  /** A message whose fields map one-to-one to JSON keys, plus its {@code repeated NamedAny vendor_extension}. */
  private record Field(String key, int number, Encoder encoder) {}

  private static final class Shape {
    private final List<Field> fields = new ArrayList<>();
    private int vendorExtension;

    Shape field(String key, int number, Encoder encoder) {
      fields.add(new Field(key, number, encoder));
      return this;
    }

    Shape vendorExtension(int number) {
      vendorExtension = number;
      return this;
    }

    byte[] encode(JsonNode json) {
      Message m = new Message();
      for (Field f : fields) {
        JsonNode v = json.get(f.key());
        if (v != null && !v.isNull()) f.encoder().write(m, f.number(), v);
      }
      if (vendorExtension != 0) vendorExtensions(m, vendorExtension, json);
      return m.bytes();
    }

    Encoder asField() {
      return (out, number, value) -> {
        if (value.isObject()) out.message(number, encode(value));
      };
    }

    Encoder asRepeated() {
      return (out, number, value) -> {
        for (JsonNode item : value.isArray() ? value : List.of(value)) {
          if (item.isObject()) out.message(number, encode(item));
        }
      };
    }
  }

  /** A message under construction; nested messages are encoded first and written length-delimited. */
  private static final class Message {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

    void string(int number, String s) {
      try {
        out.writeString(number, s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void bool(int number, boolean b) {
      try {
        out.writeBool(number, b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void float64(int number, double d) {
      try {
        out.writeDouble(number, d);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void int64(int number, long l) {
      try {
        out.writeInt64(number, l);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void message(int number, byte[] encoded) {
      try {
        out.writeByteArray(number, encoded);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    byte[] bytes() {
      try {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buffer.toByteArray();
    }
  }

  // YAML as gnostic writes it into Any.yaml: one document, no "---", strings quoted so "1" or "true" stay strings.
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .build());

  // Scalars. Proto3 does not write default values.
  private static final Encoder STRING = (out, n, v) -> {
    if (v.isValueNode() && !v.asText().isEmpty()) out.string(n, v.asText());
  };
  private static final Encoder BOOL = (out, n, v) -> {
    if (v.asBoolean()) out.bool(n, true);
  };
  private static final Encoder DOUBLE = (out, n, v) -> {
    if (v.isNumber() && v.doubleValue() != 0) out.float64(n, v.doubleValue());
  };
  private static final Encoder INT64 = (out, n, v) -> {
    if (v.isNumber() && v.longValue() != 0) out.int64(n, v.longValue());
  };
  private static final Encoder STRINGS = (out, n, v) -> {
    for (JsonNode s : v.isArray() ? v : List.of(v)) {
      if (s.isValueNode()) out.string(n, s.asText());
    }
  };
  /** {@code Any}: the value as YAML in field 2 (field 1, a google.protobuf.Any, is only for compiler extensions). */
  private static final Encoder ANY = (out, n, v) -> out.message(n, any(v));
  private static final Encoder ANYS = (out, n, v) -> {
    for (JsonNode item : v.isArray() ? v : List.of(v)) out.message(n, any(item));
  };

  private static byte[] any(JsonNode value) {
    Message m = new Message();
    m.string(2, yaml(value));
    return m.bytes();
  }

  static String yaml(JsonNode value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** {@code repeated NamedAny vendor_extension}: every {@code x-} key in document order. */
  private static void vendorExtensions(Message out, int number, JsonNode json) {
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("x-")) out.message(number, named(e.getKey(), ANY, e.getValue()));
    }
  }

  /** A {@code Named<T>} pair: name = 1, value = 2. */
  private static byte[] named(String name, Encoder value, JsonNode json) {
    Message m = new Message();
    m.string(1, name);
    value.write(m, 2, json);
    return m.bytes();
  }

  /**
   * A map message: its non-{@code x-} entries as repeated {@code Named<T>} in field {@code namedField}, its {@code x-}
   * entries as vendor extensions in field {@code vendorField} (0 when the message has none, then all keys are entries).
   */
  private static Encoder map(int namedField, Encoder value, int vendorField) {
    return (out, number, json) -> {
      if (!json.isObject()) return;
      Message m = new Message();
      for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (vendorField != 0 && e.getKey().startsWith("x-")) continue;
        m.message(namedField, named(e.getKey(), value, e.getValue()));
      }
      if (vendorField != 0) vendorExtensions(m, vendorField, json);
      out.message(number, m.bytes());
    };
  }

  /** A message of one oneof field, chosen by {@code pick} (returns the field number, 0 to skip the value). */
  private static Encoder oneof(ToIntFunction<JsonNode> pick, Map<Integer, Encoder> choices) {
    return (out, number, json) -> {
      int choice = pick.applyAsInt(json);
      if (choice == 0) return;
      Message m = new Message();
      choices.get(choice).write(m, choice, json);
      out.message(number, m.bytes());
    };
  }

  private static final Shape EXTERNAL_DOCS = new Shape()
      .field("description", 1, STRING).field("url", 2, STRING).vendorExtension(3);
  private static final Shape XML = new Shape()
      .field("name", 1, STRING).field("namespace", 2, STRING).field("prefix", 3, STRING)
      .field("attribute", 4, BOOL).field("wrapped", 5, BOOL).vendorExtension(6);
  private static final Shape JSON_REFERENCE = new Shape().field("$ref", 1, STRING).field("description", 2, STRING);

  private static final Shape SCHEMA = new Shape();
  private static final Encoder SCHEMA_FIELD = SCHEMA.asField();

  static {
    // TypeItem: "type" is a string or a list of strings.
    Encoder typeItem = (out, n, v) -> {
      Message m = new Message();
      STRINGS.write(m, 1, v);
      out.message(n, m.bytes());
    };
    // ItemsItem: "items" is one schema or a list of schemas.
    Encoder itemsItem = (out, n, v) -> {
      Message m = new Message();
      SCHEMA.asRepeated().write(m, 1, v);
      out.message(n, m.bytes());
    };
    // AdditionalPropertiesItem: a schema or a boolean (a oneof member is written even when false).
    Encoder additionalProperties = (out, n, v) -> {
      Message m = new Message();
      if (v.isBoolean()) {
        m.bool(2, v.booleanValue());
      } else if (v.isObject()) {
        m.message(1, SCHEMA.encode(v));
      } else {
        return;
      }
      out.message(n, m.bytes());
    };
    SCHEMA.field("$ref", 1, STRING).field("format", 2, STRING).field("title", 3, STRING)
        .field("description", 4, STRING).field("default", 5, ANY).field("multipleOf", 6, DOUBLE)
        .field("maximum", 7, DOUBLE).field("exclusiveMaximum", 8, BOOL).field("minimum", 9, DOUBLE)
        .field("exclusiveMinimum", 10, BOOL).field("maxLength", 11, INT64).field("minLength", 12, INT64)
        .field("pattern", 13, STRING).field("maxItems", 14, INT64).field("minItems", 15, INT64)
        .field("uniqueItems", 16, BOOL).field("maxProperties", 17, INT64).field("minProperties", 18, INT64)
        .field("required", 19, STRINGS).field("enum", 20, ANYS).field("additionalProperties", 21, additionalProperties)
        .field("type", 22, typeItem).field("items", 23, itemsItem).field("allOf", 24, SCHEMA.asRepeated())
        .field("properties", 25, map(1, SCHEMA_FIELD, 0)).field("discriminator", 26, STRING)
        .field("readOnly", 27, BOOL).field("xml", 28, XML.asField()).field("externalDocs", 29, EXTERNAL_DOCS.asField())
        .field("example", 30, ANY).vendorExtension(31);
  }

  private static final Shape FILE_SCHEMA = new Shape()
      .field("format", 1, STRING).field("title", 2, STRING).field("description", 3, STRING).field("default", 4, ANY)
      .field("required", 5, STRINGS).field("type", 6, STRING).field("readOnly", 7, BOOL)
      .field("externalDocs", 8, EXTERNAL_DOCS.asField()).field("example", 9, ANY).vendorExtension(10);

  /** PrimitivesItems, also the layout (from "type" on) shared by Header and the non-body parameter sub-schemas. */
  private static final Shape PRIMITIVES_ITEMS = new Shape();

  /** The validation keywords of a primitive, numbered from {@code first} on, in gnostic's order. */
  private static Shape primitive(Shape s, int first, boolean withItems) {
    int n = first;
    s.field("type", n++, STRING).field("format", n++, STRING);
    if (withItems) s.field("items", n++, PRIMITIVES_ITEMS.asField());
    return s.field("collectionFormat", n++, STRING).field("default", n++, ANY).field("maximum", n++, DOUBLE)
        .field("exclusiveMaximum", n++, BOOL).field("minimum", n++, DOUBLE).field("exclusiveMinimum", n++, BOOL)
        .field("maxLength", n++, INT64).field("minLength", n++, INT64).field("pattern", n++, STRING)
        .field("maxItems", n++, INT64).field("minItems", n++, INT64).field("uniqueItems", n++, BOOL)
        .field("enum", n++, ANYS).field("multipleOf", n, DOUBLE);
  }

  static {
    primitive(PRIMITIVES_ITEMS, 1, true).vendorExtension(18);
  }

  private static final Shape HEADER = primitive(new Shape(), 1, true).field("description", 18, STRING)
      .vendorExtension(19);

  /** Header and path parameters: required, in, description, name, then the primitive keywords from 5. */
  private static Shape headerOrPathParameter() {
    Shape s = new Shape().field("required", 1, BOOL).field("in", 2, STRING).field("description", 3, STRING)
        .field("name", 4, STRING);
    return primitive(s, 5, true).vendorExtension(22);
  }

  /** Query and formData parameters: as header/path, with allowEmptyValue at 5 and the primitive keywords from 6. */
  private static Shape queryOrFormDataParameter() {
    Shape s = new Shape().field("required", 1, BOOL).field("in", 2, STRING).field("description", 3, STRING)
        .field("name", 4, STRING).field("allowEmptyValue", 5, BOOL);
    return primitive(s, 6, true).vendorExtension(23);
  }

  private static final Shape BODY_PARAMETER = new Shape()
      .field("description", 1, STRING).field("name", 2, STRING).field("in", 3, STRING).field("required", 4, BOOL)
      .field("schema", 5, SCHEMA_FIELD).vendorExtension(6);

  /** NonBodyParameter: header 1, formData 2, query 3, path 4, chosen by "in". */
  private static final Encoder NON_BODY_PARAMETER = oneof(p -> switch (p.path("in").asText()) {
    case "header" -> 1;
    case "formData" -> 2;
    case "query" -> 3;
    case "path" -> 4;
    default -> 0;
  }, Map.of(1, headerOrPathParameter().asField(), 2, queryOrFormDataParameter().asField(),
      3, queryOrFormDataParameter().asField(), 4, headerOrPathParameter().asField()));

  /** Parameter: body 1 or non-body 2. */
  private static final Encoder PARAMETER = oneof(p -> p.path("in").asText().equals("body") ? 1 : 2,
      Map.of(1, BODY_PARAMETER.asField(), 2, NON_BODY_PARAMETER));

  /** ParametersItem: a parameter 1 or a JSON reference 2. */
  private static final Encoder PARAMETERS_ITEM = oneof(p -> !p.isObject() ? 0 : p.has("$ref") ? 2 : 1,
      Map.of(1, PARAMETER, 2, JSON_REFERENCE.asField()));

  private static final Encoder PARAMETERS = (out, n, v) -> {
    for (JsonNode p : v) PARAMETERS_ITEM.write(out, n, p);
  };

  /** SchemaItem: a schema 1, or a file schema 2 when its type is "file". */
  private static final Encoder SCHEMA_ITEM = oneof(s -> !s.isObject() ? 0 : s.path("type").asText().equals("file") ? 2 : 1,
      Map.of(1, SCHEMA_FIELD, 2, FILE_SCHEMA.asField()));

  private static final Shape RESPONSE = new Shape()
      .field("description", 1, STRING).field("schema", 2, SCHEMA_ITEM).field("headers", 3, map(1, HEADER.asField(), 0))
      .field("examples", 4, map(1, ANY, 0)).vendorExtension(5);

  /** ResponseValue: a response 1 or a JSON reference 2. */
  private static final Encoder RESPONSE_VALUE = oneof(r -> !r.isObject() ? 0 : r.has("$ref") ? 2 : 1,
      Map.of(1, RESPONSE.asField(), 2, JSON_REFERENCE.asField()));

  /** SecurityRequirement: name to a StringArray of scopes. */
  private static final Encoder SECURITY_REQUIREMENT = (out, n, v) -> {
    for (JsonNode requirement : v.isArray() ? v : List.of(v)) {
      map(1, (m, f, scopes) -> {
        Message array = new Message();
        STRINGS.write(array, 1, scopes);
        m.message(f, array.bytes());
      }, 0).write(out, n, requirement);
    }
  };

  private static final Shape OPERATION = new Shape()
      .field("tags", 1, STRINGS).field("summary", 2, STRING).field("description", 3, STRING)
      .field("externalDocs", 4, EXTERNAL_DOCS.asField()).field("operationId", 5, STRING).field("produces", 6, STRINGS)
      .field("consumes", 7, STRINGS).field("parameters", 8, PARAMETERS).field("responses", 9, map(1, RESPONSE_VALUE, 2))
      .field("schemes", 10, STRINGS).field("deprecated", 11, BOOL).field("security", 12, SECURITY_REQUIREMENT)
      .vendorExtension(13);

  private static final Shape PATH_ITEM = new Shape()
      .field("$ref", 1, STRING).field("get", 2, OPERATION.asField()).field("put", 3, OPERATION.asField())
      .field("post", 4, OPERATION.asField()).field("delete", 5, OPERATION.asField())
      .field("options", 6, OPERATION.asField()).field("head", 7, OPERATION.asField())
      .field("patch", 8, OPERATION.asField()).field("parameters", 9, PARAMETERS).vendorExtension(10);

  /** Paths: vendor extensions first (field 1), then each path (field 2). */
  private static final Encoder PATHS = (out, n, v) -> {
    if (!v.isObject()) return;
    Message m = new Message();
    vendorExtensions(m, 1, v);
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("x-")) m.message(2, named(e.getKey(), PATH_ITEM.asField(), e.getValue()));
    }
    out.message(n, m.bytes());
  };

  private static final Encoder SCOPES = map(1, STRING, 0);

  /** The security scheme types, chosen by "type" and, for oauth2, by "flow". */
  private static final Encoder SECURITY_DEFINITIONS_ITEM = oneof(s -> switch (s.path("type").asText()) {
    case "basic" -> 1;
    case "apiKey" -> 2;
    case "oauth2" -> switch (s.path("flow").asText()) {
      case "implicit" -> 3;
      case "password" -> 4;
      case "application" -> 5;
      case "accessCode" -> 6;
      default -> 0;
    };
    default -> 0;
  }, Map.of(
      1, new Shape().field("type", 1, STRING).field("description", 2, STRING).vendorExtension(3).asField(),
      2, new Shape().field("type", 1, STRING).field("name", 2, STRING).field("in", 3, STRING)
          .field("description", 4, STRING).vendorExtension(5).asField(),
      3, new Shape().field("type", 1, STRING).field("flow", 2, STRING).field("scopes", 3, SCOPES)
          .field("authorizationUrl", 4, STRING).field("description", 5, STRING).vendorExtension(6).asField(),
      4, new Shape().field("type", 1, STRING).field("flow", 2, STRING).field("scopes", 3, SCOPES)
          .field("tokenUrl", 4, STRING).field("description", 5, STRING).vendorExtension(6).asField(),
      5, new Shape().field("type", 1, STRING).field("flow", 2, STRING).field("scopes", 3, SCOPES)
          .field("tokenUrl", 4, STRING).field("description", 5, STRING).vendorExtension(6).asField(),
      6, new Shape().field("type", 1, STRING).field("flow", 2, STRING).field("scopes", 3, SCOPES)
          .field("authorizationUrl", 4, STRING).field("tokenUrl", 5, STRING).field("description", 6, STRING)
          .vendorExtension(7).asField()));

  private static final Shape CONTACT = new Shape()
      .field("name", 1, STRING).field("url", 2, STRING).field("email", 3, STRING).vendorExtension(4);
  private static final Shape LICENSE = new Shape().field("name", 1, STRING).field("url", 2, STRING).vendorExtension(3);
  private static final Shape INFO = new Shape()
      .field("title", 1, STRING).field("version", 2, STRING).field("description", 3, STRING)
      .field("termsOfService", 4, STRING).field("contact", 5, CONTACT.asField()).field("license", 6, LICENSE.asField())
      .vendorExtension(7);
  private static final Shape TAG = new Shape()
      .field("name", 1, STRING).field("description", 2, STRING).field("externalDocs", 3, EXTERNAL_DOCS.asField())
      .vendorExtension(4);

  private static final Shape DOCUMENT = new Shape()
      .field("swagger", 1, STRING).field("info", 2, INFO.asField()).field("host", 3, STRING)
      .field("basePath", 4, STRING).field("schemes", 5, STRINGS).field("consumes", 6, STRINGS)
      .field("produces", 7, STRINGS).field("paths", 8, PATHS).field("definitions", 9, map(1, SCHEMA_FIELD, 0))
      .field("parameters", 10, map(1, PARAMETER, 0)).field("responses", 11, map(1, RESPONSE.asField(), 0))
      .field("security", 12, SECURITY_REQUIREMENT)
      .field("securityDefinitions", 13, map(1, SECURITY_DEFINITIONS_ITEM, 0))
      .field("tags", 14, TAG.asRepeated()).field("externalDocs", 15, EXTERNAL_DOCS.asField()).vendorExtension(16);

  /** The {@code openapi.v2.Document} encoding of a swagger 2.0 document. */
  static byte[] document(JsonNode swagger) {
    return DOCUMENT.encode(swagger);
  }
}
