package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.security.SecureRandom;

/**
 * Upstream's ServiceAccount admission plugin for new pods: {@code spec.serviceAccountName} defaults to
 * {@code default}; a pod naming a missing account is refused (403); unless the pod or its account opts out with
 * automountServiceAccountToken=false, the projected volume {@code kube-api-access-xxxxx} (a bound token, the
 * kube-root-ca.crt ConfigMap's ca.crt and the namespace) is added and mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every container and init container; the account's
 * imagePullSecrets are copied to a pod that has none. Mirror pods may reference neither accounts nor secrets.
 */
final class ServiceAccountAdmission implements AdmissionPlugin {
  static final String DEFAULT = "default";
  static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final String VOLUME_PREFIX = "kube-api-access-";
  static final String MIRROR = "kubernetes.io/config.mirror";
  /** Upstream's bound token lifetime for the default projected volume (one hour and a bit, to spot stale tokens). */
  static final int TOKEN_EXPIRATION_SECONDS = 3607;
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final StoreLookup stores;

  ServiceAccountAdmission(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.SERVICE_ACCOUNT;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!a.isPod() || !a.operation().equals(AdmissionAttributes.CREATE)) return;
    ObjectNode pod = a.object();
    ObjectNode spec = Json.with(pod, "spec");
    if (pod.path("metadata").path("annotations").has(MIRROR)) {
      if (!spec.path("serviceAccountName").asText("").isEmpty()) throw a.forbidden("a mirror pod may not reference service accounts");
      for (JsonNode v : spec.path("volumes")) {
        if (v.has("secret")) throw a.forbidden("a mirror pod may not reference secrets");
        for (JsonNode s : v.path("projected").path("sources")) {
          if (s.has("secret")) throw a.forbidden("a mirror pod may not reference secrets");
        }
      }
      return;
    }
    String name = spec.path("serviceAccountName").asText("");
    if (name.isEmpty()) {
      name = DEFAULT;
      spec.put("serviceAccountName", name);
    }
    ObjectNode sa;
    try {
      sa = stores.store("", "v1", "serviceaccounts").get(a.namespace(), name);
    } catch (ApiException e) {
      if (e.code() != 404) throw e;
      throw a.forbidden("error looking up service account " + a.namespace() + "/" + name + ": serviceaccount \"" + name + "\" not found");
    }
    if (automount(spec, sa)) mountToken(spec);
    if (spec.path("imagePullSecrets").isEmpty() && sa.path("imagePullSecrets").size() > 0) {
      spec.set("imagePullSecrets", sa.get("imagePullSecrets").deepCopy());
    }
  }

  /** The pod's own setting wins, then the account's; both unset means mount. */
  private static boolean automount(JsonNode spec, JsonNode sa) {
    JsonNode p = spec.get("automountServiceAccountToken");
    if (p != null && !p.isNull()) return p.asBoolean();
    JsonNode s = sa.get("automountServiceAccountToken");
    return s == null || s.isNull() || s.asBoolean();
  }

  static void mountToken(ObjectNode spec) {
    String volumeName = null;
    for (JsonNode v : spec.path("volumes")) {
      if (v.path("name").asText("").startsWith(VOLUME_PREFIX)) {
        volumeName = v.path("name").asText();
        break;
      }
    }
    boolean hasVolume = volumeName != null;
    if (volumeName == null) volumeName = VOLUME_PREFIX + randomSuffix();
    boolean needsVolume = false;
    for (String field : new String[] {"initContainers", "containers"}) {
      for (JsonNode c : spec.path(field)) {
        if (!c.isObject()) continue;
        boolean mounted = false;
        for (JsonNode m : c.path("volumeMounts")) if (MOUNT_PATH.equals(m.path("mountPath").asText())) mounted = true;
        if (mounted) continue;
        ObjectNode container = (ObjectNode) c;
        ArrayNode mounts = container.has("volumeMounts") && container.get("volumeMounts").isArray()
            ? (ArrayNode) container.get("volumeMounts") : container.putArray("volumeMounts");
        ObjectNode m = mounts.addObject();
        m.put("name", volumeName);
        m.put("readOnly", true);
        m.put("mountPath", MOUNT_PATH);
        needsVolume = true;
      }
    }
    if (hasVolume || !needsVolume) return;
    ArrayNode volumes = spec.has("volumes") && spec.get("volumes").isArray() ? (ArrayNode) spec.get("volumes") : spec.putArray("volumes");
    ObjectNode v = volumes.addObject();
    v.put("name", volumeName);
    ObjectNode projected = v.putObject("projected");
    ArrayNode sources = projected.putArray("sources");
    ObjectNode token = sources.addObject().putObject("serviceAccountToken");
    token.put("expirationSeconds", TOKEN_EXPIRATION_SECONDS);
    token.put("path", "token");
    ObjectNode cm = sources.addObject().putObject("configMap");
    cm.put("name", "kube-root-ca.crt");
    ObjectNode item = cm.putArray("items").addObject();
    item.put("key", "ca.crt");
    item.put("path", "ca.crt");
    ObjectNode ns = sources.addObject().putObject("downwardAPI").putArray("items").addObject();
    ObjectNode ref = ns.putObject("fieldRef");
    ref.put("apiVersion", "v1");
    ref.put("fieldPath", "metadata.namespace");
    ns.put("path", "namespace");
    projected.put("defaultMode", 420);
  }

  private static String randomSuffix() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) b.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
    return b.toString();
  }
}
