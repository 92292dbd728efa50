package io.planet.apiserver.handlers;

/** What a client's Accept header asks for: plain objects, a Table, or metadata only; JSON or YAML. */
public record Negotiation(Shape shape, String tableVersion, String mediaType) {
  public enum Shape { OBJECT, TABLE, PARTIAL_METADATA }

  /** Picks the first acceptable entry, as upstream's negotiation does with the client's order. */
  public static Negotiation of(String accept) {
    if (accept == null || accept.isBlank()) return new Negotiation(Shape.OBJECT, null, "application/json");
    boolean jsonAcceptable = false;
    boolean yaml = false;
    for (String part : accept.split(",")) {
      String[] params = part.trim().split(";");
      String type = params[0].trim().toLowerCase();
      String as = "";
      String v = "";
      String g = "";
      for (int i = 1; i < params.length; i++) {
        String[] kv = params[i].trim().split("=", 2);
        if (kv.length != 2) continue;
        switch (kv[0].trim()) {
          case "as" -> as = kv[1].trim();
          case "v" -> v = kv[1].trim();
          case "g" -> g = kv[1].trim();
          default -> { }
        }
      }
      boolean json = type.equals("application/json") || type.equals("*/*") || type.equals("application/*");
      boolean isYaml = type.equals("application/yaml");
      if (!as.isEmpty() && (json || isYaml) && g.equals("meta.k8s.io") && (v.equals("v1") || v.equals("v1beta1"))) {
        if (as.equals("Table")) return new Negotiation(Shape.TABLE, v, json ? "application/json" : "application/yaml");
        if (as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList")) {
          return new Negotiation(Shape.PARTIAL_METADATA, v, json ? "application/json" : "application/yaml");
        }
        continue;
      }
      if (!as.isEmpty()) continue;
      if (json && !jsonAcceptable && !yaml) jsonAcceptable = true;
      if (isYaml && !jsonAcceptable) yaml = true;
      if (type.equals("application/vnd.kubernetes.protobuf")) continue;
    }
    if (yaml) return new Negotiation(Shape.OBJECT, null, "application/yaml");
    if (jsonAcceptable) return new Negotiation(Shape.OBJECT, null, "application/json");
    return null;
  }
}
