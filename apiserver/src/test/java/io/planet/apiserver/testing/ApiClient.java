package io.planet.apiserver.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal HTTP client for tests: JSON in, status + JSON out, and watch streams as queues of events. */
public final class ApiClient {
  private final String base;
  private final HttpClient http;

  public ApiClient(String base) {
    this(base, null);
  }

  /** A client for an HTTPS server, with {@code ssl} deciding what it trusts and which certificate it presents. */
  public ApiClient(String base, javax.net.ssl.SSLContext ssl) {
    this.base = base;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
    if (ssl != null) b.sslContext(ssl);
    this.http = b.build();
  }

  public record Response(int code, JsonNode body, String text, Map<String, List<String>> headers) {
    public String reason() {
      return body == null ? "" : body.path("reason").asText();
    }

    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase());
      return v == null || v.isEmpty() ? "" : v.get(0);
    }
  }

  public Response get(String path) {
    return send("GET", path, null, null, Map.of());
  }

  public Response post(String path, String json) {
    return send("POST", path, json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
  }

  public Response put(String path, String json) {
    return send("PUT", path, json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
  }

  public Response patch(String path, String contentType, String body) {
    return send("PATCH", path, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
  }

  public Response delete(String path) {
    return send("DELETE", path, null, null, Map.of());
  }

  public Response delete(String path, String json) {
    return send("DELETE", path, json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
  }

  public Response send(String method, String path, byte[] body, String contentType, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    headers.forEach(b::header);
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      String text = new String(r.body(), StandardCharsets.UTF_8);
      JsonNode json = null;
      try {
        json = text.isEmpty() ? null : Json.MAPPER.readTree(text);
      } catch (IOException notJson) {
        json = null;
      }
      return new Response(r.statusCode(), json, text, r.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates and returns the stored object; fails the test on any non-201. */
  public ObjectNode create(String collectionPath, String json) {
    Response r = post(collectionPath, json);
    if (r.code() != 201) throw new AssertionError("create " + collectionPath + " → " + r.code() + " " + r.text());
    return (ObjectNode) r.body();
  }

  /** An open watch: events arrive on {@link #events}; close to disconnect. */
  public final class WatchStream implements AutoCloseable {
    public final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    public final int code;
    private final InputStream in;
    private final Thread reader;

    WatchStream(HttpResponse<InputStream> r) {
      this.code = r.statusCode();
      this.in = r.body();
      this.reader = new Thread(() -> {
        try (BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = br.readLine()) != null) {
            if (!line.isBlank()) events.add(Json.MAPPER.readTree(line));
          }
        } catch (IOException closed) {
          // stream ended
        }
        events.add(Json.object().put("type", "__END__"));
      }, "test-watch");
      reader.setDaemon(true);
      reader.start();
    }

    /** The next event within the timeout, or null. */
    public JsonNode next(long seconds) throws InterruptedException {
      return events.poll(seconds, TimeUnit.SECONDS);
    }

    /** The next event that is not a BOOKMARK. */
    public JsonNode nextNonBookmark(long seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return null;
        JsonNode e = events.poll(left, TimeUnit.NANOSECONDS);
        if (e == null || !"BOOKMARK".equals(e.path("type").asText())) return e;
      }
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  public WatchStream watch(String pathWithQuery) {
    return watch(pathWithQuery, Map.of());
  }

  public WatchStream watch(String pathWithQuery, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathWithQuery)).GET();
    headers.forEach(b::header);
    try {
      return new WatchStream(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
