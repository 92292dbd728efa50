package io.planet.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.storage.Storage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Cluster IPs from the service CIDR and node ports from their range, for Services. */
public final class ServiceAllocations {
  private final int base;
  private final int prefixLength;
  private final RangeAllocator ips;
  private final RangeAllocator ports;
  private final int portMin;
  private final int portMax;

  public ServiceAllocations(Storage storage, String serviceCidr, int portMin, int portMax) {
    String[] c = serviceCidr.split("/");
    if (c.length != 2) throw new IllegalArgumentException("--service-cluster-ip-range must be a CIDR like 10.96.0.0/12");
    this.prefixLength = Integer.parseInt(c[1]);
    if (prefixLength < 8 || prefixLength > 30) throw new IllegalArgumentException("service CIDR prefix must be between /8 and /30");
    this.base = toInt(c[0]) & (int) (0xFFFFFFFFL << (32 - prefixLength));
    int size = (int) Math.min(1L << (32 - prefixLength), 1 << 20);
    this.ips = new RangeAllocator(storage, "/registry/ranges/serviceips", serviceCidr, size);
    this.portMin = portMin;
    this.portMax = portMax;
    this.ports = new RangeAllocator(storage, "/registry/ranges/servicenodeports", portMin + "-" + portMax, portMax - portMin + 1);
  }

  static int toInt(String ip) {
    try {
      byte[] b = InetAddress.getByName(ip).getAddress();
      if (b.length != 4) throw new IllegalArgumentException("only IPv4 service ranges are supported");
      return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid IP " + ip);
    }
  }

  static String toIp(int v) {
    return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
  }

  /** The first usable IP of the range: the default/kubernetes service's. */
  public String firstIp() {
    return toIp(base + 1);
  }

  private int offsetOf(String ip) {
    if (!ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) return -1;
    long off = (toInt(ip) & 0xFFFFFFFFL) - (base & 0xFFFFFFFFL);
    // network and broadcast addresses are not allocatable
    if (off <= 0 || off >= ips.size() - 1) return -1;
    return (int) off;
  }

  /** Allocates for a new service; returns the undo action. Throws 422 for unusable requested IPs/ports. */
  public Runnable allocate(ObjectNode svc, boolean dryRun) {
    List<Runnable> undo = new ArrayList<>();
    try {
      ObjectNode spec = Json.with(svc, "spec");
      String type = spec.path("type").asText("ClusterIP");
      if (!type.equals("ExternalName")) {
        String ip = spec.path("clusterIP").asText("");
        if (ip.isEmpty()) {
          if (!dryRun) {
            int off = ips.allocateNext(1);
            undo.add(() -> ips.release(off));
            ip = toIp(base + off);
          } else {
            ip = toIp(base + 2);
          }
          spec.put("clusterIP", ip);
        } else if (!ip.equals("None")) {
          int off = offsetOf(ip);
          if (off < 0) {
            throw ApiException.invalid("", "Service", Meta.name(svc), List.of(FieldError.invalid("spec.clusterIPs[0]", ip,
                "failed to allocate IP " + ip + ": the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " + toIp(base) + "/" + prefixLength)));
          }
          if (!dryRun && !ips.allocate(off)) {
            throw ApiException.invalid("", "Service", Meta.name(svc), List.of(FieldError.invalid("spec.clusterIPs[0]", ip,
                "failed to allocate IP " + ip + ": provided IP is already allocated")));
          }
          if (!dryRun) undo.add(() -> ips.release(off));
        }
        ArrayNode clusterIPs = spec.putArray("clusterIPs");
        clusterIPs.add(spec.path("clusterIP").asText());
      }
      if (type.equals("NodePort") || type.equals("LoadBalancer")) {
        for (JsonNode port : spec.path("ports")) {
          undo.add(allocatePort((ObjectNode) port, svc, dryRun));
        }
      }
      return () -> undo.forEach(Runnable::run);
    } catch (RuntimeException e) {
      undo.forEach(Runnable::run);
      throw e;
    }
  }

  private Runnable allocatePort(ObjectNode port, ObjectNode svc, boolean dryRun) {
    int requested = port.path("nodePort").asInt(0);
    if (requested == 0) {
      if (dryRun) return () -> {};
      int off = ports.allocateNext(0);
      port.put("nodePort", portMin + off);
      return () -> ports.release(off);
    }
    if (requested < portMin || requested > portMax) {
      throw ApiException.invalid("", "Service", Meta.name(svc), List.of(FieldError.invalid("spec.ports[0].nodePort", requested,
          "provided port is not in the valid range. The range of valid ports is " + portMin + "-" + portMax)));
    }
    if (dryRun) return () -> {};
    if (!ports.allocate(requested - portMin)) {
      throw ApiException.invalid("", "Service", Meta.name(svc), List.of(FieldError.invalid("spec.ports[0].nodePort", requested,
          "provided port is already allocated")));
    }
    return () -> ports.release(requested - portMin);
  }

  /** On update: keep the old cluster IP, allocate node ports that appeared, release those that went away. */
  public void update(ObjectNode svc, ObjectNode old, boolean dryRun) {
    ObjectNode spec = Json.with(svc, "spec");
    String oldIp = old.path("spec").path("clusterIP").asText("");
    if (spec.path("clusterIP").asText("").isEmpty() && !oldIp.isEmpty()) {
      spec.put("clusterIP", oldIp);
      spec.set("clusterIPs", old.path("spec").path("clusterIPs").deepCopy());
    }
    String type = spec.path("type").asText("ClusterIP");
    List<Integer> oldPorts = nodePorts(old);
    if (type.equals("NodePort") || type.equals("LoadBalancer")) {
      for (JsonNode p : spec.path("ports")) {
        int np = p.path("nodePort").asInt(0);
        if (np == 0 || !oldPorts.contains(np)) allocatePort((ObjectNode) p, svc, dryRun);
      }
    } else {
      for (JsonNode p : spec.path("ports")) ((ObjectNode) p).remove("nodePort");
    }
    if (!dryRun) {
      List<Integer> now = nodePorts(svc);
      for (int p : oldPorts) if (!now.contains(p)) ports.release(p - portMin);
    }
  }

  public void release(ObjectNode svc) {
    int off = offsetOf(svc.path("spec").path("clusterIP").asText(""));
    if (off > 0) ips.release(off);
    for (int p : nodePorts(svc)) ports.release(p - portMin);
  }

  private static List<Integer> nodePorts(JsonNode svc) {
    List<Integer> out = new ArrayList<>();
    for (JsonNode p : svc.path("spec").path("ports")) if (p.path("nodePort").asInt(0) > 0) out.add(p.get("nodePort").asInt());
    return out;
  }
}
