package io.planet.node.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Generates a container's OCI runtime spec (config.json) for runc: the pod's network, IPC and UTS namespaces joined
 * by path (or the node's, for hostNetwork/hostIPC pods), new PID (unless hostPID) and mount namespaces, the usual
 * /proc, /dev, /sys mounts, container runtimes' default capability set (all of them when privileged), masked and
 * read-only kernel paths, and cgroup limits.
 */
public final class OciSpec {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The capabilities containerd and Docker give a container by default. */
  static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
      "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
      "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  /** Every capability this kernel may know, for privileged containers (runc ignores ones the kernel lacks). */
  static final List<String> ALL_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
      "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
      "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
      "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
      "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ");

  static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
      "/sys/firmware", "/sys/devices/virtual/powercap");
  static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
      "/proc/sysrq-trigger");

  private OciSpec() {}

  public static ObjectNode build(ContainerSpec c, PodSandbox sandbox, Path rootfs, String cgroupsPath) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("ociVersion", "1.0.2");
    ObjectNode process = spec.putObject("process");
    // with a terminal, runc gives the container a pseudo-terminal of its own as controlling terminal and relays it to
    // its own stdio (see ContainerShim)
    process.put("terminal", c.tty());
    ObjectNode user = process.putObject("user");
    user.put("uid", c.uid());
    user.put("gid", c.gid());
    if (!c.supplementalGroups().isEmpty()) {
      ArrayNode groups = user.putArray("additionalGids");
      c.supplementalGroups().forEach(groups::add);
    }
    ArrayNode args = process.putArray("args");
    c.args().forEach(args::add);
    ArrayNode env = process.putArray("env");
    c.env().forEach(env::add);
    // as containerd's WithTTY (and Docker) do for a container with a terminal, unless the pod sets TERM itself
    if (c.tty() && c.env().stream().noneMatch(e -> e.startsWith("TERM="))) env.add("TERM=xterm");
    process.put("cwd", c.workingDir() == null || c.workingDir().isEmpty() ? "/" : c.workingDir());
    ObjectNode caps = process.putObject("capabilities");
    List<String> capSet = capabilities(c);
    for (String set : List.of("bounding", "effective", "permitted")) {
      ArrayNode a = caps.putArray(set);
      capSet.forEach(a::add);
    }
    // no rlimits: the container inherits the agent's (raising them can fail inside an unprivileged host container)
    process.put("noNewPrivileges", false);

    ObjectNode root = spec.putObject("root");
    root.put("path", rootfs.toString());
    root.put("readonly", c.readOnlyRootFilesystem());

    ArrayNode mounts = spec.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
    mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
    mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
    // hostIPC: the node's POSIX shared memory too, as containerd gives such pods the host's /dev/shm
    if (sandbox.ipc() == null) mount(mounts, "/dev/shm", "bind", "/dev/shm", "rbind", "rw");
    else mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
    mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", c.privileged() ? "rw" : "ro");
    mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", c.privileged() ? "rw" : "ro");
    for (ContainerSpec.Mount m : c.mounts()) mount(mounts, m.destination(), m.type(), m.source(), m.options().toArray(String[]::new));

    ObjectNode linux = spec.putObject("linux");
    ArrayNode ns = linux.putArray("namespaces");
    // a namespace left out is the runtime's own, i.e. the node's: that is how hostPID/hostIPC/hostNetwork share them
    // shareProcessNamespace: the pod's one PID namespace, its pause process's; else a new one per container
    if (c.pidNamespace() != null && !sandbox.sharedPid() && !sandbox.hostNamespaces().pid()) {
      // an ephemeral container with a target: the target container's own PID namespace
      ns.addObject().put("type", "pid").put("path", c.pidNamespace());
    } else if (sandbox.sharedPid()) {
      Path pidns = sandbox.pidns();
      if (pidns == null) throw new IllegalStateException("pod " + sandbox.id() + ": its pause process is gone");
      ns.addObject().put("type", "pid").put("path", pidns.toString());
    } else if (!sandbox.hostNamespaces().pid()) {
      ns.addObject().put("type", "pid");
    }
    ns.addObject().put("type", "mount");
    if (sandbox.netns() != null) ns.addObject().put("type", "network").put("path", sandbox.netns().toString());
    if (sandbox.ipc() != null) ns.addObject().put("type", "ipc").put("path", sandbox.ipc().toString());
    if (sandbox.uts() != null) ns.addObject().put("type", "uts").put("path", sandbox.uts().toString());
    linux.put("cgroupsPath", cgroupsPath);
    // the pod's sysctls, written by runc in the container's namespaces (the pod's net/IPC ones, shared by all)
    if (!c.sysctls().isEmpty()) {
      ObjectNode sysctl = linux.putObject("sysctl");
      new java.util.TreeMap<>(c.sysctls()).forEach(sysctl::put);
    }
    ObjectNode resources = linux.putObject("resources");
    ObjectNode devices = resources.putArray("devices").addObject();
    devices.put("allow", c.privileged());
    devices.put("access", "rwm");
    ContainerSpec.Resources r = c.resources();
    ObjectNode cpu = resources.putObject("cpu");
    cpu.put("shares", r.cpuShares() == null ? 2 : r.cpuShares());
    if (r.cpuQuota() != null) {
      cpu.put("quota", r.cpuQuota());
      cpu.put("period", r.cpuPeriod() == null ? 100_000 : r.cpuPeriod());
    }
    if (r.memoryLimitBytes() != null) {
      resources.putObject("memory").put("limit", r.memoryLimitBytes()).put("swap", r.memoryLimitBytes());
    }
    if (!c.privileged()) {
      ArrayNode masked = linux.putArray("maskedPaths");
      MASKED_PATHS.forEach(masked::add);
      ArrayNode ro = linux.putArray("readonlyPaths");
      READONLY_PATHS.forEach(ro::add);
    }
    return spec;
  }

  static List<String> capabilities(ContainerSpec c) {
    if (c.privileged()) return ALL_CAPABILITIES;
    Set<String> set = new LinkedHashSet<>(DEFAULT_CAPABILITIES);
    for (String add : c.capabilitiesAdd()) {
      if (add.equalsIgnoreCase("ALL")) set.addAll(ALL_CAPABILITIES);
      else set.add(capName(add));
    }
    for (String drop : c.capabilitiesDrop()) {
      if (drop.equalsIgnoreCase("ALL")) set.clear();
      else set.remove(capName(drop));
    }
    // an add after "drop ALL" still applies, as Kubernetes users expect (drop: [ALL], add: [NET_BIND_SERVICE])
    if (c.capabilitiesDrop().stream().anyMatch(d -> d.equalsIgnoreCase("ALL"))) {
      for (String add : c.capabilitiesAdd()) if (!add.equalsIgnoreCase("ALL")) set.add(capName(add));
    }
    return List.copyOf(set);
  }

  /** Kubernetes writes capabilities without the CAP_ prefix. */
  static String capName(String cap) {
    String upper = cap.toUpperCase(Locale.ROOT);
    return upper.startsWith("CAP_") ? upper : "CAP_" + upper;
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
    ObjectNode m = mounts.addObject();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    ArrayNode o = m.putArray("options");
    for (String opt : options) o.add(opt);
  }
}
