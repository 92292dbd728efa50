package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The Pod Security Standards' checks at their latest version, with upstream's reasons and details. Order is upstream's:
 * baseline checks, then (baseline level) the baseline-only overlapping ones or (restricted level) the restricted ones,
 * each group in check-ID order.
 */
public final class PodSecurityChecks {
  /** One failed check: the short reason and the detail naming the pod or containers. */
  public record Violation(String reason, String detail) {}

  public enum Level {
    PRIVILEGED, BASELINE, RESTRICTED;

    public String label() {
      return name().toLowerCase();
    }
  }

  private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
      "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
  private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
      "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  private static final Set<String> RESTRICTED_VOLUME_OK = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
      "ephemeral", "persistentVolumeClaim", "projected", "secret", "image");
  private static final String APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

  private PodSecurityChecks() {}

  /** The failed checks of a pod's metadata and spec at {@code level} (none at privileged). */
  public static List<Violation> evaluate(Level level, JsonNode metadata, JsonNode spec) {
    List<Violation> out = new ArrayList<>();
    if (level == Level.PRIVILEGED) return out;
    add(out, appArmorProfile(metadata, spec));
    add(out, hostNamespaces(spec));
    add(out, hostPathVolumes(spec));
    add(out, hostPorts(spec));
    add(out, privileged(spec));
    add(out, procMount(spec));
    add(out, seLinuxOptions(spec));
    add(out, sysctls(spec));
    add(out, windowsHostProcess(spec));
    if (level == Level.BASELINE) {
      add(out, capabilitiesBaseline(spec));
      add(out, seccompBaseline(spec));
      return out;
    }
    add(out, allowPrivilegeEscalation(spec));
    add(out, capabilitiesRestricted(spec));
    add(out, restrictedVolumes(spec));
    add(out, runAsNonRoot(spec));
    add(out, runAsUser(spec));
    add(out, seccompRestricted(spec));
    return out;
  }

  private static void add(List<Violation> out, Violation v) {
    if (v != null) out.add(v);
  }

  // ---- helpers as upstream's: pluralize, joinQuote, visitContainers

  static String pluralize(String singular, String plural, int n) {
    return n == 1 ? singular : plural;
  }

  static String joinQuote(Collection<String> items) {
    List<String> q = new ArrayList<>();
    for (String s : items) q.add("\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    return String.join(", ", q);
  }

  private static String containers(List<String> names) {
    return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
  }

  /** Every container, init container and ephemeral container with its name. */
  private static void visitContainers(JsonNode spec, BiConsumer<String, JsonNode> f) {
    for (String field : List.of("containers", "initContainers", "ephemeralContainers")) {
      for (JsonNode c : spec.path(field)) f.accept(c.path("name").asText(""), c);
    }
  }

  private static boolean isWindows(JsonNode spec) {
    return "windows".equals(spec.path("os").path("name").asText(""));
  }

  /** KEP-127: pods in a user namespace (hostUsers=false) may run as "root" inside it. */
  private static boolean userNamespacePod(JsonNode spec) {
    return spec.has("hostUsers") && !spec.path("hostUsers").asBoolean(true);
  }

  private static JsonNode sc(JsonNode container) {
    return container.path("securityContext");
  }

  // ---- baseline

  static Violation appArmorProfile(JsonNode metadata, JsonNode spec) {
    TreeSet<String> bad = new TreeSet<>();
    metadata.path("annotations").fields().forEachRemaining(e -> {
      String v = e.getValue().asText("");
      if (e.getKey().startsWith(APPARMOR_PREFIX) && !(v.isEmpty() || v.equals("runtime/default") || v.startsWith("localhost/"))) {
        bad.add(e.getKey() + "=\"" + v + "\"");
      }
    });
    if ("Unconfined".equals(spec.path("securityContext").path("appArmorProfile").path("type").asText(""))) {
      bad.add("pod must not set securityContext.appArmorProfile.type=\"Unconfined\"");
    }
    List<String> badContainers = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      if ("Unconfined".equals(sc(c).path("appArmorProfile").path("type").asText(""))) badContainers.add(n);
    });
    if (!badContainers.isEmpty()) {
      bad.add(containers(badContainers) + " must not set securityContext.appArmorProfile.type=\"Unconfined\"");
    }
    if (bad.isEmpty()) return null;
    return new Violation(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", bad.size()), String.join(", ", bad));
  }

  static Violation hostNamespaces(JsonNode spec) {
    TreeSet<String> set = new TreeSet<>();
    if (spec.path("hostNetwork").asBoolean(false)) set.add("hostNetwork=true");
    if (spec.path("hostPID").asBoolean(false)) set.add("hostPID=true");
    if (spec.path("hostIPC").asBoolean(false)) set.add("hostIPC=true");
    return set.isEmpty() ? null : new Violation("host namespaces", String.join(", ", set));
  }

  static Violation hostPathVolumes(JsonNode spec) {
    List<String> names = new ArrayList<>();
    for (JsonNode v : spec.path("volumes")) if (v.has("hostPath")) names.add(v.path("name").asText(""));
    if (names.isEmpty()) return null;
    return new Violation("hostPath volumes", pluralize("volume", "volumes", names.size()) + " " + joinQuote(names));
  }

  static Violation hostPorts(JsonNode spec) {
    List<String> bad = new ArrayList<>();
    TreeSet<String> ports = new TreeSet<>();
    visitContainers(spec, (n, c) -> {
      boolean valid = true;
      for (JsonNode p : c.path("ports")) {
        int hp = p.path("hostPort").asInt(0);
        if (hp != 0) {
          valid = false;
          ports.add(Integer.toString(hp));
        }
      }
      if (!valid) bad.add(n);
    });
    if (bad.isEmpty()) return null;
    return new Violation("hostPort", containers(bad) + " " + pluralize("uses", "use", bad.size()) + " "
        + pluralize("hostPort", "hostPorts", ports.size()) + " " + String.join(", ", ports));
  }

  static Violation privileged(JsonNode spec) {
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      if (sc(c).path("privileged").asBoolean(false)) bad.add(n);
    });
    if (bad.isEmpty()) return null;
    return new Violation("privileged", containers(bad) + " must not set securityContext.privileged=true");
  }

  static Violation procMount(JsonNode spec) {
    if (userNamespacePod(spec)) return null;
    List<String> bad = new ArrayList<>();
    TreeSet<String> values = new TreeSet<>();
    visitContainers(spec, (n, c) -> {
      String pm = sc(c).path("procMount").asText("");
      if (!pm.isEmpty() && !pm.equals("Default")) {
        bad.add(n);
        values.add(pm);
      }
    });
    if (bad.isEmpty()) return null;
    return new Violation("procMount", containers(bad) + " must not set securityContext.procMount to " + joinQuote(values));
  }

  static Violation seLinuxOptions(JsonNode spec) {
    List<String> setters = new ArrayList<>();
    TreeSet<String> badTypes = new TreeSet<>();
    boolean[] userRole = new boolean[2];
    java.util.function.Predicate<JsonNode> valid = o -> {
      boolean ok = true;
      String t = o.path("type").asText("");
      if (!SELINUX_TYPES.contains(t)) {
        ok = false;
        badTypes.add(t);
      }
      if (!o.path("user").asText("").isEmpty()) {
        ok = false;
        userRole[0] = true;
      }
      if (!o.path("role").asText("").isEmpty()) {
        ok = false;
        userRole[1] = true;
      }
      return ok;
    };
    JsonNode podOpts = spec.path("securityContext").get("seLinuxOptions");
    if (podOpts != null && podOpts.isObject() && !valid.test(podOpts)) setters.add("pod");
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      JsonNode o = sc(c).get("seLinuxOptions");
      if (o != null && o.isObject() && !valid.test(o)) bad.add(n);
    });
    if (!bad.isEmpty()) setters.add(containers(bad));
    if (setters.isEmpty()) return null;
    List<String> data = new ArrayList<>();
    if (!badTypes.isEmpty()) data.add(pluralize("type", "types", badTypes.size()) + " " + joinQuote(badTypes));
    if (userRole[0]) data.add("user may not be set");
    if (userRole[1]) data.add("role may not be set");
    return new Violation("seLinuxOptions", String.join(" and ", setters) + " set forbidden securityContext.seLinuxOptions: "
        + String.join("; ", data));
  }

  static Violation sysctls(JsonNode spec) {
    List<String> bad = new ArrayList<>();
    for (JsonNode s : spec.path("securityContext").path("sysctls")) {
      String n = s.path("name").asText("");
      if (!SAFE_SYSCTLS.contains(n)) bad.add(n);
    }
    return bad.isEmpty() ? null : new Violation("forbidden sysctls", String.join(", ", bad));
  }

  static Violation windowsHostProcess(JsonNode spec) {
    List<String> setters = new ArrayList<>();
    if (spec.path("securityContext").path("windowsOptions").path("hostProcess").asBoolean(false)) setters.add("pod");
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      if (sc(c).path("windowsOptions").path("hostProcess").asBoolean(false)) bad.add(n);
    });
    if (!bad.isEmpty()) setters.add(containers(bad));
    if (setters.isEmpty()) return null;
    return new Violation("hostProcess", String.join(" and ", setters) + " must not set securityContext.windowsOptions.hostProcess=true");
  }

  static Violation capabilitiesBaseline(JsonNode spec) {
    List<String> bad = new ArrayList<>();
    TreeSet<String> caps = new TreeSet<>();
    visitContainers(spec, (n, c) -> {
      boolean valid = true;
      for (JsonNode cap : sc(c).path("capabilities").path("add")) {
        if (!BASELINE_CAPABILITIES.contains(cap.asText())) {
          valid = false;
          caps.add(cap.asText());
        }
      }
      if (!valid) bad.add(n);
    });
    if (bad.isEmpty()) return null;
    return new Violation("non-default capabilities", containers(bad) + " must not include " + joinQuote(caps)
        + " in securityContext.capabilities.add");
  }

  private static boolean validSeccomp(String t) {
    return t.equals("RuntimeDefault") || t.equals("Localhost");
  }

  static Violation seccompBaseline(JsonNode spec) {
    List<String> setters = new ArrayList<>();
    TreeSet<String> values = new TreeSet<>();
    JsonNode pod = spec.path("securityContext").get("seccompProfile");
    if (pod != null && pod.isObject() && !validSeccomp(pod.path("type").asText(""))) {
      setters.add("pod");
      values.add(pod.path("type").asText(""));
    }
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      JsonNode p = sc(c).get("seccompProfile");
      if (p != null && p.isObject() && !validSeccomp(p.path("type").asText(""))) {
        bad.add(n);
        values.add(p.path("type").asText(""));
      }
    });
    if (!bad.isEmpty()) setters.add(containers(bad));
    if (setters.isEmpty()) return null;
    return new Violation("seccompProfile", String.join(" and ", setters) + " must not set securityContext.seccompProfile.type to "
        + joinQuote(values));
  }

  // ---- restricted

  static Violation allowPrivilegeEscalation(JsonNode spec) {
    if (isWindows(spec)) return null;
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      JsonNode ape = sc(c).get("allowPrivilegeEscalation");
      if (ape == null || ape.isNull() || ape.asBoolean()) bad.add(n);
    });
    if (bad.isEmpty()) return null;
    return new Violation("allowPrivilegeEscalation != false", containers(bad) + " must set securityContext.allowPrivilegeEscalation=false");
  }

  static Violation capabilitiesRestricted(JsonNode spec) {
    if (isWindows(spec)) return null;
    List<String> missingDrop = new ArrayList<>();
    List<String> adding = new ArrayList<>();
    TreeSet<String> caps = new TreeSet<>();
    visitContainers(spec, (n, c) -> {
      JsonNode capabilities = sc(c).get("capabilities");
      if (capabilities == null || !capabilities.isObject()) {
        missingDrop.add(n);
        return;
      }
      boolean droppedAll = false;
      for (JsonNode d : capabilities.path("drop")) if (d.asText().equals("ALL")) droppedAll = true;
      if (!droppedAll) missingDrop.add(n);
      boolean forbidden = false;
      for (JsonNode a : capabilities.path("add")) {
        if (!a.asText().equals("NET_BIND_SERVICE")) {
          forbidden = true;
          caps.add(a.asText());
        }
      }
      if (forbidden) adding.add(n);
    });
    List<String> details = new ArrayList<>();
    if (!missingDrop.isEmpty()) details.add(containers(missingDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
    if (!adding.isEmpty()) {
      details.add(containers(adding) + " must not include " + joinQuote(caps) + " in securityContext.capabilities.add");
    }
    return details.isEmpty() ? null : new Violation("unrestricted capabilities", String.join("; ", details));
  }

  static Violation restrictedVolumes(JsonNode spec) {
    List<String> names = new ArrayList<>();
    TreeSet<String> types = new TreeSet<>();
    for (JsonNode v : spec.path("volumes")) {
      String type = "unknown";
      var it = v.fieldNames();
      while (it.hasNext()) {
        String f = it.next();
        if (!f.equals("name")) type = f;
      }
      if (RESTRICTED_VOLUME_OK.contains(type)) continue;
      names.add(v.path("name").asText(""));
      types.add(type);
    }
    if (names.isEmpty()) return null;
    return new Violation("restricted volume types", pluralize("volume", "volumes", names.size()) + " " + joinQuote(names) + " "
        + pluralize("uses", "use", names.size()) + " " + pluralize("restricted volume type", "restricted volume types", types.size())
        + " " + joinQuote(types));
  }

  static Violation runAsNonRoot(JsonNode spec) {
    if (userNamespacePod(spec)) return null;
    List<String> setters = new ArrayList<>();
    boolean podNonRoot = false;
    JsonNode pod = spec.path("securityContext").get("runAsNonRoot");
    if (pod != null && !pod.isNull()) {
      if (!pod.asBoolean()) setters.add("pod");
      else podNonRoot = true;
    }
    List<String> explicit = new ArrayList<>();
    List<String> implicit = new ArrayList<>();
    boolean podOk = podNonRoot;
    visitContainers(spec, (n, c) -> {
      JsonNode r = sc(c).get("runAsNonRoot");
      if (r != null && !r.isNull()) {
        if (!r.asBoolean()) explicit.add(n);
      } else if (!podOk) {
        implicit.add(n);
      }
    });
    if (!explicit.isEmpty()) setters.add(containers(explicit));
    if (!setters.isEmpty()) {
      return new Violation("runAsNonRoot != true", String.join(" and ", setters) + " must not set securityContext.runAsNonRoot=false");
    }
    if (!implicit.isEmpty()) {
      return new Violation("runAsNonRoot != true", "pod or " + containers(implicit) + " must set securityContext.runAsNonRoot=true");
    }
    return null;
  }

  static Violation runAsUser(JsonNode spec) {
    if (userNamespacePod(spec)) return null;
    List<String> setters = new ArrayList<>();
    JsonNode pod = spec.path("securityContext").get("runAsUser");
    if (pod != null && pod.isNumber() && pod.asLong() == 0) setters.add("pod");
    List<String> bad = new ArrayList<>();
    visitContainers(spec, (n, c) -> {
      JsonNode u = sc(c).get("runAsUser");
      if (u != null && u.isNumber() && u.asLong() == 0) bad.add(n);
    });
    if (!bad.isEmpty()) setters.add(containers(bad));
    if (setters.isEmpty()) return null;
    return new Violation("runAsUser=0", String.join(" and ", setters) + " must not set runAsUser=0");
  }

  static Violation seccompRestricted(JsonNode spec) {
    if (isWindows(spec)) return null;
    List<String> setters = new ArrayList<>();
    TreeSet<String> values = new TreeSet<>();
    boolean podSet = false;
    JsonNode pod = spec.path("securityContext").get("seccompProfile");
    if (pod != null && pod.isObject()) {
      if (!validSeccomp(pod.path("type").asText(""))) {
        setters.add("pod");
        values.add(pod.path("type").asText(""));
      } else {
        podSet = true;
      }
    }
    List<String> explicit = new ArrayList<>();
    List<String> implicit = new ArrayList<>();
    boolean podOk = podSet;
    visitContainers(spec, (n, c) -> {
      JsonNode p = sc(c).get("seccompProfile");
      if (p != null && p.isObject()) {
        if (!validSeccomp(p.path("type").asText(""))) {
          explicit.add(n);
          values.add(p.path("type").asText(""));
        }
      } else if (!podOk) {
        implicit.add(n);
      }
    });
    if (!explicit.isEmpty()) setters.add(containers(explicit));
    if (!setters.isEmpty()) {
      return new Violation("seccompProfile", String.join(" and ", setters) + " must not set securityContext.seccompProfile.type to "
          + joinQuote(values));
    }
    if (!implicit.isEmpty()) {
      return new Violation("seccompProfile", "pod or " + containers(implicit)
          + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
    }
    return null;
  }
}
