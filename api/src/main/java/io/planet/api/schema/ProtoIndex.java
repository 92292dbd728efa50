package io.planet.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's Go package of each API type, read from the protobuf descriptors of client-java-proto: the Java model
 * classes only carry a version prefix (V1Container), the descriptors say which package (k8s.io.api.core.v1) holds a
 * message of that name. They also tell fields typed {@code MicroTime} or {@code RawExtension} apart, which the Java
 * models flatten to OffsetDateTime and Object.
 */
final class ProtoIndex {
  /** The generated outer classes, one per upstream generated.proto file. */
  private static final String[] OUTER_CLASSES = {
      "Meta", "Runtime", "Resource", "IntStr", "V1", "V1Apps", "V1Batch", "V1Autoscaling", "V2Autoscaling",
      "V1Coordination", "V1Discovery", "V1Events", "V1Policy", "V1Rbac", "V1Apiextensions", "V1Networking",
      "V1Storage", "V1Scheduling", "V1Node", "V1Certificates", "V1Authentication", "V1Authorization",
      "V1Admissionregistration", "V1Flowcontrol", "V1Resource", "V1beta1Apiextensions"};

  /** version → message simple name → OpenAPI package prefixes holding it. */
  private final Map<String, Map<String, List<String>>> byVersion = new HashMap<>();
  /** OpenAPI definition name → message descriptor. */
  private final Map<String, Descriptor> byDefinition = new HashMap<>();

  static final ProtoIndex INSTANCE = new ProtoIndex();

  private ProtoIndex() {
    for (String outer : OUTER_CLASSES) {
      FileDescriptor fd;
      try {
        Class<?> c = Class.forName("io.kubernetes.client.proto." + outer);
        fd = (FileDescriptor) c.getMethod("getDescriptor").invoke(null);
      } catch (ReflectiveOperationException | LinkageError e) {
        continue; // not shipped by this client-java-proto version
      }
      String pkg = openApiPackage(fd.getPackage());
      String version = pkg.substring(pkg.lastIndexOf('.') + 1);
      for (Descriptor d : fd.getMessageTypes()) {
        byVersion.computeIfAbsent(version, v -> new HashMap<>())
            .computeIfAbsent(d.getName(), n -> new ArrayList<>()).add(pkg);
        byDefinition.put(pkg + "." + d.getName(), d);
      }
    }
  }

  /** "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1" → "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1". */
  static String openApiPackage(String protoPackage) {
    String p = protoPackage.startsWith("k8s.io.") ? "io.k8s." + protoPackage.substring("k8s.io.".length()) : protoPackage;
    return p.replace('_', '-');
  }

  /** The group segment of an OpenAPI package: "core", "apps", "meta", "apiextensions". */
  static String groupSegment(String pkg) {
    String[] parts = pkg.split("\\.");
    return parts.length >= 2 ? parts[parts.length - 2] : "";
  }

  /** Packages holding a message of this name in this version ("v1", "v2"). */
  List<String> packagesOf(String version, String message) {
    return byVersion.getOrDefault(version, Map.of()).getOrDefault(message, List.of());
  }

  /** The full message type name (OpenAPI spelling) of a field of a definition; null when not known. */
  String fieldMessageType(String definition, String jsonName) {
    Descriptor d = byDefinition.get(definition);
    if (d == null) return null;
    for (FieldDescriptor f : d.getFields()) {
      if (f.getJsonName().equals(jsonName) || f.getName().equals(jsonName)) {
        if (f.getType() != FieldDescriptor.Type.MESSAGE) return null;
        // map fields are repeated entry messages; their value type is what matters
        Descriptor m = f.getMessageType();
        if (m.getOptions().getMapEntry()) {
          FieldDescriptor value = m.findFieldByName("value");
          if (value == null || value.getType() != FieldDescriptor.Type.MESSAGE) return null;
          m = value.getMessageType();
        }
        return openApiPackage(m.getFile().getPackage()) + "." + m.getName();
      }
    }
    return null;
  }
}
