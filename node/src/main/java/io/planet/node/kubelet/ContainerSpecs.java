package io.planet.node.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.planet.node.runtime.ContainerSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a pod's container to what the runtime runs, as the kubelet does: the argv from command/args over the image's
 * Entrypoint/Cmd, the environment (image Env, then the container's resolved env, with $(VAR) expansion), working
 * directory, user and group (container securityContext over the pod's, over the image's numeric User), privileges,
 * and cgroup limits from resources (cpu.shares from the request, CFS quota from the limit, memory limit).
 */
final class ContainerSpecs {
  static final long CPU_PERIOD = 100_000;
  static final long MIN_SHARES = 2;

  private ContainerSpecs() {}

  /** {@code env}: the container's variables already resolved (valueFrom, envFrom) in order. */
  static ContainerSpec build(Pod pod, Container c, JsonNode imageConfig, Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>();
    for (JsonNode e : imageConfig.path("Env")) {
      String kv = e.asText();
      int eq = kv.indexOf('=');
      if (eq > 0) all.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    all.putAll(env);
    List<String> args = argv(c, imageConfig, env);
    List<String> envList = new ArrayList<>();
    all.forEach((k, v) -> envList.add(k + "=" + v));

    String workingDir = c.getWorkingDir() != null && !c.getWorkingDir().isEmpty() ? c.getWorkingDir()
        : imageConfig.path("WorkingDir").asText("/");
    PodSecurityContext podSc = pod.getSpec().getSecurityContext();
    SecurityContext sc = c.getSecurityContext();
    long[] imageUser = imageUser(imageConfig.path("User").asText(""));
    long uid = first(sc == null ? null : sc.getRunAsUser(), podSc == null ? null : podSc.getRunAsUser(), imageUser[0]);
    long gid = first(sc == null ? null : sc.getRunAsGroup(), podSc == null ? null : podSc.getRunAsGroup(), imageUser[1]);
    List<Long> groups = new ArrayList<>();
    if (podSc != null && podSc.getFsGroup() != null) groups.add(podSc.getFsGroup());
    if (podSc != null && podSc.getSupplementalGroups() != null) groups.addAll(podSc.getSupplementalGroups());
    boolean privileged = sc != null && Boolean.TRUE.equals(sc.getPrivileged());
    boolean readOnly = sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem());
    Capabilities caps = sc == null ? null : sc.getCapabilities();
    List<String> add = caps == null || caps.getAdd() == null ? List.of() : caps.getAdd();
    List<String> drop = caps == null || caps.getDrop() == null ? List.of() : caps.getDrop();
    return new ContainerSpec(c.getName(), args, envList, workingDir, uid, gid, groups, privileged, readOnly, add, drop,
        resources(c), List.of());
  }

  /** Kubernetes' rules: command replaces Entrypoint (and drops Cmd), args replace Cmd. */
  static List<String> argv(Container c, JsonNode imageConfig, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    boolean hasCommand = c.getCommand() != null && !c.getCommand().isEmpty();
    boolean hasArgs = c.getArgs() != null && !c.getArgs().isEmpty();
    if (hasCommand) {
      c.getCommand().forEach(s -> out.add(Expansion.expand(s, env)));
    } else {
      imageConfig.path("Entrypoint").forEach(s -> out.add(s.asText()));
    }
    if (hasArgs) {
      c.getArgs().forEach(s -> out.add(Expansion.expand(s, env)));
    } else if (!hasCommand) {
      imageConfig.path("Cmd").forEach(s -> out.add(s.asText()));
    }
    return out;
  }

  static ContainerSpec.Resources resources(Container c) {
    Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null ? Map.of()
        : c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null ? Map.of()
        : c.getResources().getLimits();
    Long shares = null;
    Quantity cpuRequest = requests.containsKey("cpu") ? requests.get("cpu") : limits.get("cpu");
    if (cpuRequest != null) shares = Math.max(MIN_SHARES, millis(cpuRequest) * 1024 / 1000);
    Long quota = null;
    if (limits.containsKey("cpu")) quota = Math.max(1000, millis(limits.get("cpu")) * CPU_PERIOD / 1000);
    Long memory = limits.containsKey("memory") ? Quantity.getAmountInBytes(limits.get("memory")).longValue() : null;
    return new ContainerSpec.Resources(shares, quota, quota == null ? null : CPU_PERIOD, memory);
  }

  private static long millis(Quantity q) {
    return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).longValue();
  }

  private static long first(Long a, Long b, long fallback) {
    return a != null ? a : b != null ? b : fallback;
  }

  /** The image's User when numeric ("1000" or "1000:1000"); a name is not resolved yet (root). */
  static long[] imageUser(String user) {
    long[] out = {0, 0};
    if (user.isEmpty()) return out;
    String[] parts = user.split(":", 2);
    try {
      out[0] = Long.parseLong(parts[0]);
      if (parts.length > 1) out[1] = Long.parseLong(parts[1]);
    } catch (NumberFormatException name) {
      // named users need the image's /etc/passwd: left as root for now
    }
    return out;
  }
}
