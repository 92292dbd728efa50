package io.planet.apiserver.handlers;

/**
 * A parsed resource URL: {@code /api/v1[/watch][/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]} or the same
 * under {@code /apis/{group}/{version}}.
 */
public record ResourcePath(String group, String version, String namespace, String resource, String name,
    String subresource, boolean legacyWatch, String proxyPath) {

  public ResourcePath(String group, String version, String namespace, String resource, String name, String subresource,
      boolean legacyWatch) {
    this(group, version, namespace, resource, name, subresource, legacyWatch, "");
  }

  /** Null when the path is not a resource path. */
  public static ResourcePath parse(String path) {
    String[] p = path.split("/", -1);
    int i;
    String group;
    String version;
    if (p.length >= 4 && p[1].equals("api")) {
      group = "";
      version = p[2];
      i = 3;
    } else if (p.length >= 5 && p[1].equals("apis")) {
      group = p[2];
      version = p[3];
      i = 4;
    } else {
      return null;
    }
    java.util.List<String> rest = new java.util.ArrayList<>();
    for (int j = i; j < p.length; j++) rest.add(p[j]);
    if (!rest.isEmpty() && rest.get(rest.size() - 1).isEmpty()) rest.remove(rest.size() - 1);
    if (rest.isEmpty()) return null;
    boolean watch = false;
    if (rest.get(0).equals("watch")) {
      watch = true;
      rest.remove(0);
      if (rest.isEmpty()) return null;
    }
    String ns = "";
    // /namespaces/{ns}/{resource}... is namespaced unless it is the namespace object itself (+ its subresources)
    if (rest.get(0).equals("namespaces") && rest.size() >= 3 && !(group.isEmpty() && (rest.get(2).equals("status")
        || rest.get(2).equals("finalize")) && rest.size() == 3)) {
      ns = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    // {resource}/{name}/proxy/{path...}: the rest is the path to proxy to
    String proxyPath = "";
    if (rest.size() > 3 && rest.get(2).equals("proxy")) {
      proxyPath = "/" + String.join("/", rest.subList(3, rest.size()));
      rest = rest.subList(0, 3);
    }
    if (rest.size() > 3) return null;
    for (String s : rest) if (s.isEmpty()) return null;
    return new ResourcePath(group, version, ns, rest.get(0), rest.size() > 1 ? rest.get(1) : "",
        rest.size() > 2 ? rest.get(2) : "", watch, proxyPath);
  }
}
