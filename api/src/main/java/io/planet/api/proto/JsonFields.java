package io.planet.api.proto;

import com.google.gson.annotations.SerializedName;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a protobuf field lands in the JSON form. Usually the proto field name is the JSON name, but not always:
 * <ul>
 *   <li>embedded Go structs that JSON flattens into their parent ({@code json:",inline"}) are a protobuf field:
 *       Volume.volumeSource, Probe.handler, SecretKeySelector.localObjectReference, IngressRule.ingressRuleValue…</li>
 *   <li>some proto names are spelled differently: BoundObjectReference.uID ("uid"),
 *       MutatingWebhookConfiguration.Webhooks ("webhooks"), JSONSchemaProps.ref ("$ref"),
 *       xKubernetesListType ("x-kubernetes-list-type")…</li>
 * </ul>
 * Both are found, not listed: the client-java-api model of the message (generated from the JSON API) names the
 * JSON properties. A field the model lacks is inline when the model has the embedded message's properties, and is
 * renamed when exactly one model property matches it ignoring case and punctuation.
 */
final class JsonFields {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final Map<Descriptor, Map<String, String>> MODEL_PROPERTIES = new ConcurrentHashMap<>();
  private static final Map<FieldDescriptor, String> NAMES = new ConcurrentHashMap<>();
  private static final Map<FieldDescriptor, Boolean> INLINE = new ConcurrentHashMap<>();

  private JsonFields() {}

  /** Whether the field's message is flattened into the parent object in JSON. */
  static boolean isInline(FieldDescriptor field) {
    if (field.getType() != FieldDescriptor.Type.MESSAGE || field.isRepeated()) return false;
    return INLINE.computeIfAbsent(field, JsonFields::detectInline);
  }

  /** The JSON property name of the field. */
  static String jsonName(FieldDescriptor field) {
    return NAMES.computeIfAbsent(field, JsonFields::detectName);
  }

  private static boolean detectInline(FieldDescriptor field) {
    Map<String, String> parent = properties(field.getContainingType());
    if (parent.isEmpty() || parent.containsValue(field.getName())) return false;
    for (FieldDescriptor embedded : field.getMessageType().getFields()) {
      if (parent.containsValue(embedded.getName())) return true;
    }
    return false;
  }

  private static String detectName(FieldDescriptor field) {
    Map<String, String> model = properties(field.getContainingType());
    if (model.isEmpty() || model.containsValue(field.getName())) return field.getName();
    String match = model.get(normalize(field.getName()));
    return match != null ? match : field.getName();
  }

  /** normalized name → JSON name, from the client-java-api model of this message; empty when there is none. */
  private static Map<String, String> properties(Descriptor message) {
    return MODEL_PROPERTIES.computeIfAbsent(message, JsonFields::loadModel);
  }

  private static Map<String, String> loadModel(Descriptor message) {
    for (String candidate : modelClassNames(message)) {
      try {
        Class<?> model = Class.forName(MODELS + candidate, false, JsonFields.class.getClassLoader());
        Map<String, String> names = new TreeMap<>();
        Set<String> ambiguous = new java.util.HashSet<>();
        for (Field f : model.getDeclaredFields()) {
          SerializedName name = f.getAnnotation(SerializedName.class);
          if (name == null) continue;
          if (names.put(normalize(name.value()), name.value()) != null) ambiguous.add(normalize(name.value()));
        }
        ambiguous.forEach(names::remove);
        // A model of this message shares field names with it; an unrelated class of the same name does not.
        for (FieldDescriptor f : message.getFields()) {
          if (names.containsValue(f.getName())) return names;
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // Try the next naming scheme.
      }
    }
    return Map.of();
  }

  /** client-java names a model "V1Volume", or "CoreV1EndpointPort" when two groups share the message name. */
  private static String[] modelClassNames(Descriptor message) {
    String[] parts = message.getFile().getPackage().split("\\.");
    if (parts.length < 2 || message.getContainingType() != null) return new String[0];
    String version = capitalize(parts[parts.length - 1]);
    String pkg = capitalize(parts[parts.length - 2]);
    return new String[] {version + message.getName(), pkg + version + message.getName()};
  }

  private static String normalize(String name) {
    return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
