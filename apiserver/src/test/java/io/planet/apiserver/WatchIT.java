package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.WatchStream;
import io.planet.apiserver.testing.TestApiServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watch semantics: from a resourceVersion, initial state, selector transitions, bookmarks, 410 Gone, Tables. */
class WatchIT {
  static TestApiServer server;
  static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    // a small event window so that "too old" is easy to reach
    server = new TestApiServer(c -> c.withCompaction(java.time.Duration.ZERO, 20));
    api = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void namespace(String name) {
    api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
  }

  static String cm(String name, String labels) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels + "}}}";
  }

  @Test
  void watchFromAResourceVersionSeesLaterChangesInOrder() throws Exception {
    namespace("w1");
    JsonNode a = api.create("/api/v1/namespaces/w1/configmaps", cm("a", ""));
    String rv = a.at("/metadata/resourceVersion").asText();
    api.create("/api/v1/namespaces/w1/configmaps", cm("b", ""));
    try (WatchStream w = api.watch("/api/v1/namespaces/w1/configmaps?watch=true&resourceVersion=" + rv)) {
      assertThat(w.code).isEqualTo(200);
      JsonNode e1 = w.nextNonBookmark(5);
      assertThat(e1.path("type").asText()).isEqualTo("ADDED");
      assertThat(e1.at("/object/metadata/name").asText()).isEqualTo("b");
      api.patch("/api/v1/namespaces/w1/configmaps/a", "application/merge-patch+json", "{\"data\":{\"x\":\"1\"}}");
      api.delete("/api/v1/namespaces/w1/configmaps/b");
      JsonNode e2 = w.nextNonBookmark(5);
      assertThat(e2.path("type").asText()).isEqualTo("MODIFIED");
      assertThat(e2.at("/object/data/x").asText()).isEqualTo("1");
      JsonNode e3 = w.nextNonBookmark(5);
      assertThat(e3.path("type").asText()).isEqualTo("DELETED");
      assertThat(e3.at("/object/metadata/name").asText()).isEqualTo("b");
      assertThat(Long.parseLong(e3.at("/object/metadata/resourceVersion").asText()))
          .isGreaterThan(Long.parseLong(e2.at("/object/metadata/resourceVersion").asText()));
    }
  }

  @Test
  void watchWithoutResourceVersionStartsWithTheCurrentState() throws Exception {
    namespace("w2");
    api.create("/api/v1/namespaces/w2/configmaps", cm("a", ""));
    api.create("/api/v1/namespaces/w2/configmaps", cm("b", ""));
    try (WatchStream w = api.watch("/api/v1/namespaces/w2/configmaps?watch=1")) {
      assertThat(w.nextNonBookmark(5).at("/object/metadata/name").asText()).isEqualTo("a");
      assertThat(w.nextNonBookmark(5).at("/object/metadata/name").asText()).isEqualTo("b");
      api.create("/api/v1/namespaces/w2/configmaps", cm("c", ""));
      JsonNode e = w.nextNonBookmark(5);
      assertThat(e.path("type").asText()).isEqualTo("ADDED");
      assertThat(e.at("/object/metadata/name").asText()).isEqualTo("c");
    }
  }

  @Test
  void selectorTransitionsBecomeAddedAndDeleted() throws Exception {
    namespace("w3");
    String rv = api.get("/api/v1/namespaces/w3/configmaps").body().at("/metadata/resourceVersion").asText();
    try (WatchStream w = api.watch("/api/v1/namespaces/w3/configmaps?watch=true&labelSelector=app%3Dweb&resourceVersion=" + rv)) {
      api.create("/api/v1/namespaces/w3/configmaps", cm("x", "\"app\":\"db\""));
      api.patch("/api/v1/namespaces/w3/configmaps/x", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
      JsonNode in = w.nextNonBookmark(5);
      assertThat(in.path("type").asText()).isEqualTo("ADDED");
      api.patch("/api/v1/namespaces/w3/configmaps/x", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}");
      JsonNode out = w.nextNonBookmark(5);
      assertThat(out.path("type").asText()).isEqualTo("DELETED");
    }
  }

  @Test
  void singleObjectWatchByFieldSelector() throws Exception {
    namespace("w4");
    api.create("/api/v1/namespaces/w4/configmaps", cm("one", ""));
    api.create("/api/v1/namespaces/w4/configmaps", cm("one-more", ""));
    try (WatchStream w = api.watch("/api/v1/namespaces/w4/configmaps?watch=true&fieldSelector=metadata.name%3Done")) {
      assertThat(w.nextNonBookmark(5).at("/object/metadata/name").asText()).isEqualTo("one");
      api.patch("/api/v1/namespaces/w4/configmaps/one-more", "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}");
      api.patch("/api/v1/namespaces/w4/configmaps/one", "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}");
      JsonNode e = w.nextNonBookmark(5);
      assertThat(e.at("/object/metadata/name").asText()).isEqualTo("one");
      assertThat(e.path("type").asText()).isEqualTo("MODIFIED");
    }
  }

  @Test
  void bookmarksOnlyWhenAllowed() throws Exception {
    namespace("w5");
    api.create("/api/v1/namespaces/w5/configmaps", cm("a", ""));
    String rv = api.get("/api/v1/namespaces/w5/configmaps").body().at("/metadata/resourceVersion").asText();
    try (WatchStream w = api.watch("/api/v1/namespaces/w5/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv)) {
      JsonNode b = w.next(10);
      assertThat(b.path("type").asText()).isEqualTo("BOOKMARK");
      assertThat(b.at("/object/kind").asText()).isEqualTo("ConfigMap");
      assertThat(Long.parseLong(b.at("/object/metadata/resourceVersion").asText())).isGreaterThanOrEqualTo(Long.parseLong(rv));
    }
  }

  @Test
  void sendInitialEventsEndsWithAnAnnotatedBookmark() throws Exception {
    namespace("w6");
    api.create("/api/v1/namespaces/w6/configmaps", cm("a", ""));
    try (WatchStream w = api.watch("/api/v1/namespaces/w6/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan")) {
      assertThat(w.next(5).path("type").asText()).isEqualTo("ADDED");
      JsonNode end = w.next(5);
      assertThat(end.path("type").asText()).isEqualTo("BOOKMARK");
      assertThat(end.at("/object/metadata/annotations/k8s.io~1initial-events-end").asText()).isEqualTo("true");
    }
  }

  @Test
  void tooOldResourceVersionIsGone() throws Exception {
    namespace("w7");
    JsonNode first = api.create("/api/v1/namespaces/w7/configmaps", cm("c0", ""));
    for (int i = 1; i < 30; i++) api.create("/api/v1/namespaces/w7/configmaps", cm("c" + i, ""));
    try (WatchStream w = api.watch("/api/v1/namespaces/w7/configmaps?watch=true&resourceVersion=" + first.at("/metadata/resourceVersion").asText())) {
      JsonNode e = w.next(5);
      assertThat(e.path("type").asText()).isEqualTo("ERROR");
      assertThat(e.at("/object/code").asInt()).isEqualTo(410);
      assertThat(e.at("/object/reason").asText()).isEqualTo("Expired");
      assertThat(e.at("/object/message").asText()).startsWith("too old resource version");
    }
  }

  @Test
  void watchEventsAsTables() throws Exception {
    namespace("w8");
    try (WatchStream w = api.watch("/api/v1/namespaces/w8/configmaps?watch=true",
        Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"))) {
      api.create("/api/v1/namespaces/w8/configmaps", cm("a", ""));
      api.create("/api/v1/namespaces/w8/configmaps", cm("b", ""));
      JsonNode e1 = w.nextNonBookmark(5);
      assertThat(e1.at("/object/kind").asText()).isEqualTo("Table");
      assertThat(e1.at("/object/columnDefinitions").size()).isGreaterThan(0);
      assertThat(e1.at("/object/rows/0/cells/0").asText()).isEqualTo("a");
      JsonNode e2 = w.nextNonBookmark(5);
      assertThat(e2.at("/object/columnDefinitions").isNull() || e2.at("/object/columnDefinitions").size() == 0).isTrue();
      assertThat(e2.at("/object/rows/0/cells/0").asText()).isEqualTo("b");
    }
  }

  @Test
  void watchOverWebSocketSendsOneEventPerMessage() throws Exception {
    namespace("w10");
    java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(java.net.URI.create(server.url().replace("http", "ws") + "/api/v1/namespaces/w10/configmaps?watch=true"),
            new java.net.http.WebSocket.Listener() {
              private final StringBuilder partial = new StringBuilder();

              @Override
              public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                  messages.add(partial.toString());
                  partial.setLength(0);
                }
                w.request(1);
                return null;
              }
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);
    try {
      api.create("/api/v1/namespaces/w10/configmaps", cm("a", ""));
      String m = messages.poll(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(m).isNotNull();
      JsonNode e = io.planet.api.Json.parse(m);
      assertThat(e.path("type").asText()).isEqualTo("ADDED");
      assertThat(e.at("/object/metadata/name").asText()).isEqualTo("a");
    } finally {
      ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").join();
    }
  }

  @Test
  void timeoutSecondsEndsTheStream() throws Exception {
    namespace("w9");
    try (WatchStream w = api.watch("/api/v1/namespaces/w9/configmaps?watch=true&timeoutSeconds=1&resourceVersion=0")) {
      JsonNode e = w.next(10);
      assertThat(e.path("type").asText()).isEqualTo("__END__");
    }
  }

  @Test
  void watchFromARevisionOfAnotherResourceWaitsForTheCache() throws Exception {
    namespace("w12");
    api.create("/api/v1/namespaces/w12/configmaps", cm("a", ""));
    // a later write to another resource: the configmaps cache has no event at its revision
    JsonNode secret = api.create("/api/v1/namespaces/w12/secrets",
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}");
    long rv = Long.parseLong(secret.at("/metadata/resourceVersion").asText());
    try (WatchStream w = api.watch("/api/v1/namespaces/w12/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv)) {
      JsonNode b = w.next(10);
      assertThat(b.path("type").asText()).isEqualTo("BOOKMARK");
      assertThat(Long.parseLong(b.at("/object/metadata/resourceVersion").asText())).isGreaterThanOrEqualTo(rv);
      api.create("/api/v1/namespaces/w12/configmaps", cm("b", ""));
      JsonNode added = w.nextNonBookmark(5);
      assertThat(added.at("/object/metadata/name").asText()).isEqualTo("b");
    }
  }

  @Test
  void watchFromAFutureRevisionIsATimeout() throws Exception {
    namespace("w13");
    String rv = api.get("/api/v1/namespaces/w13/configmaps").body().at("/metadata/resourceVersion").asText();
    var r = api.get("/api/v1/namespaces/w13/configmaps?watch=true&resourceVersion=" + (Long.parseLong(rv) + 1_000_000));
    assertThat(r.code()).isEqualTo(504);
    assertThat(r.body().path("reason").asText()).isEqualTo("Timeout");
    assertThat(r.body().path("message").asText()).startsWith("Too large resource version");
  }
}
