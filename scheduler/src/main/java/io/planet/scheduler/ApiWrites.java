package io.planet.scheduler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The scheduler's hot writes (bindings) as plain asynchronous requests on the client's HTTP client, with its
 * configuration and credentials: the answer is checked for its status only, never turned back into a model object.
 */
final class ApiWrites {
  private final KubernetesClient client;
  private final String base;

  ApiWrites(KubernetesClient client) {
    this.client = client;
    String url = client.getConfiguration().getMasterUrl();
    this.base = url.endsWith("/") ? url : url + "/";
  }

  /** POSTs JSON to a path under the API root ("api/v1/..."); completes exceptionally with the status on a non-2xx. */
  CompletableFuture<Void> post(String path, String json) {
    return send(client.getHttpClient().newHttpRequestBuilder().uri(base + path)
        .post("application/json", json.getBytes(StandardCharsets.UTF_8)).build());
  }

  /** A JSON merge patch. */
  CompletableFuture<Void> mergePatch(String path, String json) {
    return send(client.getHttpClient().newHttpRequestBuilder().uri(base + path)
        .method("PATCH", "application/merge-patch+json", json).build());
  }

  String json(Object o) {
    return client.getKubernetesSerialization().asJson(o);
  }

  private CompletableFuture<Void> send(HttpRequest request) {
    return client.getHttpClient().sendAsync(request, String.class).thenApply(ApiWrites::check);
  }

  private static Void check(HttpResponse<String> response) {
    if (response.isSuccessful()) return null;
    throw new KubernetesClientException("HTTP " + response.code() + ": " + response.body(), response.code(), null);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
