package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A real OCI registry (Debian's docker-registry) on a free loopback port, and a minimal pusher to fill it. */
final class TestRegistry implements AutoCloseable {
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  TestRegistry(Path dir) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("registry.yml");
    Files.writeString(config, """
        version: 0.1
        log: {level: error}
        storage:
          filesystem: {rootdirectory: %s}
          delete: {enabled: true}
        http: {addr: "127.0.0.1:%d"}
        """.formatted(dir.resolve("data"), port));
    process = new ProcessBuilder("docker-registry", "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
    Instant deadline = Instant.now().plusSeconds(20);
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        if (!process.isAlive()) throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
        if (Instant.now().isAfter(deadline)) throw new IOException("docker-registry did not answer within 20 s");
      }
      Thread.onSpinWait();
    }
  }

  String host() {
    return "127.0.0.1:" + port;
  }

  String url() {
    return "http://" + host();
  }

  /** Pushes an image from an OCI layout directory (blobs, then the manifest under {@code tag}). */
  void push(Path layout, String repository, String tag) throws Exception {
    JsonNode index = ImageStore.JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode desc = index.at("/manifests/0");
    Path blobs = layout.resolve("blobs/sha256");
    JsonNode manifest = ImageStore.JSON.readTree(blobs.resolve(desc.get("digest").asText().substring(7)).toFile());
    pushBlob(blobs, repository, manifest.at("/config/digest").asText());
    for (JsonNode l : manifest.get("layers")) pushBlob(blobs, repository, l.get("digest").asText());
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", desc.get("mediaType").asText())
        .PUT(HttpRequest.BodyPublishers.ofFile(blobs.resolve(desc.get("digest").asText().substring(7)))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IOException("manifest push: " + r.statusCode() + " " + r.body());
  }

  private void pushBlob(Path blobs, String repository, String digest) throws Exception {
    HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (start.statusCode() != 202) throw new IOException("upload start: " + start.statusCode() + " " + start.body());
    URI location = URI.create(url()).resolve(start.headers().firstValue("Location").orElseThrow());
    String sep = location.getQuery() == null ? "?" : "&";
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofFile(blobs.resolve(digest.substring(7)))).timeout(Duration.ofMinutes(1)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() != 201) throw new IOException("blob push: " + put.statusCode() + " " + put.body());
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    process.waitFor();
  }
}
