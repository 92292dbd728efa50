package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.WebSockets;
import io.planet.apiserver.registry.ListOptions;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.storage.WatchCache;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Watch streams: HTTP 200 with a chunked body of newline-delimited {"type","object"} events, fed by the resource's
 * watch cache; bookmarks on request; ends after timeoutSeconds (default: 30–60 min, as upstream).
 */
public final class WatchHandler {
  /** Events a slow client may have queued in the socket before its watch is dropped (the client re-watches). */
  private static final long MAX_PENDING_BYTES = 64L * 1024 * 1024;

  private final ScheduledExecutorService timers;
  private final Features features;
  private final long bookmarkIntervalMillis;

  public WatchHandler(ScheduledExecutorService timers, Features features, long bookmarkIntervalMillis) {
    this.timers = timers;
    this.features = features;
    this.bookmarkIntervalMillis = bookmarkIntervalMillis;
  }

  public void watch(ApiRequest req, Store store, String namespace, String name, ListOptions o, Negotiation neg) {
    ResourceType type = store.type();
    WatchCache cache = store.cache();
    if (cache == null) throw new ApiException(405, "MethodNotAllowed", "watch is not supported on " + type.plural());
    String rv = o.resourceVersion();
    if (Boolean.TRUE.equals(o.sendInitialEvents())) {
      if (!o.allowWatchBookmarks() || !"NotOlderThan".equals(o.resourceVersionMatch())) {
        throw ApiException.invalid("meta.k8s.io", "ListOptions", "", List.of(io.planet.api.FieldError.forbidden(
            "sendInitialEvents", "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled")));
      }
    } else if (!o.resourceVersionMatch().isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "ListOptions", "", List.of(io.planet.api.FieldError.forbidden(
          "resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")));
    }
    long from;
    boolean initialEvents = Boolean.TRUE.equals(o.sendInitialEvents()) || rv.isEmpty() || rv.equals("0");
    if (initialEvents && !Boolean.FALSE.equals(o.sendInitialEvents())) {
      from = -1;
      // the initial state is consistent unless "any" (resourceVersion=0) was asked for: the cache must have seen
      // etcd's current revision (or the one given) first, as upstream's cacher waits until fresh
      if (rv.isEmpty()) {
        long now = features.currentRevision();
        requireFresh(cache, now, () -> now);
      } else if (!rv.equals("0")) {
        requireFresh(cache, parseRv(rv), features::currentRevision);
      }
    } else {
      from = rv.isEmpty() ? cache.revision() : parseRv(rv);
      // so that nothing the client already listed is sent again and bookmarks never go back
      requireFresh(cache, from, features::currentRevision);
    }
    Predicate<ObjectNode> filter = store.filter(o);
    if (!name.isEmpty()) {
      Predicate<ObjectNode> byName = filter;
      filter = obj -> Meta.name(obj).equals(name) && byName.test(obj);
    }
    String keyPrefix = !name.isEmpty() ? store.key(namespace, name) : store.listPrefix(namespace);

    Channel ch = req.ctx().channel();
    boolean websocket = WebSockets.isUpgrade(req);
    if (websocket) {
      // one event per text message, as upstream's watch over WebSocket
      if (WebSockets.upgrade(req, null) == null) return;
    } else {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      head.headers().set("Cache-Control", "no-cache, private");
      ch.writeAndFlush(head);
    }

    Stream stream = new Stream(ch, store, neg, req.param("includeObject"), websocket);
    stream.lastRevision = Math.max(from, 0);
    long timeout = o.timeoutSeconds() != null ? o.timeoutSeconds() : 1800 + ThreadLocalRandom.current().nextLong(1800);
    WatchCache.Watcher w = cache.watch(keyPrefix, from, filter, stream);
    stream.watcher = w;
    if (from < 0 && Boolean.TRUE.equals(o.sendInitialEvents())) {
      stream.initialEventsEnd(cache.revision());
    }
    ScheduledFuture<?> end = timers.schedule(() -> stream.finish(), Math.max(timeout, 0), TimeUnit.SECONDS);
    ScheduledFuture<?> bookmarks = o.allowWatchBookmarks()
        ? timers.scheduleAtFixedRate(() -> cache.bookmark(w), bookmarkIntervalMillis, bookmarkIntervalMillis, TimeUnit.MILLISECONDS)
        : null;
    ch.closeFuture().addListener(f -> {
      w.close();
      end.cancel(false);
      if (bookmarks != null) bookmarks.cancel(false);
    });
    if (stream.finished.get()) w.close();
  }

  /**
   * Returns once the cache has seen revision {@code required}: a revision etcd has not reached fails at once, one the
   * cache has not yet seen is waited for (≤ 3 s, as upstream's cacher), else 504 Too large resource version.
   */
  private static void requireFresh(WatchCache cache, long required, java.util.function.LongSupplier etcdRevision) {
    if (required <= cache.revision()) return;
    boolean fresh = false;
    if (required <= etcdRevision.getAsLong()) {
      try {
        fresh = cache.awaitRevision(required, 3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!fresh) throw ApiException.timeout("Too large resource version: " + required + ", current: " + cache.revision(), 1);
  }

  private static long parseRv(String rv) {
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version \"" + rv + "\"");
    }
  }

  /** One client's stream. Called under the cache's lock: must not block. */
  private final class Stream implements WatchCache.Sink {
    private final Channel ch;
    private final Store store;
    private final Negotiation neg;
    private final String includeObject;
    private final AtomicBoolean finished = new AtomicBoolean();
    private boolean sentColumns;
    private long lastRevision;
    volatile WatchCache.Watcher watcher;

    private final boolean websocket;

    Stream(Channel ch, Store store, Negotiation neg, String includeObject, boolean websocket) {
      this.websocket = websocket;
      this.ch = ch;
      this.store = store;
      this.neg = neg;
      this.includeObject = includeObject;
    }

    @Override
    public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
      if (finished.get()) return;
      lastRevision = Math.max(lastRevision, e.revision);
      byte[] bytes;
      if (neg.shape() == Negotiation.Shape.OBJECT && store.served(object) == object) {
        // the common case: the same bytes for every watcher of this event
        bytes = e.encoded.computeIfAbsent(type, t -> line(t, object));
      } else {
        bytes = line(type, shape(store.served(object)));
      }
      write(bytes);
    }

    private ObjectNode shape(ObjectNode obj) {
      return switch (neg.shape()) {
        case OBJECT -> obj;
        case PARTIAL_METADATA -> ResourceHandler.partialMetadata(obj, neg.tableVersion());
        case TABLE -> {
          ObjectNode t = features.table(store.type(), List.of(obj), includeObject, !sentColumns,
              Meta.resourceVersion(obj), "", null, Instant.now());
          sentColumns = true;
          if (!"v1".equals(neg.tableVersion())) t.put("apiVersion", "meta.k8s.io/" + neg.tableVersion());
          yield t;
        }
      };
    }

    private byte[] line(String type, ObjectNode obj) {
      ObjectNode ev = Json.object();
      ev.put("type", type);
      ev.set("object", obj);
      byte[] b = Json.bytes(ev);
      byte[] out = new byte[b.length + 1];
      System.arraycopy(b, 0, out, 0, b.length);
      out[b.length] = '\n';
      return out;
    }

    @Override
    public void bookmark(long revision) {
      if (finished.get()) return;
      write(line("BOOKMARK", bookmarkObject(revision, false)));
    }

    void initialEventsEnd(long revision) {
      write(line("BOOKMARK", bookmarkObject(revision, true)));
    }

    private ObjectNode bookmarkObject(long revision, boolean initialEnd) {
      ResourceType t = store.type();
      ObjectNode o = Json.object();
      o.put("kind", t.kind());
      o.put("apiVersion", t.apiVersion());
      ObjectNode m = o.putObject("metadata");
      m.put("resourceVersion", Long.toString(Math.max(revision, lastRevision)));
      m.put("creationTimestamp", (String) null);
      if (initialEnd) m.putObject("annotations").put("k8s.io/initial-events-end", "true");
      return neg.shape() == Negotiation.Shape.TABLE ? tableBookmark(o) : o;
    }

    private ObjectNode tableBookmark(ObjectNode o) {
      ObjectNode t = Json.object();
      t.put("kind", "Table");
      t.put("apiVersion", "meta.k8s.io/" + neg.tableVersion());
      t.set("metadata", o.get("metadata"));
      t.putArray("columnDefinitions");
      t.putArray("rows");
      return t;
    }

    @Override
    public void close(ApiException error) {
      if (error != null && !finished.get()) {
        ObjectNode ev = Json.object();
        ev.put("type", "ERROR");
        ev.set("object", error.toStatus());
        write((ev.toString() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      finish();
    }

    private void write(byte[] bytes) {
      if (!ch.isActive()) {
        finish();
        return;
      }
      if (!ch.isWritable() && pendingBytes() > MAX_PENDING_BYTES) {
        // a client that cannot keep up is cut off; it re-watches from its last resourceVersion
        ch.close();
        return;
      }
      ch.writeAndFlush(websocket ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
          : new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }

    private long pendingBytes() {
      io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
      return b == null ? 0 : b.totalPendingWriteBytes();
    }

    void finish() {
      if (!finished.compareAndSet(false, true)) return;
      if (watcher != null) watcher.close();
      if (!ch.isActive()) return;
      if (websocket) {
        ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
      } else {
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      }
    }
  }
}
