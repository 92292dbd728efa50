package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Writes the decision: POST pods/{name}/binding, as upstream's DefaultBinder. */
public final class Binder {
  private final KubernetesClient client;

  public Binder(KubernetesClient client) {
    this.client = client;
  }

  /** Completes normally once the API accepted the binding; exceptionally with the API's answer otherwise. */
  public CompletableFuture<Void> bind(Pod pod, String node) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Binding binding = new BindingBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withUid(pod.getMetadata().getUid()).endMetadata()
        .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
        .build();
    String base = client.getConfiguration().getMasterUrl();
    if (!base.endsWith("/")) base += "/";
    String url = base + "api/v1/namespaces/" + enc(ns) + "/pods/" + enc(name) + "/binding";
    HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
        .post("application/json", client.getKubernetesSerialization().asJson(binding).getBytes(StandardCharsets.UTF_8))
        .build();
    return client.getHttpClient().sendAsync(request, String.class).thenApply(Binder::check);
  }

  private static Void check(HttpResponse<String> response) {
    if (response.isSuccessful()) return null;
    throw new KubernetesClientException("binding failed: HTTP " + response.code() + ": " + response.body(), response.code(), null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
