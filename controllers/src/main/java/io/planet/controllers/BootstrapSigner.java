package io.planet.controllers;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Upstream's bootstrapsigner: keeps a {@code jws-kubeconfig-<token-id>} detached JWS of kube-public/cluster-info's
 * {@code kubeconfig} for every bootstrap token that may sign (a valid, unexpired Secret
 * {@code kube-system/bootstrap-token-<id>} with usage-bootstrap-signing=true), and removes the signatures of tokens
 * that are gone. A token that expires later is looked at again then.
 */
public final class BootstrapSigner extends Controller {
  static final String CONFIG_MAP_NAMESPACE = "kube-public";
  static final String CONFIG_MAP_NAME = "cluster-info";
  static final String KUBECONFIG_KEY = "kubeconfig";
  static final String SIGNATURE_PREFIX = "jws-kubeconfig-";
  private static final String KEY = CONFIG_MAP_NAMESPACE + "/" + CONFIG_MAP_NAME;
  private static final Pattern TOKEN_ID = Pattern.compile("[a-z0-9]{6}");
  private static final Pattern TOKEN_SECRET = Pattern.compile("[a-z0-9]{16}");

  private final KubernetesClient client;
  private final Clock clock;
  private SharedIndexInformer<ConfigMap> configMaps;
  private SharedIndexInformer<Secret> secrets;

  public BootstrapSigner(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  BootstrapSigner(KubernetesClient client, Clock clock) {
    super("bootstrapsigner", 1);
    this.client = client;
    this.clock = clock;
  }

  @Override
  protected String eventSource() {
    return "bootstrap-signer";
  }

  @Override
  protected void register(Informers informers) {
    configMaps = informers.informer(ConfigMap.class);
    configMaps.addEventHandler(handler(cm -> {
      if (KEY.equals(key(cm))) enqueue(KEY);
    }));
    secrets = informers.informer(Secret.class);
    secrets.addEventHandler(handler(s -> {
      if (TokenCleaner.isBootstrapToken(s)) enqueue(KEY);
    }));
  }

  /** The tokens that may sign now, id → secret; {@code nextExpiry[0]} gets the earliest later expiration. */
  Map<String, String> signingTokens(Instant now, Instant[] nextExpiry) {
    Map<String, String> out = new TreeMap<>();
    for (Secret s : secrets.getStore().list()) {
      if (!TokenCleaner.isBootstrapToken(s) || s.getMetadata().getDeletionTimestamp() != null) continue;
      String id = data(s, "token-id");
      String secret = data(s, "token-secret");
      if (!s.getMetadata().getName().equals("bootstrap-token-" + id) || !TOKEN_ID.matcher(id).matches()
          || !TOKEN_SECRET.matcher(secret).matches() || !"true".equals(data(s, "usage-bootstrap-signing"))) {
        continue;
      }
      Instant expires = TokenCleaner.expiration(s);
      if (expires != null && !expires.isAfter(now)) continue;
      if (expires != null && (nextExpiry[0] == null || expires.isBefore(nextExpiry[0]))) nextExpiry[0] = expires;
      out.put(id, secret);
    }
    return out;
  }

  private static String data(Secret s, String key) {
    if (s.getData() != null && s.getData().get(key) != null) {
      try {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "";
      }
    }
    if (s.getStringData() != null && s.getStringData().get(key) != null) return s.getStringData().get(key);
    return "";
  }

  @Override
  protected void reconcile(String key) throws Exception {
    ConfigMap cm = configMaps.getStore().getByKey(KEY);
    if (cm == null || cm.getData() == null || !cm.getData().containsKey(KUBECONFIG_KEY)) return;
    String content = cm.getData().get(KUBECONFIG_KEY);
    Instant now = clock.instant();
    Instant[] nextExpiry = new Instant[1];
    Map<String, String> want = new HashMap<>(cm.getData());
    want.keySet().removeIf(k -> k.startsWith(SIGNATURE_PREFIX));
    for (Map.Entry<String, String> t : signingTokens(now, nextExpiry).entrySet()) {
      want.put(SIGNATURE_PREFIX + t.getKey(), DetachedJws.sign(content, t.getKey(), t.getValue()));
    }
    if (!want.equals(cm.getData())) {
      ConfigMap next = cm.edit().withData(want).build();
      try {
        client.configMaps().inNamespace(CONFIG_MAP_NAMESPACE).resource(next).update();
        log.info("signed {} for {} bootstrap token(s)", KEY, want.keySet().stream().filter(k -> k.startsWith(SIGNATURE_PREFIX)).count());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e;
      }
    }
    if (nextExpiry[0] != null) throw new Requeue(java.time.Duration.between(now, nextExpiry[0]).plusSeconds(1));
  }
}
