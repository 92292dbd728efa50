package io.planet.controllers;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.Map;
import java.util.Objects;

/**
 * Upstream's root-ca-certificate-publisher: keeps a ConfigMap kube-root-ca.crt with the cluster CA bundle (key
 * ca.crt) in every active namespace, so pods can verify the API server (the kube-api-access projected volume
 * mounts it). Without a CA bundle (no --root-ca-file) it publishes nothing.
 */
public final class RootCaCertPublisher extends Controller {
  public static final String NAME = "kube-root-ca.crt";
  public static final String KEY = "ca.crt";
  static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
  static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using "
      + "internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed "
      + "across distributions of Kubernetes clusters.";

  private final KubernetesClient client;
  private final String caBundle;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<ConfigMap> configMaps;

  /** A publisher with nothing to publish (no --root-ca-file): it watches nothing and writes nothing. */
  public RootCaCertPublisher(KubernetesClient client) {
    this(client, null);
  }

  /** @param caBundle the PEM certificates to publish; null or empty: publish nothing */
  public RootCaCertPublisher(KubernetesClient client, String caBundle) {
    super("root-ca-cert-publisher", 2);
    this.client = client;
    this.caBundle = caBundle == null || caBundle.isBlank() ? null : caBundle;
  }

  @Override
  protected void register(Informers informers) {
    if (caBundle == null) {
      log.info("no --root-ca-file given: {} is not published", NAME);
      return;
    }
    namespaces = informers.informer(Namespace.class);
    configMaps = informers.informer(ConfigMap.class);
    namespaces.addEventHandler(handler(ns -> enqueue(ns.getMetadata().getName())));
    configMaps.addEventHandler(handler(cm -> {
      if (NAME.equals(cm.getMetadata().getName())) enqueue(cm.getMetadata().getNamespace());
    }));
  }

  @Override
  protected void reconcile(String namespace) {
    if (caBundle == null) return;
    Namespace ns = namespaces.getStore().getByKey(namespace);
    if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) return;
    if (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())) return;
    ConfigMap current = configMaps.getStore().getByKey(namespace + "/" + NAME);
    try {
      if (current == null) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
            .withNewMetadata().withName(NAME).withNamespace(namespace)
            .withAnnotations(Map.of(DESCRIPTION_ANNOTATION, DESCRIPTION)).endMetadata()
            .withData(Map.of(KEY, caBundle)).build()).create();
        return;
      }
      boolean sameData = current.getData() != null && current.getData().size() == 1
          && caBundle.equals(current.getData().get(KEY));
      Map<String, String> annotations = current.getMetadata().getAnnotations();
      boolean described = annotations != null && Objects.equals(annotations.get(DESCRIPTION_ANNOTATION), DESCRIPTION);
      if (sameData && described) return;
      ConfigMap next = new ConfigMapBuilder(current).editMetadata().addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION)
          .endMetadata().withData(Map.of(KEY, caBundle)).build();
      client.configMaps().inNamespace(namespace).resource(next).update();
    } catch (KubernetesClientException e) {
      // 409: the cache lags (created or changed meanwhile); the event it brings queues the namespace again.
      // 403 from a terminating namespace: nothing to publish there any more
      if (e.getCode() == 409 || e.getCode() == 403 || e.getCode() == 404) return;
      throw e;
    }
  }
}
