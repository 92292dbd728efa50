package io.planet.controllers.podautoscaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Raw JSON requests against the API server through the fabric8 client's own HTTP client (its TLS and credentials),
 * for the APIs fabric8 has no typed client for: scale subresources of any kind and the metrics APIs.
 */
public final class ApiRequests {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final String base;

  public ApiRequests(KubernetesClient client) {
    this.http = client.getHttpClient();
    String url = client.getMasterUrl().toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** A failed request: the HTTP status and the API server's Status message (or body). */
  public static final class Failure extends Exception {
    private final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  public JsonNode get(String path, Map<String, String> query) throws Failure {
    return send(http.newHttpRequestBuilder().uri(base + path + query(query)).header("Accept", "application/json"));
  }

  public JsonNode put(String path, JsonNode body) throws Failure {
    return send(http.newHttpRequestBuilder().uri(base + path).header("Accept", "application/json")
        .put("application/json", body.toString()));
  }


  private JsonNode send(HttpRequest.Builder b) throws Failure {
    HttpResponse<String> r;
    try {
      r = http.sendAsync(b.timeout(10, TimeUnit.SECONDS).build(), String.class).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(0, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new Failure(0, String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
    }
    String body = r.body() == null ? "" : r.body();
    if (!r.isSuccessful()) throw new Failure(r.code(), message(r.code(), body));
    try {
      return JSON.readTree(body.isEmpty() ? "{}" : body);
    } catch (IOException e) {
      throw new Failure(r.code(), "unreadable response: " + e.getMessage());
    }
  }

  /** The Status message as client-go shows it: "the server could not find the requested resource". */
  private static String message(int code, String body) {
    try {
      JsonNode s = JSON.readTree(body);
      if (s != null && s.hasNonNull("message")) return s.get("message").asText();
    } catch (IOException e) {
      // not a Status: fall through
    }
    return switch (code) {
      case 404 -> "the server could not find the requested resource";
      case 503 -> "the server is currently unable to handle the request";
      default -> "an error on the server (\"" + body.strip() + "\") has prevented the request from succeeding";
    };
  }

  private static String query(Map<String, String> q) {
    Map<String, String> nonEmpty = new LinkedHashMap<>();
    q.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) nonEmpty.put(k, v);
    });
    if (nonEmpty.isEmpty()) return "";
    StringBuilder sb = new StringBuilder("?");
    nonEmpty.forEach((k, v) -> {
      if (sb.length() > 1) sb.append('&');
      sb.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    });
    return sb.toString();
  }
}
