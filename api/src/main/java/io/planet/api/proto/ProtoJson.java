package io.planet.api.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Turns a Kubernetes protobuf message into the JSON the client would have sent: proto field names are the JSON
 * names, and the apimachinery types with a custom JSON form (Time, Quantity, IntOrString, RawExtension…) are
 * rendered the way their Go MarshalJSON renders them.
 */
final class ProtoJson {
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final String TIME = META + "Time";
  private static final String MICRO_TIME = META + "MicroTime";
  private static final String DURATION = META + "Duration";
  private static final String FIELDS_V1 = META + "FieldsV1";
  private static final String VERBS = META + "Verbs";
  private static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
  private static final String QUANTITY_VALUE = "k8s.io.apimachinery.pkg.api.resource.QuantityValue";
  private static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
  private static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";
  private static final String APIEXTENSIONS = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.";

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter RFC3339_MICRO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private ProtoJson() {}

  /** The message's fields as a JSON object (no apiVersion/kind: protobuf carries those in the envelope). */
  static ObjectNode object(Message msg) {
    ObjectNode out = Json.object();
    fields(msg, out);
    return out;
  }

  private static void fields(Message msg, ObjectNode out) {
    for (FieldDescriptor f : msg.getDescriptorForType().getFields()) {
      if (f.isRepeated()) {
        if (msg.getRepeatedFieldCount(f) == 0) continue;
        out.set(jsonName(f), f.isMapField() ? map(msg, f) : list(msg, f));
        continue;
      }
      if (!msg.hasField(f)) continue;
      Object value = msg.getField(f);
      if (JsonFields.isInline(f)) {
        fields((Message) value, out);
        continue;
      }
      if (isZero(f, value) && !PointerFields.keepsZero(f)) continue;
      out.set(jsonName(f), value(f, value));
    }
  }

  private static ArrayNode list(Message msg, FieldDescriptor f) {
    ArrayNode arr = Json.array();
    for (int i = 0; i < msg.getRepeatedFieldCount(f); i++) arr.add(value(f, msg.getRepeatedField(f, i)));
    return arr;
  }

  private static ObjectNode map(Message msg, FieldDescriptor f) {
    ObjectNode obj = Json.object();
    FieldDescriptor keyField = f.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
    for (int i = 0; i < msg.getRepeatedFieldCount(f); i++) {
      Message entry = (Message) msg.getRepeatedField(f, i);
      // Map values are kept even when empty: a label "" is a real label.
      obj.set(String.valueOf(entry.getField(keyField)), value(valueField, entry.getField(valueField)));
    }
    return obj;
  }

  /** Go's omitempty view of a non-pointer field: "", 0, false, empty bytes and IntOrString 0 are "unset". */
  private static boolean isZero(FieldDescriptor f, Object value) {
    switch (f.getJavaType()) {
      case STRING: return ((String) value).isEmpty();
      case BYTE_STRING: return ((ByteString) value).isEmpty();
      case BOOLEAN: return !((Boolean) value);
      case INT: return (Integer) value == 0;
      case LONG: return (Long) value == 0L;
      case DOUBLE: return (Double) value == 0d;
      case FLOAT: return (Float) value == 0f;
      case MESSAGE:
        if (INT_OR_STRING.equals(f.getMessageType().getFullName())) {
          JsonNode v = intOrString((Message) value);
          return v.isNumber() ? v.asLong() == 0 : v.asText().isEmpty();
        }
        return false;
      default: return false;
    }
  }

  private static JsonNode value(FieldDescriptor f, Object v) {
    switch (f.getJavaType()) {
      case STRING: return Json.NODES.textNode((String) v);
      case BYTE_STRING: return Json.NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case BOOLEAN: return Json.NODES.booleanNode((Boolean) v);
      case INT: return Json.NODES.numberNode((Integer) v);
      case LONG: return integer((Long) v);
      case DOUBLE: return decimal(new BigDecimal(Double.toString((Double) v)));
      case FLOAT: return decimal(new BigDecimal(Float.toString((Float) v)));
      case ENUM: return Json.NODES.textNode(((EnumValueDescriptor) v).getName());
      case MESSAGE: return message((Message) v);
      default: throw new IllegalStateException("unexpected field type " + f.getJavaType());
    }
  }

  /** The node JSON parsing would give for the same number, so decoded and JSON bodies compare equal. */
  private static JsonNode integer(long v) {
    return v == (int) v ? Json.NODES.numberNode((int) v) : Json.NODES.numberNode(v);
  }

  /** Go prints an integral float64 without a fraction ("minimum": 0), others in shortest form. */
  private static JsonNode decimal(BigDecimal v) {
    BigDecimal d = v.stripTrailingZeros();
    if (d.scale() <= 0 && d.precision() - d.scale() < 19) return integer(d.longValueExact());
    return Json.NODES.numberNode(d);
  }

  private static JsonNode message(Message m) {
    Descriptor d = m.getDescriptorForType();
    String type = d.getFullName();
    switch (type) {
      case TIME: return time(m, RFC3339);
      case MICRO_TIME: return time(m, RFC3339_MICRO);
      case DURATION: return Json.NODES.textNode(GoDuration.format(longField(m, "duration")));
      case QUANTITY:
      case QUANTITY_VALUE: {
        String s = stringField(m, "string");
        return Json.NODES.textNode(s.isEmpty() ? "0" : s);
      }
      case INT_OR_STRING: return intOrString(m);
      case RAW_EXTENSION: return embedded(bytesField(m, "raw"));
      case FIELDS_V1: return embedded(bytesField(m, "Raw"));
      case VERBS: return list(m, d.findFieldByName("items"));
      default: break;
    }
    // Go string slices with their own proto wrapper (authentication's and authorization's UserInfo extra).
    if (d.getName().equals("ExtraValue")) return list(m, d.findFieldByName("items"));
    if (type.startsWith(APIEXTENSIONS)) {
      JsonNode special = JsonSchemaProps.special(m);
      if (special != null) return special;
    }
    return object(m);
  }

  /** metav1.Time and MicroTime: a zero time (empty message) is JSON null; Time drops sub-second precision. */
  private static JsonNode time(Message m, DateTimeFormatter format) {
    FieldDescriptor seconds = m.getDescriptorForType().findFieldByName("seconds");
    FieldDescriptor nanos = m.getDescriptorForType().findFieldByName("nanos");
    if (!m.hasField(seconds) && !m.hasField(nanos)) return NullNode.getInstance();
    int n = format == RFC3339 ? 0 : (Integer) m.getField(nanos);
    return Json.NODES.textNode(format.format(Instant.ofEpochSecond((Long) m.getField(seconds), n)));
  }

  private static JsonNode intOrString(Message m) {
    if (longField(m, "type") == 1) return Json.NODES.textNode(stringField(m, "strVal"));
    return Json.NODES.numberNode((Integer) m.getField(m.getDescriptorForType().findFieldByName("intVal")));
  }

  /** Raw JSON (RawExtension, FieldsV1, apiextensions JSON); a nested protobuf object is decoded too. */
  static JsonNode embedded(ByteString raw) {
    if (raw.isEmpty()) return NullNode.getInstance();
    byte[] bytes = raw.toByteArray();
    if (ProtobufCodec.hasMagic(bytes)) return ProtobufCodec.decode(bytes);
    try {
      return Json.parse(bytes);
    } catch (IOException e) {
      throw ApiException.badRequest("embedded object in protobuf body is not valid JSON: " + e.getMessage());
    }
  }

  static String stringField(Message m, String name) {
    return (String) m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  static long longField(Message m, String name) {
    return ((Number) m.getField(m.getDescriptorForType().findFieldByName(name))).longValue();
  }

  static ByteString bytesField(Message m, String name) {
    return (ByteString) m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  static String jsonName(FieldDescriptor f) {
    return JsonFields.jsonName(f);
  }
}
