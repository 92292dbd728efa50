package io.planet.apiserver.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.planet.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Storage} on a real etcd through jetcd: JSON values, CAS on mod_revision, prefix watches with prevKV. */
public final class EtcdStorage implements Storage {
  private static final Logger logger = LoggerFactory.getLogger(EtcdStorage.class);
  private static final long TIMEOUT_SECONDS = 30;

  private final Client client;
  private final KV kv;
  /** Leases reused for TTL'd objects that expire within the same minute (upstream's lease manager idea). */
  private final ConcurrentHashMap<Long, Long> leasesByExpiryMinute = new ConcurrentHashMap<>();

  public EtcdStorage(String endpoints) {
    this.client = Client.builder().endpoints(endpoints.split(",")).connectTimeout(Duration.ofSeconds(5)).build();
    this.kv = client.getKVClient();
  }

  /** Fails fast with a clear message when etcd cannot be reached. */
  public void checkReachable(Duration timeout) {
    try {
      kv.get(bytes("/registry/health-probe")).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new StorageException(StorageException.Code.UNAVAILABLE, null, 0,
          "etcd is unreachable: " + rootMessage(e), e);
    }
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static ByteSequence encode(ObjectNode obj) {
    ObjectNode copy = obj;
    if (obj.path("metadata").has("resourceVersion")) {
      copy = obj.deepCopy();
      ((ObjectNode) copy.get("metadata")).remove("resourceVersion");
    }
    return ByteSequence.from(Json.bytes(copy));
  }

  static ObjectNode decode(KeyValue kv, long revision) {
    return decode(kv.getValue(), revision);
  }

  static ObjectNode decode(ByteSequence value, long revision) {
    try {
      ObjectNode obj = (ObjectNode) Json.MAPPER.readTree(value.getBytes());
      Json.with(obj, "metadata").put("resourceVersion", Long.toString(revision));
      return obj;
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException("undecodable object in etcd", e);
    }
  }

  private static <T> T await(CompletableFuture<T> f, String key) {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(StorageException.Code.UNAVAILABLE, key, 0, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      String msg = rootMessage(c);
      if (msg.contains("required revision has been compacted")) {
        throw new StorageException(StorageException.Code.COMPACTED, key, 0, msg, c);
      }
      if (msg.contains("required revision is a future revision")) {
        throw new StorageException(StorageException.Code.TOO_LARGE_REVISION, key, 0, msg, c);
      }
      throw new StorageException(StorageException.Code.UNAVAILABLE, key, 0, "etcd: " + msg, c);
    } catch (TimeoutException e) {
      throw new StorageException(StorageException.Code.UNAVAILABLE, key, 0, "etcd request timed out", e);
    }
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  @Override
  public ObjectNode create(String key, ObjectNode object) {
    return create(key, object, 0);
  }

  @Override
  public ObjectNode create(String key, ObjectNode object, long ttlSeconds) {
    ByteSequence k = bytes(key);
    PutOption put = ttlSeconds > 0 ? PutOption.builder().withLeaseId(lease(ttlSeconds)).build() : PutOption.DEFAULT;
    TxnResponse r = await(kv.txn()
        .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(0)))
        .Then(Op.put(k, encode(object), put))
        .commit(), key);
    if (!r.isSucceeded()) throw new StorageException(StorageException.Code.KEY_EXISTS, key, "key exists");
    // the caller hands the object over: it becomes the stored object with its resourceVersion
    Json.with(object, "metadata").put("resourceVersion", Long.toString(r.getHeader().getRevision()));
    return object;
  }

  private long lease(long ttlSeconds) {
    long expiryMinute = (System.currentTimeMillis() / 1000 + ttlSeconds) / 60;
    return leasesByExpiryMinute.computeIfAbsent(expiryMinute, m -> {
      leasesByExpiryMinute.keySet().removeIf(old -> old < expiryMinute - 1);
      // granted up to a minute longer so every object sharing it lives at least its TTL
      return await(client.getLeaseClient().grant(ttlSeconds + 60), "lease").getID();
    });
  }

  @Override
  public Item get(String key) {
    GetResponse r = await(kv.get(bytes(key)), key);
    if (r.getKvs().isEmpty()) return null;
    KeyValue v = r.getKvs().get(0);
    return new Item(key, decode(v, v.getModRevision()), v.getModRevision());
  }

  @Override
  public Page list(String prefix, String startKey, long limit, long revision) {
    ByteSequence start = bytes(startKey == null ? prefix : startKey);
    GetOption.Builder opt = GetOption.builder().withRange(bytes(prefixEnd(prefix)));
    if (limit > 0) opt.withLimit(limit);
    if (revision > 0) opt.withRevision(revision);
    GetResponse r = await(kv.get(start, opt.build()), prefix);
    List<Item> items = new ArrayList<>(r.getKvs().size());
    for (KeyValue v : r.getKvs()) {
      items.add(new Item(v.getKey().toString(StandardCharsets.UTF_8), decode(v, v.getModRevision()), v.getModRevision()));
    }
    long remaining = r.isMore() ? r.getCount() - items.size() : 0;
    return new Page(items, r.getHeader().getRevision(), r.isMore(), remaining);
  }

  /** The first key after every key with this prefix. */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  @Override
  public ObjectNode update(String key, long expectedRevision, UnaryOperator<ObjectNode> update) {
    return update(key, expectedRevision, update, 0);
  }

  @Override
  public ObjectNode update(String key, long expectedRevision, UnaryOperator<ObjectNode> update, long ttlSeconds) {
    ByteSequence k = bytes(key);
    Item current = get(key);
    while (true) {
      if (current == null) throw new StorageException(StorageException.Code.NOT_FOUND, key, "not found");
      if (expectedRevision != 0 && current.modRevision() != expectedRevision) {
        throw new StorageException(StorageException.Code.CONFLICT, key, current.modRevision(),
            "the object has been modified; please apply your changes to the latest version and try again", null);
      }
      ObjectNode next = update.apply(current.object().deepCopy());
      if (next == null || stripRv(next).equals(stripRv(current.object()))) {
        return current.object();
      }
      TxnResponse r = await(kv.txn()
          .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
          .Then(Op.put(k, encode(next), ttlSeconds > 0 ? PutOption.builder().withLeaseId(lease(ttlSeconds)).build() : PutOption.DEFAULT))
          .Else(Op.get(k, GetOption.DEFAULT))
          .commit(), key);
      if (r.isSucceeded()) {
        ObjectNode out = next.deepCopy();
        Json.with(out, "metadata").put("resourceVersion", Long.toString(r.getHeader().getRevision()));
        return out;
      }
      List<KeyValue> kvs = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
      current = kvs.isEmpty() ? null : new Item(key, decode(kvs.get(0), kvs.get(0).getModRevision()), kvs.get(0).getModRevision());
    }
  }

  private static ObjectNode stripRv(ObjectNode o) {
    ObjectNode c = o.deepCopy();
    if (c.get("metadata") instanceof ObjectNode m) m.remove("resourceVersion");
    return c;
  }

  @Override
  public ObjectNode delete(String key, long expectedRevision) {
    ByteSequence k = bytes(key);
    while (true) {
      Item current = get(key);
      if (current == null) throw new StorageException(StorageException.Code.NOT_FOUND, key, "not found");
      if (expectedRevision != 0 && current.modRevision() != expectedRevision) {
        throw new StorageException(StorageException.Code.CONFLICT, key, current.modRevision(),
            "the object has been modified; please apply your changes to the latest version and try again", null);
      }
      TxnResponse r = await(kv.txn()
          .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
          .Then(Op.delete(k, DeleteOption.DEFAULT))
          .commit(), key);
      if (r.isSucceeded()) {
        ObjectNode out = current.object();
        Json.with(out, "metadata").put("resourceVersion", Long.toString(r.getHeader().getRevision()));
        return out;
      }
    }
  }

  @Override
  public long currentRevision() {
    GetResponse r = await(kv.get(bytes("/registry/health-probe"), GetOption.builder().withCountOnly(true).build()), null);
    return r.getHeader().getRevision();
  }

  @Override
  public Watch watch(String prefix, long afterRevision, WatchListener listener) {
    WatchOption opt = WatchOption.builder()
        .isPrefix(true)
        .withRevision(afterRevision + 1)
        .withPrevKV(true)
        .withProgressNotify(true)
        .build();
    io.etcd.jetcd.Watch.Watcher w = client.getWatchClient().watch(bytes(prefix), opt, io.etcd.jetcd.Watch.listener(
        resp -> {
          if (resp.isProgressNotify()) {
            listener.onProgress(resp.getHeader().getRevision());
            return;
          }
          for (WatchEvent e : resp.getEvents()) {
            KeyValue kv = e.getKeyValue();
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            KeyValue prev = e.getPrevKV();
            ObjectNode prevObj = prev == null || prev.getValue().isEmpty() && prev.getModRevision() == 0
                ? null : decode(prev, prev.getModRevision());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
              listener.onEvent(new Event(Event.Type.PUT, key, decode(kv, kv.getModRevision()),
                  kv.getCreateRevision() == kv.getModRevision() ? null : prevObj, kv.getModRevision()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
              listener.onEvent(new Event(Event.Type.DELETE, key, null, prevObj, kv.getModRevision()));
            }
          }
        },
        err -> {
          logger.debug("etcd watch on {} failed: {}", prefix, err.toString());
          listener.onError(err);
        }));
    return new Watch() {
      @Override
      public void requestProgress() {
        w.requestProgress();
      }

      @Override
      public void close() {
        w.close();
      }
    };
  }

  @Override
  public void compact(long revision) {
    await(kv.compact(revision, CompactOption.DEFAULT), null);
  }

  /** etcd's KV client, for the compactor's coordination key. */
  public Client client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
  }
}
