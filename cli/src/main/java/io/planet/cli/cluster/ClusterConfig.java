package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Everything a single-node cluster is started with: where its data, runtime state, logs and kubeconfig live, its
 * networks and its ports. Saved as {@code <run-dir>/cluster.json} by the running cluster so {@code planet status},
 * {@code stop}, {@code logs} and {@code enter} find it.
 */
public record ClusterConfig(Path dataDir, Path runDir, Path logDir, Path configDir, Path userKubeconfig,
    String nodeName, String advertiseAddress, String serviceCidr, String clusterCidr, String clusterDns,
    String clusterDomain, List<String> roles, String bridge, Ports ports) {

  /** The well-known ports of the components; tests move them so they can run beside another cluster. */
  public record Ports(int apiServer, int etcdClient, int etcdPeer, int kubelet, int scheduler, int controllerManager) {
    public static Ports defaults() {
      return new Ports(6443, 2379, 2380, 10250, 10259, 10257);
    }

    /** Port → what binds it, in the order preflight names them. */
    public List<Object[]> named() {
      return List.of(new Object[] {apiServer, "API server"}, new Object[] {etcdClient, "etcd client"},
          new Object[] {etcdPeer, "etcd peer"}, new Object[] {kubelet, "kubelet"}, new Object[] {scheduler, "scheduler"},
          new Object[] {controllerManager, "controller-manager"});
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  public ClusterConfig {
    roles = List.copyOf(roles);
  }

  public Path pidFile() {
    return runDir.resolve("planet.pid");
  }

  public Path etcdPidFile() {
    return runDir.resolve("etcd.pid");
  }

  public Path stateFile() {
    return runDir.resolve("cluster.json");
  }

  /** Supervisor states (restarts, last failure) the running cluster refreshes for {@code planet status}. */
  public Path componentsFile() {
    return runDir.resolve("components.json");
  }

  public Path adminKubeconfig() {
    return configDir.resolve("admin.kubeconfig");
  }

  public Path logFile() {
    return logDir.resolve("planet.log");
  }

  public Path etcdDataDir() {
    return dataDir.resolve("etcd");
  }

  public Path pkiDir() {
    return dataDir.resolve("pki");
  }

  /** The component kubeconfigs (scheduler, controller-manager, proxy, kubelet) live with the data. */
  public Path kubeconfigDir() {
    return dataDir.resolve("kubeconfigs");
  }

  public Path podLogsDir() {
    return logDir.resolve("pods");
  }

  public String etcdEndpoint() {
    return "http://127.0.0.1:" + ports.etcdClient();
  }

  public String apiServerUrl() {
    return "https://127.0.0.1:" + ports.apiServer();
  }

  public boolean master() {
    return roles.contains("master");
  }

  public boolean node() {
    return roles.contains("node");
  }

  public void save() throws IOException {
    Files.createDirectories(runDir);
    Path tmp = stateFile().resolveSibling("cluster.json.tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), toJson());
    Files.move(tmp, stateFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("dataDir", dataDir.toString());
    o.put("runDir", runDir.toString());
    o.put("logDir", logDir.toString());
    o.put("configDir", configDir.toString());
    o.put("userKubeconfig", userKubeconfig == null ? "" : userKubeconfig.toString());
    o.put("nodeName", nodeName);
    o.put("advertiseAddress", advertiseAddress);
    o.put("serviceCidr", serviceCidr);
    o.put("clusterCidr", clusterCidr);
    o.put("clusterDns", clusterDns);
    o.put("clusterDomain", clusterDomain);
    roles.forEach(o.putArray("roles")::add);
    o.put("bridge", bridge);
    ObjectNode p = o.putObject("ports");
    p.put("apiServer", ports.apiServer());
    p.put("etcdClient", ports.etcdClient());
    p.put("etcdPeer", ports.etcdPeer());
    p.put("kubelet", ports.kubelet());
    p.put("scheduler", ports.scheduler());
    p.put("controllerManager", ports.controllerManager());
    return o;
  }

  /** The configuration a running (or last) cluster saved in {@code runDir}, or null when there is none. */
  public static ClusterConfig load(Path runDir) throws IOException {
    Path file = runDir.resolve("cluster.json");
    if (!Files.exists(file)) return null;
    JsonNode o = JSON.readTree(file.toFile());
    JsonNode p = o.path("ports");
    List<String> roles = new java.util.ArrayList<>();
    o.path("roles").forEach(r -> roles.add(r.asText()));
    String user = o.path("userKubeconfig").asText("");
    return new ClusterConfig(Path.of(o.path("dataDir").asText()), Path.of(o.path("runDir").asText()),
        Path.of(o.path("logDir").asText()), Path.of(o.path("configDir").asText()), user.isEmpty() ? null : Path.of(user),
        o.path("nodeName").asText(), o.path("advertiseAddress").asText(), o.path("serviceCidr").asText(),
        o.path("clusterCidr").asText(), o.path("clusterDns").asText(), o.path("clusterDomain").asText(), roles,
        o.path("bridge").asText(), new Ports(p.path("apiServer").asInt(), p.path("etcdClient").asInt(),
        p.path("etcdPeer").asInt(), p.path("kubelet").asInt(), p.path("scheduler").asInt(), p.path("controllerManager").asInt()));
  }
}
