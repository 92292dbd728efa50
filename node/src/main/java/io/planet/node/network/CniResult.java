package io.planet.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI ADD result (spec 0.4.0 / 1.0.0 shape): interfaces, IP configurations, routes and DNS. The raw JSON is kept
 * because the next plugin of a conflist, and CHECK/DEL later, receive it unchanged as {@code prevResult}.
 */
public record CniResult(String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes,
    Dns dns, ObjectNode raw) {

  /** {@code sandbox} is the netns path for interfaces inside the container, empty for host-side ones. */
  public record Interface(String name, String mac, String sandbox) {}

  /** {@code address} in CIDR notation; {@code interfaceIndex} points into interfaces, -1 when absent. */
  public record IpConfig(String address, String gateway, int interfaceIndex) {
    /** The address without its prefix length. */
    public String ip() {
      int slash = address.indexOf('/');
      return slash < 0 ? address : address.substring(0, slash);
    }
  }

  public record Route(String dst, String gw) {}

  public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {}

  public static CniResult parse(ObjectNode json) {
    List<Interface> interfaces = new ArrayList<>();
    for (JsonNode i : json.path("interfaces")) {
      interfaces.add(new Interface(i.path("name").asText(""), i.path("mac").asText(""), i.path("sandbox").asText("")));
    }
    List<IpConfig> ips = new ArrayList<>();
    for (JsonNode ip : json.path("ips")) {
      ips.add(new IpConfig(ip.path("address").asText(""), ip.path("gateway").asText(""),
          ip.has("interface") ? ip.get("interface").asInt() : -1));
    }
    List<Route> routes = new ArrayList<>();
    for (JsonNode r : json.path("routes")) routes.add(new Route(r.path("dst").asText(""), r.path("gw").asText("")));
    JsonNode d = json.path("dns");
    Dns dns = new Dns(texts(d.path("nameservers")), d.path("domain").asText(""), texts(d.path("search")),
        texts(d.path("options")));
    return new CniResult(json.path("cniVersion").asText(""), List.copyOf(interfaces), List.copyOf(ips),
        List.copyOf(routes), dns, json.deepCopy());
  }

  /** The addresses assigned inside the container (on an interface with a sandbox, or unattributed ones). */
  public List<IpConfig> containerIps() {
    List<IpConfig> out = new ArrayList<>();
    for (IpConfig ip : ips) {
      boolean inSandbox = ip.interfaceIndex() < 0 || ip.interfaceIndex() >= interfaces.size()
          || !interfaces.get(ip.interfaceIndex()).sandbox().isEmpty();
      if (inSandbox) out.add(ip);
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return List.copyOf(out);
  }
}
