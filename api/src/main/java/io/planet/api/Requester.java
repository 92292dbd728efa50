package io.planet.api;

import java.util.List;
import java.util.Map;

/**
 * Who sent a write, as the API server's authentication established it (upstream's user.Info in the request context).
 * Strategies that record the requesting user (CertificateSigningRequest's spec.username/groups) read it on create.
 */
public record Requester(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  /** The server's own writes (no request behind them). */
  public static final Requester NONE = new Requester("", "", List.of(), Map.of());

  public Requester {
    name = name == null ? "" : name;
    uid = uid == null ? "" : uid;
    groups = groups == null ? List.of() : List.copyOf(groups);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }
}
