package io.planet.api.schema;

import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.swagger.annotations.ApiModel;
import io.swagger.annotations.ApiModelProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the structural schema of a client-java model class by reflection: JSON names from {@code @SerializedName},
 * types from the fields' generic types, descriptions from the swagger annotations, required fields from
 * {@code openapiRequiredFields}. One canonical schema per class (a definition); fields referring to a definition get a
 * light view of it carrying the field's own description and patch facts.
 */
final class ModelReflector {
  static final String MODELS_PACKAGE = "io.kubernetes.client.openapi.models.";
  /** "CoreV1Event" → (Core, V1, Event); "V2HorizontalPodAutoscaler" → (-, V2, HorizontalPodAutoscaler). */
  private static final Pattern CLASS_NAME = Pattern.compile("^([A-Z][a-z]+)?(V\\d+(?:alpha\\d+|beta\\d+)?)([A-Z]\\w*)$");

  static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1";
  static final String TIME = META + ".Time";
  static final String MICRO_TIME = META + ".MicroTime";
  static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
  static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

  static final String AGGREGATOR = "io.k8s.kube-aggregator.pkg.apis.apiregistration";

  static final ModelReflector INSTANCE = new ModelReflector();

  private final Map<Class<?>, Schema> byClass = new ConcurrentHashMap<>();
  /** Definition name → canonical schema, for every definition built so far (and the well-known scalars). */
  private final Map<String, Schema> definitions = new ConcurrentHashMap<>();
  private final ProtoIndex proto = ProtoIndex.INSTANCE;

  private ModelReflector() {
    wellKnown(Schema.Type.TIME, TIME, "date-time",
        "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON: RFC 3339, seconds precision.");
    wellKnown(Schema.Type.MICRO_TIME, MICRO_TIME, "date-time",
        "MicroTime is a version of Time with microsecond level precision.");
    wellKnown(Schema.Type.QUANTITY, QUANTITY, null,
        "Quantity is a fixed-point representation of a number, serialized as a string such as \"100m\", \"1Gi\" or \"2\".");
    wellKnown(Schema.Type.INT_OR_STRING, INT_OR_STRING, "int-or-string",
        "IntOrString is a type that can hold an int32 or a string.");
    wellKnown(Schema.Type.ANY, "io.k8s.apimachinery.pkg.runtime.RawExtension", null,
        "RawExtension holds an arbitrary embedded object (any JSON object).");
    wellKnown(Schema.Type.ANY, META + ".FieldsV1", null,
        "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.");
    String apiext = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";
    wellKnown(Schema.Type.ANY, apiext + ".JSON", null, "JSON represents any valid JSON value.");
    wellKnown(Schema.Type.ANY, apiext + ".JSONSchemaPropsOrArray", null,
        "JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps.");
    wellKnown(Schema.Type.ANY, apiext + ".JSONSchemaPropsOrBool", null,
        "JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value.");
    wellKnown(Schema.Type.ANY, apiext + ".JSONSchemaPropsOrStringArray", null,
        "JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.");
  }

  private void wellKnown(Schema.Type type, String name, String format, String description) {
    definitions.put(name, new Schema(type, name).format(format).description(description));
  }

  /** The canonical schema of a definition built so far, by name. */
  Schema definition(String name) {
    return definitions.get(name);
  }

  /** The canonical (definition) schema of a model class. */
  Schema forClass(Class<?> c) {
    return forClass(c, null);
  }

  private Schema forClass(Class<?> c, String contextPackage) {
    Schema s = byClass.get(c);
    if (s != null) return s;
    synchronized (this) {
      s = byClass.get(c);
      if (s != null) return s;
      String name = definitionName(c, contextPackage);
      String pkg = name.substring(0, name.lastIndexOf('.'));
      Schema[] holder = new Schema[1];
      s = Schema.object(name, () -> properties(c, holder[0].name(), pkg));
      holder[0] = s;
      ApiModel model = c.getAnnotation(ApiModel.class);
      if (model != null) s.description(model.description());
      s.required(requiredFields(c));
      PatchStrategies.applyToDefinition(s);
      byClass.put(c, s);
      definitions.putIfAbsent(name, s);
      return s;
    }
  }

  /** Upstream's definition name of a model class, e.g. V1Container → io.k8s.api.core.v1.Container. */
  String definitionName(Class<?> c, String contextPackage) {
    Matcher m = CLASS_NAME.matcher(c.getSimpleName());
    if (!m.matches()) return (contextPackage != null ? contextPackage : "io.k8s.unknown") + "." + c.getSimpleName();
    String groupPrefix = m.group(1);
    String version = m.group(2).toLowerCase();
    String simple = m.group(3);
    List<String> candidates = new ArrayList<>(proto.packagesOf(version, simple));
    if (groupPrefix != null) {
      candidates.removeIf(p -> !ProtoIndex.groupSegment(p).equalsIgnoreCase(groupPrefix));
    }
    if (candidates.size() == 1) return candidates.get(0) + "." + simple;
    if (contextPackage != null && candidates.contains(contextPackage)) return contextPackage + "." + simple;
    if (!candidates.isEmpty()) {
      candidates.sort(null);
      return candidates.get(0) + "." + simple;
    }
    // kube-aggregator's types have no generated protobuf here: name them by their upstream package
    if ("Apiregistration".equals(groupPrefix) || groupPrefix == null && simple.startsWith("APIService")) {
      return AGGREGATOR + "." + version + "." + simple;
    }
    if (groupPrefix != null) {
      String g = groupPrefix.toLowerCase();
      return (g.equals("apiextensions") ? "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions" : "io.k8s.api." + g)
          + "." + version + "." + simple;
    }
    return (contextPackage != null ? contextPackage : "io.k8s.api.unknown." + version) + "." + simple;
  }

  private static List<String> requiredFields(Class<?> c) {
    try {
      Field f = c.getField("openapiRequiredFields");
      Object v = f.get(null);
      if (!(v instanceof Collection<?> set)) return List.of();
      // keep the fields' declaration order rather than the HashSet's
      List<String> ordered = new ArrayList<>();
      for (Field field : c.getDeclaredFields()) {
        SerializedName sn = field.getAnnotation(SerializedName.class);
        if (sn != null && set.contains(sn.value())) ordered.add(sn.value());
      }
      return ordered;
    } catch (ReflectiveOperationException e) {
      return List.of();
    }
  }

  private Map<String, Schema> properties(Class<?> c, String definition, String pkg) {
    Map<String, String> descriptions = getterDescriptions(c);
    Map<String, Schema> props = new LinkedHashMap<>();
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) continue;
      SerializedName sn = f.getAnnotation(SerializedName.class);
      if (sn == null) continue;
      String json = sn.value();
      Schema s = property(f.getGenericType(), definition, json, pkg);
      String d = description(descriptions, f.getName(), json);
      if (d == null && s.name() != null) d = referenceDescription(json, s);
      if (d != null) s.description(d);
      PatchStrategies.applyToField(definition, json, s);
      props.put(json, s);
    }
    return props;
  }

  /** A fresh schema for one field: scalars and collections are per field; definitions are referred to by a view. */
  private Schema property(Type t, String owner, String json, String pkg) {
    Schema s = type(t, owner, json, pkg);
    if (s.name() == null) return s;
    return view(s);
  }

  /** A per-use reference to a definition: same type, name and properties, its own description and patch facts. */
  static Schema view(Schema canonical) {
    Schema v = canonical.type() == Schema.Type.OBJECT
        ? Schema.object(canonical.name(), canonical::properties)
        : new Schema(canonical.type(), canonical.name());
    v.format(canonical.format());
    v.required(canonical.required());
    v.mapType(canonical.mapType());
    v.preserveUnknownFields(canonical.preserveUnknownFields());
    v.enumValues(canonical.enumValues());
    return v;
  }

  private Schema type(Type t, String owner, String json, String pkg) {
    if (t instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
        return Schema.arrayOf(element(args[0], owner, json, pkg));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Schema.mapOf(element(args[1], owner, json, pkg));
      }
      return Schema.of(Schema.Type.ANY);
    }
    Class<?> c = (Class<?>) t;
    if (c == String.class) return Schema.of(Schema.Type.STRING);
    if (c == Integer.class || c == int.class) return Schema.of(Schema.Type.INTEGER).format("int32");
    if (c == Long.class || c == long.class) return Schema.of(Schema.Type.INTEGER).format("int64");
    if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
      return Schema.of(Schema.Type.NUMBER).format("double");
    }
    if (c == BigDecimal.class) return Schema.of(Schema.Type.NUMBER);
    if (c == Boolean.class || c == boolean.class) return Schema.of(Schema.Type.BOOLEAN);
    if (c == byte[].class) return Schema.of(Schema.Type.BYTES).format("byte");
    if (c == Quantity.class) return definitions.get(QUANTITY);
    if (c == IntOrString.class) return definitions.get(INT_OR_STRING);
    if (c == OffsetDateTime.class) {
      String protoType = proto.fieldMessageType(owner, json);
      return definitions.get(MICRO_TIME.equals(protoType) ? MICRO_TIME : TIME);
    }
    if (c.isEnum()) return Schema.of(Schema.Type.STRING).enumValues(enumValues(c));
    if (c.getName().startsWith(MODELS_PACKAGE)) return forClass(c, pkg);
    // Object: RawExtension, FieldsV1, JSON... tell them apart by the protobuf field type
    String protoType = proto.fieldMessageType(owner, json);
    Schema named = protoType == null ? null : definitions.get(protoType);
    return named != null ? named : Schema.of(Schema.Type.ANY);
  }

  /** List items and map values: definitions are used directly (no per-use description). */
  private Schema element(Type t, String owner, String json, String pkg) {
    return type(t, owner, json, pkg);
  }

  /**
   * client-java drops the descriptions of fields whose type is a definition; say what upstream says for metadata
   * and otherwise fall back to the referenced type's description, so explain has something to print.
   */
  private String referenceDescription(String json, Schema ref) {
    if (json.equals("metadata") && ref.name().equals(META + ".ObjectMeta")) {
      return "Standard object's metadata. More info: "
          + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
    }
    if (json.equals("metadata") && ref.name().equals(META + ".ListMeta")) {
      return "Standard list metadata. More info: "
          + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
    }
    Schema canonical = definitions.get(ref.name());
    return canonical == null || canonical.description().isEmpty() ? null : canonical.description();
  }

  private static List<String> enumValues(Class<?> c) {
    List<String> out = new ArrayList<>();
    for (Field f : c.getFields()) {
      if (!f.isEnumConstant()) continue;
      SerializedName sn = f.getAnnotation(SerializedName.class);
      out.add(sn != null ? sn.value() : f.getName());
    }
    return out;
  }

  private static Map<String, String> getterDescriptions(Class<?> c) {
    Map<String, String> out = new HashMap<>();
    for (Method m : c.getMethods()) {
      ApiModelProperty a = m.getAnnotation(ApiModelProperty.class);
      if (a != null && !a.value().isEmpty()) out.put(m.getName().toLowerCase(), a.value());
    }
    return out;
  }

  private static String description(Map<String, String> byGetter, String javaName, String json) {
    String n = javaName.startsWith("_") ? javaName.substring(1) : javaName;
    String d = byGetter.get(("get" + n).toLowerCase());
    if (d == null) d = byGetter.get(("is" + n).toLowerCase());
    if (d == null) d = byGetter.get(("get" + json.replaceAll("[^A-Za-z0-9$]", "")).toLowerCase());
    return d;
  }
}
