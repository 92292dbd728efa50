package io.planet.e2e.bench;

import java.nio.charset.StandardCharsets;

/** Request bodies: a ConfigMap of realistic size (about 700 bytes of JSON, 400 of them data). */
final class ConfigMaps {
  private static final String DATA;

  static {
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 400; i++) {
      b.append("key").append(i).append(": value-").append(Integer.toHexString(i * 40503)).append("\\n");
    }
    DATA = b.toString();
  }

  private ConfigMaps() {
  }

  static byte[] body(String namespace, String name) {
    return body(namespace, name, null);
  }

  /** With {@code sentNanos} non-null, the object carries it as the {@link WatchFleet#SENT_ANNOTATION} annotation. */
  static byte[] body(String namespace, String name, Long sentNanos) {
    String annotations = "\"bench.planet.io/purpose\":\"load\""
        + (sentNanos == null ? "" : ",\"" + WatchFleet.SENT_ANNOTATION + "\":\"" + sentNanos + "\"");
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"" + namespace + "\",\"labels\":{\"app.kubernetes.io/name\":\"bench\","
        + "\"app.kubernetes.io/component\":\"load\"},\"annotations\":{" + annotations + "}},"
        + "\"data\":{\"settings.yaml\":\"" + DATA + "\",\"mode\":\"benchmark\"}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
