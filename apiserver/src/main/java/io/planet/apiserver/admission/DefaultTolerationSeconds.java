package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Upstream's DefaultTolerationSeconds admission plugin: a new pod that does not tolerate the not-ready and unreachable
 * NoExecute taints gets tolerations for them with 300 s, so taint eviction waits five minutes before evicting it.
 */
final class DefaultTolerationSeconds implements AdmissionPlugin {
  static final String NOT_READY = "node.kubernetes.io/not-ready";
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  static final long SECONDS = 300;

  @Override
  public String name() {
    return AdmissionPlugins.DEFAULT_TOLERATION_SECONDS;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!a.isPod() || !a.operation().equals(AdmissionAttributes.CREATE)) return;
    JsonNode spec = a.object().get("spec");
    if (spec instanceof ObjectNode s) admit(s);
  }

  static void admit(ObjectNode spec) {
    ArrayNode tolerations = spec.has("tolerations") && spec.get("tolerations").isArray()
        ? (ArrayNode) spec.get("tolerations") : null;
    boolean notReady = tolerates(tolerations, NOT_READY);
    boolean unreachable = tolerates(tolerations, UNREACHABLE);
    if (notReady && unreachable) return;
    if (tolerations == null) tolerations = spec.putArray("tolerations");
    if (!notReady) add(tolerations, NOT_READY);
    if (!unreachable) add(tolerations, UNREACHABLE);
  }

  /** As upstream: a toleration with this key or no key, and effect NoExecute or none, already covers the taint. */
  private static boolean tolerates(ArrayNode tolerations, String key) {
    if (tolerations == null) return false;
    for (JsonNode t : tolerations) {
      String k = t.path("key").asText("");
      String effect = t.path("effect").asText("");
      if ((k.equals(key) || k.isEmpty()) && (effect.equals("NoExecute") || effect.isEmpty())) return true;
    }
    return false;
  }

  private static void add(ArrayNode tolerations, String key) {
    ObjectNode t = tolerations.addObject();
    t.put("key", key);
    t.put("operator", "Exists");
    t.put("effect", "NoExecute");
    t.put("tolerationSeconds", SECONDS);
  }
}
