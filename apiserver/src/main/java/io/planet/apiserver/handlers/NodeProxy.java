package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.http.ApiRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * {@code nodes/{name}/proxy/{path}}: the request (GET, HEAD, POST, PUT, PATCH, DELETE with its body) forwarded to
 * the node's kubelet API and its answer streamed back, status and content type included.
 */
final class NodeProxy {
  private final Kubelets kubelets;

  NodeProxy(Kubelets kubelets) {
    this.kubelets = kubelets;
  }

  void serve(ApiRequest req, ObjectNode node, String path) {
    String query = req.uri().contains("?") ? req.uri().substring(req.uri().indexOf('?')) : "";
    URI uri = URI.create("https://" + Kubelets.hostPort(Kubelets.address(node), Kubelets.port(node))
        + (path.isEmpty() ? "/" : path) + query);
    HttpRequest.BodyPublisher body = req.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(req.body());
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(req.method(), body);
    if (!req.contentType().isEmpty()) b.header("Content-Type", req.contentType());
    if (!req.accept().isEmpty()) b.header("Accept", req.accept());
    HttpResponse<InputStream> r;
    try {
      r = kubelets.http(node).send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(503, "ServiceUnavailable", "error trying to reach the kubelet of node "
          + node.path("metadata").path("name").asText() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.internal("interrupted");
    }
    PodLogs.stream(req, r.body(), r.statusCode(), r.headers().firstValue("Content-Type").orElse("text/plain"));
  }
}
