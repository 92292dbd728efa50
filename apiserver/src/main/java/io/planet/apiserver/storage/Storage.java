package io.planet.apiserver.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The key/value contract the API server keeps its objects in (upstream's storage.Interface). Keys are full etcd
 * keys ({@code /registry/pods/default/p1}); values are objects whose {@code metadata.resourceVersion} is the key's
 * modification revision on the way out and is never stored.
 */
public interface Storage extends AutoCloseable {

  /** One object with the revision it was last modified at. */
  record Item(String key, ObjectNode object, long modRevision) {}

  /**
   * A page of a range read.
   *
   * @param revision the store revision the page was read at (the list resourceVersion)
   * @param more whether keys remain after the last returned item
   * @param remaining how many keys remain after the page (when known, else -1)
   */
  record Page(List<Item> items, long revision, boolean more, long remaining) {}

  /** A change of one key, as a watch delivers it. {@code object} is null for deletions ({@code previous} holds the last state). */
  record Event(Type type, String key, ObjectNode object, ObjectNode previous, long revision) {
    public enum Type { PUT, DELETE }

    public boolean isCreate() {
      return type == Type.PUT && previous == null;
    }
  }

  /** Receives a watch's events in revision order; {@code progress} says every change up to a revision was seen. */
  interface WatchListener {
    void onEvent(Event event);

    default void onProgress(long revision) {}

    void onError(Throwable error);
  }

  interface Watch extends AutoCloseable {
    /** Asks for a progress notification: the listener's {@code onProgress} once every change so far was delivered. */
    default void requestProgress() {}

    @Override
    void close();
  }

  /**
   * Creates the key if absent; {@link StorageException.Code#KEY_EXISTS} otherwise. Takes ownership of {@code object}
   * and returns it as stored, with its resourceVersion.
   */
  ObjectNode create(String key, ObjectNode object);

  /** Creates with a time to live (Events). */
  default ObjectNode create(String key, ObjectNode object, long ttlSeconds) {
    return create(key, object);
  }

  /** The current object or null. */
  Item get(String key);

  /**
   * Reads keys under {@code prefix} starting at {@code startKey} (inclusive; null = prefix start), at most
   * {@code limit} (0 = all), at {@code revision} (0 = latest). {@link StorageException.Code#COMPACTED} when the
   * revision was compacted.
   */
  Page list(String prefix, String startKey, long limit, long revision);

  /**
   * Read-modify-write with compare-and-swap on the modification revision. {@code update} gets a copy of the current
   * object (with resourceVersion) and returns the new one (or throws to abort). When {@code expectedRevision} is
   * non-zero and the stored revision differs, {@link StorageException.Code#CONFLICT}; otherwise races are retried
   * with the fresh value.
   *
   * @return the stored object, or the unchanged current object when {@code update} returned it unchanged
   */
  ObjectNode update(String key, long expectedRevision, UnaryOperator<ObjectNode> update);

  /** An update that (re)sets a time to live (Events). */
  default ObjectNode update(String key, long expectedRevision, UnaryOperator<ObjectNode> update, long ttlSeconds) {
    return update(key, expectedRevision, update);
  }

  /**
   * Deletes the key if its revision is {@code expectedRevision} (0 = any). Returns the deleted object with the
   * revision of the deletion as its resourceVersion.
   */
  ObjectNode delete(String key, long expectedRevision);

  /** The store's current revision (a cheap read). */
  long currentRevision();

  /** Watches keys under {@code prefix} for changes after {@code afterRevision}. */
  Watch watch(String prefix, long afterRevision, WatchListener listener);

  /** Drops history up to {@code revision} (etcd compaction). */
  void compact(long revision);

  @Override
  void close();
}
