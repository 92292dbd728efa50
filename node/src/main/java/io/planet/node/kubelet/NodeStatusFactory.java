package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status the node agent posts for its Node: capacity and allocatable (110 pods, as upstream), addresses, system
 * info and the four conditions, each with upstream's reasons and messages. Pressure follows upstream's default hard
 * eviction thresholds: memory.available < 100Mi, nodefs.available < 10%.
 */
final class NodeStatusFactory {
  static final String KUBELET_VERSION = "v1.32.0";
  static final long MEMORY_THRESHOLD = 100L * 1024 * 1024;
  static final int MAX_PODS = 110;

  private NodeStatusFactory() {}

  /** Free resources now, measured by the caller. */
  record Pressure(long memoryAvailableBytes, long diskAvailableBytes, long diskTotalBytes) {
    boolean memory() {
      return memoryAvailableBytes < MEMORY_THRESHOLD;
    }

    boolean disk() {
      return diskTotalBytes > 0 && diskAvailableBytes * 10 < diskTotalBytes;
    }
  }

  static NodeStatus build(String nodeName, HostInfo host, Pressure pressure, String now, NodeStatus previous,
      int kubeletPort) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(host.cpus())));
    capacity.put("memory", new Quantity(host.memoryBytes() / 1024 + "Ki"));
    capacity.put("pods", new Quantity(Integer.toString(MAX_PODS)));
    capacity.put("ephemeral-storage", new Quantity(host.ephemeralStorageBytes() / 1024 + "Ki"));
    List<NodeCondition> conditions = new ArrayList<>();
    conditions.add(condition("MemoryPressure", pressure.memory(), pressure.memory() ? "KubeletHasInsufficientMemory"
        : "KubeletHasSufficientMemory", pressure.memory() ? "kubelet has insufficient memory available"
        : "kubelet has sufficient memory available", now, previous));
    conditions.add(condition("DiskPressure", pressure.disk(), pressure.disk() ? "KubeletHasDiskPressure"
        : "KubeletHasNoDiskPressure", pressure.disk() ? "kubelet has disk pressure" : "kubelet has no disk pressure",
        now, previous));
    conditions.add(condition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available",
        now, previous));
    conditions.add(condition("Ready", true, "KubeletReady", "kubelet is posting ready status", now, previous));
    return new NodeStatusBuilder()
        .withCapacity(capacity)
        .withAllocatable(new LinkedHashMap<>(capacity))
        .withConditions(conditions)
        .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(host.internalIp()).build(),
            new NodeAddressBuilder().withType("Hostname").withAddress(nodeName).build())
        .withNodeInfo(new NodeSystemInfoBuilder().withMachineID(host.machineId()).withSystemUUID(host.systemUuid())
            .withBootID(host.bootId()).withKernelVersion(host.kernelVersion()).withOsImage(host.osImage())
            .withContainerRuntimeVersion(host.runtimeVersion()).withKubeletVersion(KUBELET_VERSION)
            .withKubeProxyVersion("").withOperatingSystem("linux").withArchitecture(host.architecture()).build())
        .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint().endDaemonEndpoints()
        .build();
  }

  /** A condition whose lastTransitionTime moves only when its status changes. */
  private static NodeCondition condition(String type, boolean status, String reason, String message, String now,
      NodeStatus previous) {
    String s = status ? "True" : "False";
    String transition = now;
    if (previous != null && previous.getConditions() != null) {
      for (NodeCondition c : previous.getConditions()) {
        if (type.equals(c.getType()) && s.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
          transition = c.getLastTransitionTime();
        }
      }
    }
    return new NodeConditionBuilder().withType(type).withStatus(s).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(transition).build();
  }
}
