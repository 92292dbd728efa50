package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.SysctlNames;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * spec.securityContext.sysctls as upstream's validateSysctls (1.32): each name required, at most 253 characters of
 * dot- or slash-separated segments, not repeated; and a sysctl of a namespace the pod shares with the node refused
 * (net.* with hostNetwork; kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* with hostIPC). Values are not checked.
 */
final class PodSysctls {
  static final int MAX_LENGTH = 253;
  static final String SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
  /** Upstream's sysctlContainSlashRegexp, also as its error message prints it. */
  static final String REGEX = "^(" + SEGMENT + "[\\./])*" + SEGMENT + "$";
  private static final Pattern NAME = Pattern.compile(REGEX);

  private PodSysctls() {}

  static boolean validName(String name) {
    return name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
  }

  static void validate(ObjectNode spec, String path, List<FieldError> errors) {
    ObjectNode sc = Trees.obj(spec, "securityContext");
    List<ObjectNode> sysctls = Trees.items(sc, "sysctls");
    boolean hostNet = Trees.bool(spec, "hostNetwork");
    boolean hostIpc = Trees.bool(spec, "hostIPC");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < sysctls.size(); i++) {
      String p = path + ".securityContext.sysctls[" + i + "].name";
      String name = Trees.str(sysctls.get(i), "name");
      if (name.isEmpty()) errors.add(Errors.required(p));
      else if (!validName(name)) {
        errors.add(Errors.invalid(p, name, "must have at most " + MAX_LENGTH + " characters and match regex " + REGEX));
      } else if (seen.contains(name)) errors.add(Errors.duplicate(p, name));
      SysctlNames.Namespace ns = SysctlNames.namespacedBy(SysctlNames.dots(name));
      if (hostNet && ns == SysctlNames.Namespace.NET) errors.add(Errors.invalid(p, name, "may not be specified when 'hostNetwork' is true"));
      if (hostIpc && ns == SysctlNames.Namespace.IPC) errors.add(Errors.invalid(p, name, "may not be specified when 'hostIPC' is true"));
      seen.add(name);
    }
  }

  static boolean any(JsonNode spec) {
    return !Trees.isEmpty(Trees.obj(spec, "securityContext"), "sysctls");
  }
}
