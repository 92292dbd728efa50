package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls images from OCI distribution (Docker registry v2) registries into the store: the manifest (through an index
 * to this platform's), the config and the layers, each verified against its digest, blobs already present skipped.
 * Registries are reached over HTTPS, or plain HTTP when insecure (loopback addresses always are, as Docker treats
 * them). Anonymous bearer tokens are fetched when a registry asks for them.
 */
public final class RegistryClient {
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final ImageStore store;
  private final Set<String> insecure;
  private final Platform platform;
  private final HttpClient http;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public RegistryClient(ImageStore store, Set<String> insecureRegistries) {
    this(store, insecureRegistries, Platform.current());
  }

  RegistryClient(ImageStore store, Set<String> insecureRegistries, Platform platform) {
    this.store = store;
    this.insecure = new HashSet<>(insecureRegistries);
    this.platform = platform;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** A pull that failed: {@code notFound} when the registry does not have the image (vs. unreachable or refused). */
  public static final class PullException extends IOException {
    private final boolean notFound;

    PullException(String message, boolean notFound, Throwable cause) {
      super(message, cause);
      this.notFound = notFound;
    }

    public boolean notFound() {
      return notFound;
    }
  }

  /** Pulls {@code reference} and names it so in the store; {@code progress} hears one line per step. */
  public Image pull(String reference, Consumer<String> progress) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    try {
      Manifest m = manifest(ref, ref.manifestReference());
      JsonNode doc = ImageStore.JSON.readTree(m.bytes());
      if (MediaTypes.INDEXES.contains(m.mediaType()) || doc.has("manifests")) {
        String chosen = null;
        for (JsonNode entry : doc.path("manifests")) {
          if (platform.matches(entry.get("platform"))) {
            chosen = entry.path("digest").asText();
            break;
          }
        }
        if (chosen == null) throw new PullException(ref + ": no image for " + platform + " in its index", true, null);
        m = manifest(ref, chosen);
        doc = ImageStore.JSON.readTree(m.bytes());
      }
      if (!MediaTypes.MANIFESTS.contains(m.mediaType()) && !doc.has("layers")) {
        throw new PullException(ref + ": unsupported manifest type " + m.mediaType(), false, null);
      }
      blob(ref, Digest.parse(doc.path("config").path("digest").asText()), doc.path("config").path("size").asLong(), "config", progress);
      for (JsonNode layer : doc.path("layers")) {
        blob(ref, Digest.parse(layer.path("digest").asText()), layer.path("size").asLong(), "layer", progress);
      }
      Digest manifestDigest = store.content().put(m.bytes());
      Image image = store.tag(ref.toString(), manifestDigest);
      progress.accept("pulled " + ref + " (" + manifestDigest + ")");
      return image;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PullException("interrupted pulling " + ref, false, e);
    } catch (ConnectException | HttpTimeoutException e) {
      throw new PullException("cannot reach registry " + ref.domain() + " (" + baseUrl(ref) + "): "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), false, e);
    }
  }

  private record Manifest(byte[] bytes, String mediaType) {}

  private Manifest manifest(ImageReference ref, String reference) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = send(ref, "/manifests/" + reference, HttpResponse.BodyHandlers.ofByteArray(), MediaTypes.ACCEPT);
    if (r.statusCode() == 404) {
      throw new PullException(ref.repository() + ":" + reference + " not found: manifest unknown", true, null);
    }
    check(ref, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    if (reference.startsWith("sha256:") && !Digest.of(r.body()).equals(Digest.parse(reference))) {
      throw new PullException(ref + ": manifest does not match its digest " + reference, false, null);
    }
    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    if (type.isEmpty() || type.equals("application/json")) type = ImageStore.JSON.readTree(r.body()).path("mediaType").asText();
    return new Manifest(r.body(), type);
  }

  private void blob(ImageReference ref, Digest d, long size, String what, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (store.content().has(d)) {
      progress.accept(what + " " + d.shortHex() + ": already present");
      return;
    }
    progress.accept(String.format(Locale.ROOT, "pulling %s %s (%.1f MB)", what, d.shortHex(), size / 1e6));
    HttpResponse<InputStream> r = send(ref, "/blobs/" + d, HttpResponse.BodyHandlers.ofInputStream(), "*/*");
    try (InputStream body = r.body()) {
      if (r.statusCode() != 200) {
        String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
        if (r.statusCode() == 404) throw new PullException(ref + ": blob " + d + " not found", true, null);
        check(ref, r.statusCode(), text);
      }
      store.content().put(body, d);
    }
  }

  private <T> HttpResponse<T> send(ImageReference ref, String suffix, HttpResponse.BodyHandler<T> handler, String accept)
      throws IOException, InterruptedException {
    URI uri = URI.create(baseUrl(ref) + "/v2/" + ref.path() + suffix);
    HttpResponse<T> r = http.send(request(uri, accept, tokens.get(ref.repository())), handler);
    if (r.statusCode() == 401) {
      String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
      if (challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
        discard(r);
        String token = token(challenge);
        tokens.put(ref.repository(), token);
        r = http.send(request(uri, accept, token), handler);
      }
    }
    return r;
  }

  private static HttpRequest request(URI uri, String accept, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).header("Accept", accept)
        .header("User-Agent", "planet");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b.GET().build();
  }

  /** An anonymous token from the realm a Bearer challenge names (Docker's token protocol). */
  private String token(String challenge) throws IOException, InterruptedException {
    Map<String, String> params = new java.util.HashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) params.put(m.group(1), m.group(2));
    String realm = params.get("realm");
    if (realm == null) throw new PullException("registry sent a Bearer challenge without a realm", false, null);
    StringBuilder url = new StringBuilder(realm);
    char sep = realm.contains("?") ? '&' : '?';
    for (String k : new String[] {"service", "scope"}) {
      if (params.containsKey(k)) {
        url.append(sep).append(k).append('=').append(URLEncoder.encode(params.get(k), StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) throw new PullException("token request to " + realm + " failed: HTTP " + r.statusCode(), false, null);
    JsonNode body = ImageStore.JSON.readTree(r.body());
    String token = body.hasNonNull("token") ? body.get("token").asText() : body.path("access_token").asText();
    if (token.isEmpty()) throw new PullException("token response from " + realm + " holds no token", false, null);
    return token;
  }

  private static void check(ImageReference ref, int status, String body) throws PullException {
    if (status == 200) return;
    String what = status == 401 || status == 403 ? "access denied (pulling needs credentials, which are not supported yet)"
        : "HTTP " + status;
    throw new PullException("pulling " + ref + ": " + what + (body.isBlank() ? "" : ": " + body.strip()), false, null);
  }

  private static void discard(HttpResponse<?> r) throws IOException {
    if (r.body() instanceof InputStream in) in.close();
  }

  String baseUrl(ImageReference ref) {
    String host = ref.domain().equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : ref.domain();
    return (isInsecure(ref.domain()) ? "http://" : "https://") + host;
  }

  private boolean isInsecure(String domain) {
    if (insecure.contains(domain)) return true;
    String host = domain.startsWith("[") ? domain.substring(1, domain.indexOf(']'))
        : domain.contains(":") ? domain.substring(0, domain.lastIndexOf(':')) : domain;
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
