package io.planet.apiserver.pki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubeconfig files with everything embedded (the CA, the client certificate and its key), so each is a single file to
 * hand to kubectl or a component: admin.kubeconfig, scheduler.kubeconfig, controller-manager.kubeconfig,
 * proxy.kubeconfig and kubelet-&lt;node&gt;.kubeconfig, written 0600 (they hold private keys).
 */
public final class Kubeconfigs {
  public static final String CLUSTER = "planet";

  private Kubeconfigs() {}

  /** Kubeconfig file name → the leaf certificate it authenticates with. */
  public static Map<String, String> forComponents(List<String> nodeNames) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("admin.kubeconfig", ClusterCertificates.ADMIN);
    out.put("controller-manager.kubeconfig", ClusterCertificates.CONTROLLER_MANAGER);
    out.put("scheduler.kubeconfig", ClusterCertificates.SCHEDULER);
    out.put("proxy.kubeconfig", ClusterCertificates.PROXY);
    for (String n : nodeNames) out.put("kubelet-" + n + ".kubeconfig", ClusterCertificates.kubeletClient(n));
    return out;
  }

  /** Writes one kubeconfig per component into {@code dir}, pointing at {@code server}. */
  public static void writeAll(Path dir, String server, ClusterPki pki, List<String> nodeNames) {
    forComponents(nodeNames).forEach((file, cert) -> write(dir.resolve(file), server, pki, cert));
  }

  /** A kubeconfig for {@code server} whose user is the client certificate {@code certName} from {@code pki}. */
  public static void write(Path file, String server, ClusterPki pki, String certName) {
    X509Certificate cert = pki.certificate(certName);
    String user = Subjects.commonName(cert);
    ObjectNode kc = Json.object();
    kc.put("apiVersion", "v1");
    kc.put("kind", "Config");
    ObjectNode cluster = kc.putArray("clusters").addObject();
    cluster.put("name", CLUSTER);
    ObjectNode c = cluster.putObject("cluster");
    c.put("certificate-authority-data", base64(pki.caFile()));
    c.put("server", server);
    ObjectNode context = kc.putArray("contexts").addObject();
    context.put("name", user + "@" + CLUSTER);
    context.putObject("context").put("cluster", CLUSTER).put("user", user);
    kc.put("current-context", user + "@" + CLUSTER);
    ObjectNode u = kc.putArray("users").addObject();
    u.put("name", user);
    u.putObject("user").put("client-certificate-data", base64(pki.certFile(certName)))
        .put("client-key-data", base64(pki.keyFile(certName)));
    save(file, kc);
  }

  /**
   * Rewrites every kubeconfig in {@code dir} whose embedded client certificate has the subject of a leaf in
   * {@code pki} with that leaf's current certificate and key and the current CA; everything else is kept. Returns
   * the files rewritten.
   */
  public static List<Path> refresh(Path dir, ClusterPki pki) {
    Map<String, String> leafBySubject = new LinkedHashMap<>();
    for (String name : pki.leafNames()) {
      X509Certificate c = pki.certificate(name);
      if (Subjects.spec(name, c).clientAuth()) leafBySubject.putIfAbsent(Subjects.describe(c), name);
    }
    List<Path> rewritten = new ArrayList<>();
    for (Path file : list(dir)) {
      ObjectNode kc = read(file);
      if (kc == null) continue;
      boolean changed = false;
      for (JsonNode u : kc.path("users")) {
        JsonNode user = u.path("user");
        X509Certificate embedded = embeddedCertificate(user);
        if (embedded == null) continue;
        String leaf = leafBySubject.get(Subjects.describe(embedded));
        if (leaf == null) continue;
        ((ObjectNode) user).put("client-certificate-data", base64(pki.certFile(leaf)))
            .put("client-key-data", base64(pki.keyFile(leaf)));
        changed = true;
      }
      if (!changed) continue;
      for (JsonNode c : kc.path("clusters")) {
        if (c.path("cluster").has("certificate-authority-data")) {
          ((ObjectNode) c.path("cluster")).put("certificate-authority-data", base64(pki.caFile()));
        }
      }
      save(file, kc);
      rewritten.add(file);
    }
    return rewritten;
  }

  /** The client certificate embedded in each kubeconfig in {@code dir}, as {@code planet certs check} lists them. */
  public static List<CertStatus> status(Path dir, Clock clock) {
    List<CertStatus> out = new ArrayList<>();
    for (Path file : list(dir)) {
      ObjectNode kc = read(file);
      if (kc == null) continue;
      for (JsonNode u : kc.path("users")) {
        X509Certificate c = embeddedCertificate(u.path("user"));
        if (c != null) {
          out.add(CertStatus.of(file.getFileName().toString(), Subjects.describe(c), c.getNotAfter().toInstant(),
              clock.instant(), false));
        }
      }
    }
    return out;
  }

  private static X509Certificate embeddedCertificate(JsonNode user) {
    String data = user.path("client-certificate-data").asText("");
    if (data.isEmpty()) return null;
    try {
      return PemFiles.parseCertificate(Base64.getDecoder().decode(data));
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static List<Path> list(Path dir) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.kubeconfig")) {
      for (Path p : s) out.add(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  private static ObjectNode read(Path file) {
    try {
      JsonNode n = Json.YAML.readTree(Files.readString(file));
      return n instanceof ObjectNode o ? o : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void save(Path file, ObjectNode kc) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, Json.YAML.writeValueAsString(kc), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String base64(Path file) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
