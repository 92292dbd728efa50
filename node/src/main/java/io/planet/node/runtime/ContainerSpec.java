package io.planet.node.runtime;

import java.util.List;
import java.util.Map;

/**
 * What the runtime needs to run one container, in the runtime's own terms (like CRI's ContainerConfig): the
 * resolved argv (image entrypoint/cmd already merged with the pod's command/args), environment, identity,
 * privileges, cgroup limits and extra mounts, and whether it runs on a terminal of its own ({@code tty}). The node
 * agent maps a pod's container spec to this.
 */
public record ContainerSpec(
    String name,
    List<String> args,
    List<String> env,
    String workingDir,
    long uid,
    long gid,
    List<Long> supplementalGroups,
    boolean privileged,
    boolean readOnlyRootFilesystem,
    List<String> capabilitiesAdd,
    List<String> capabilitiesDrop,
    Resources resources,
    List<Mount> mounts,
    boolean stdin,
    Map<String, String> sysctls,
    String pidNamespace,
    boolean tty) {

  public ContainerSpec {
    sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
  }

  /** cgroup limits: null fields mean no limit (cpu.shares defaults to 2, as the kubelet sets for no request). */
  public record Resources(Long cpuShares, Long cpuQuota, Long cpuPeriod, Long memoryLimitBytes) {
    public static final Resources NONE = new Resources(null, null, null, null);
  }

  /** A bind or filesystem mount into the container. */
  public record Mount(String destination, String type, String source, List<String> options) {
    public static Mount bind(String source, String destination, boolean readOnly) {
      return new Mount(destination, "bind", source, readOnly ? List.of("rbind", "ro") : List.of("rbind", "rw"));
    }
  }

  /** Without an open stdin (the usual case). */
  public ContainerSpec(String name, List<String> args, List<String> env, String workingDir, long uid, long gid,
      List<Long> supplementalGroups, boolean privileged, boolean readOnlyRootFilesystem, List<String> capabilitiesAdd,
      List<String> capabilitiesDrop, Resources resources, List<Mount> mounts) {
    this(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem, capabilitiesAdd,
        capabilitiesDrop, resources, mounts, false);
  }

  /** As the canonical constructor, with no sysctls and a PID namespace of the container's (or the pod's) own. */
  public ContainerSpec(String name, List<String> args, List<String> env, String workingDir, long uid, long gid,
      List<Long> supplementalGroups, boolean privileged, boolean readOnlyRootFilesystem, List<String> capabilitiesAdd,
      List<String> capabilitiesDrop, Resources resources, List<Mount> mounts, boolean stdin) {
    this(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem, capabilitiesAdd,
        capabilitiesDrop, resources, mounts, stdin, Map.of(), null);
  }

  /** As the canonical constructor, without a terminal. */
  public ContainerSpec(String name, List<String> args, List<String> env, String workingDir, long uid, long gid,
      List<Long> supplementalGroups, boolean privileged, boolean readOnlyRootFilesystem, List<String> capabilitiesAdd,
      List<String> capabilitiesDrop, Resources resources, List<Mount> mounts, boolean stdin, Map<String, String> sysctls,
      String pidNamespace) {
    this(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem, capabilitiesAdd,
        capabilitiesDrop, resources, mounts, stdin, sysctls, pidNamespace, false);
  }

  /** The same container with stdin kept open for attach ({@code stdin: true} in the pod spec). */
  public ContainerSpec withStdin(boolean open) {
    return new ContainerSpec(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem,
        capabilitiesAdd, capabilitiesDrop, resources, mounts, open, sysctls, pidNamespace, tty);
  }

  /** The same container with the pod's sysctls (OCI linux.sysctl: set in the namespaces it joins). */
  public ContainerSpec withSysctls(Map<String, String> values) {
    return new ContainerSpec(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem,
        capabilitiesAdd, capabilitiesDrop, resources, mounts, stdin, values, pidNamespace, tty);
  }

  /**
   * The same container joining the PID namespace at {@code path} (an ephemeral container's target:
   * /proc/&lt;pid&gt;/ns/pid of the target's init process); null for its own.
   */
  public ContainerSpec withPidNamespace(String path) {
    return new ContainerSpec(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem,
        capabilitiesAdd, capabilitiesDrop, resources, mounts, stdin, sysctls, path, tty);
  }

  /**
   * The same container on a pseudo-terminal of its own ({@code tty: true} in the pod spec): its stdin, stdout and
   * stderr are the terminal, which is its controlling terminal, and its output is one stream.
   */
  public ContainerSpec withTty(boolean terminal) {
    return new ContainerSpec(name, args, env, workingDir, uid, gid, supplementalGroups, privileged, readOnlyRootFilesystem,
        capabilitiesAdd, capabilitiesDrop, resources, mounts, stdin, sysctls, pidNamespace, terminal);
  }

  /** A plain container: runs args as root with the default capabilities and no limits. */
  public static ContainerSpec of(String name, List<String> args, List<String> env) {
    return new ContainerSpec(name, args, env, "/", 0, 0, List.of(), false, false, List.of(), List.of(), Resources.NONE, List.of());
  }
}
