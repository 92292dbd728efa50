package io.planet.apiserver.audit;

/** How much of a request an audit event records (audit.k8s.io/v1 Level), from least to most. */
public enum AuditLevel {
  NONE("None"),
  METADATA("Metadata"),
  REQUEST("Request"),
  REQUEST_RESPONSE("RequestResponse");

  private final String wire;

  AuditLevel(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public boolean atLeast(AuditLevel other) {
    return compareTo(other) >= 0;
  }

  public static AuditLevel parse(String s) {
    for (AuditLevel l : values()) if (l.wire.equals(s)) return l;
    throw new IllegalArgumentException("unknown audit level \"" + s + "\" (None, Metadata, Request or RequestResponse)");
  }
}
