package io.planet.api.proto;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kubernetes.client.proto.Runtime;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds the protobuf message type for an (apiVersion, kind), like the scheme upstream's protobuf serializer uses.
 * The table is built by scanning every generated outer class of client-java-proto: a proto package such as
 * {@code k8s.io.api.rbac.v1} names the Go package (rbac) and version (v1) of the messages in it; a message's
 * name is its kind.
 */
final class ProtoKinds {
  private static final String PROTO_PACKAGE = "io.kubernetes.client.proto";
  private static final String META_GROUP = "meta.k8s.io";

  /** Kinds upstream registers in every group version (metav1.AddToGroupVersion) but defines in meta/v1. */
  private static final Set<String> META_KINDS_IN_EVERY_VERSION = Set.of(
      "DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions",
      "WatchEvent", "Status");

  /** Go package names whose API group is not simply "{package}.k8s.io". */
  private static final Map<String, String> GROUP_OF_PACKAGE = Map.of(
      "core", "",
      "apps", "apps",
      "batch", "batch",
      "autoscaling", "autoscaling",
      "policy", "policy",
      "extensions", "extensions",
      "rbac", "rbac.authorization.k8s.io",
      "flowcontrol", "flowcontrol.apiserver.k8s.io",
      "apiserverinternal", "internal.apiserver.k8s.io");

  private static final Map<String, Descriptor> BY_GVK = scan();

  private ProtoKinds() {}

  /** The message type for kind in apiVersion ("v1", "apps/v1"), or null when none is known. */
  static Descriptor find(String apiVersion, String kind) {
    Descriptor d = BY_GVK.get(key(apiVersion, kind));
    if (d == null && META_KINDS_IN_EVERY_VERSION.contains(kind)) d = BY_GVK.get(key(META_GROUP + "/v1", kind));
    return d;
  }

  /** Number of known (apiVersion, kind) pairs; for diagnostics and tests. */
  static int size() {
    return BY_GVK.size();
  }

  /** "apps/v1" for the messages of proto package k8s.io.api.apps.v1; null when the package is not an API group. */
  static String apiVersionOf(FileDescriptor file) {
    String[] parts = file.getPackage().split("\\.");
    if (parts.length < 3) return null;
    String version = parts[parts.length - 1];
    String pkg = parts[parts.length - 2];
    if (!version.matches("v\\d+((alpha|beta)\\d+)?")) return null;
    String group = GROUP_OF_PACKAGE.getOrDefault(pkg, pkg + ".k8s.io");
    return group.isEmpty() ? version : group + "/" + version;
  }

  private static String key(String apiVersion, String kind) {
    return apiVersion + "|" + kind;
  }

  private static Map<String, Descriptor> scan() {
    Map<String, Descriptor> out = new HashMap<>();
    for (FileDescriptor file : protoFiles()) {
      String apiVersion = apiVersionOf(file);
      if (apiVersion == null) continue;
      for (Descriptor d : file.getMessageTypes()) out.putIfAbsent(key(apiVersion, d.getName()), d);
    }
    return Map.copyOf(out);
  }

  /** The file descriptors of all generated outer classes in the jar (or directory) holding client-java-proto. */
  private static Iterable<FileDescriptor> protoFiles() {
    Map<String, FileDescriptor> files = new HashMap<>();
    for (String className : outerClassNames()) {
      try {
        Class<?> c = Class.forName(className, false, Runtime.class.getClassLoader());
        Object fd = c.getMethod("getDescriptor").invoke(null);
        if (fd instanceof FileDescriptor f) collect(f, files);
      } catch (ReflectiveOperationException | LinkageError e) {
        // Not a generated outer class (or one that cannot load): nothing to register from it.
      }
    }
    return files.values();
  }

  private static void collect(FileDescriptor f, Map<String, FileDescriptor> files) {
    if (files.putIfAbsent(f.getName(), f) != null) return;
    for (FileDescriptor dep : f.getDependencies()) collect(dep, files);
  }

  private static Set<String> outerClassNames() {
    Set<String> names = new java.util.TreeSet<>();
    String dir = PROTO_PACKAGE.replace('.', '/') + "/";
    try {
      URL location = Runtime.class.getProtectionDomain().getCodeSource().getLocation();
      File root = new File(location.toURI());
      if (root.isFile()) {
        try (JarFile jar = new JarFile(root)) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
            addIfOuterClass(e.nextElement().getName(), dir, names);
          }
        }
      } else {
        String[] children = new File(root, dir).list();
        if (children != null) for (String child : children) addIfOuterClass(dir + child, dir, names);
      }
    } catch (IOException | URISyntaxException | SecurityException | NullPointerException e) {
      // Unusual packaging: fall back to the outer classes reachable from Runtime's dependencies below.
    }
    names.add(Runtime.class.getName());
    return names;
  }

  private static void addIfOuterClass(String entry, String dir, Set<String> names) {
    if (!entry.startsWith(dir) || !entry.endsWith(".class") || entry.indexOf('$') >= 0) return;
    String rest = entry.substring(dir.length(), entry.length() - ".class".length());
    if (rest.indexOf('/') >= 0) return;
    names.add(PROTO_PACKAGE + "." + rest);
  }
}
