package io.planet.scheduler;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;

/** Writes the decision: POST pods/{name}/binding, as upstream's DefaultBinder. */
public final class Binder {
  private final ApiWrites writes;

  public Binder(KubernetesClient client) {
    this.writes = new ApiWrites(client);
  }

  /** Completes normally once the API accepted the binding; exceptionally with the API's answer otherwise. */
  public CompletableFuture<Void> bind(Pod pod, String node) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    return writes.post("api/v1/namespaces/" + ApiWrites.enc(ns) + "/pods/" + ApiWrites.enc(name) + "/binding",
        body(ns, name, pod.getMetadata().getUid(), node));
  }

  /** The v1 Binding, written directly: it is small and fixed, and this runs once per scheduled pod. */
  static String body(String namespace, String name, String uid, String node) {
    StringBuilder sb = new StringBuilder(256).append("{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":");
    quote(sb, name).append(",\"namespace\":");
    quote(sb, namespace);
    if (uid != null) quote(sb.append(",\"uid\":"), uid);
    sb.append("},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":");
    return quote(sb, node).append("}}").toString();
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"');
  }
}
