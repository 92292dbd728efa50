package io.planet.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.storage.Storage;
import io.planet.apiserver.storage.StorageException;
import java.util.BitSet;
import java.util.Base64;

/**
 * A bitmap of allocated offsets kept in etcd (upstream's RangeAllocation at /registry/ranges/...), updated with
 * compare-and-swap, so no two objects get the same IP or port, across restarts and API servers.
 */
public final class RangeAllocator {
  private final Storage storage;
  private final String key;
  private final String range;
  private final int size;

  public RangeAllocator(Storage storage, String key, String range, int size) {
    this.storage = storage;
    this.key = key;
    this.range = range;
    this.size = size;
  }

  public int size() {
    return size;
  }

  private void ensureExists() {
    if (storage.get(key) != null) return;
    ObjectNode o = Json.object();
    o.put("kind", "RangeAllocation");
    o.put("apiVersion", "v1");
    o.putObject("metadata");
    o.put("range", range);
    o.put("data", "");
    try {
      storage.create(key, o);
    } catch (StorageException e) {
      if (e.code() != StorageException.Code.KEY_EXISTS) throw e;
    }
  }

  private static BitSet bits(ObjectNode o) {
    return BitSet.valueOf(Base64.getDecoder().decode(o.path("data").asText("")));
  }

  private static void put(ObjectNode o, BitSet b) {
    o.put("data", Base64.getEncoder().encodeToString(b.toByteArray()));
  }

  /** Allocates the given offset; false when already taken. */
  public boolean allocate(int offset) {
    ensureExists();
    boolean[] ok = new boolean[1];
    storage.update(key, 0, o -> {
      BitSet b = bits(o);
      if (b.get(offset)) {
        ok[0] = false;
        return null;
      }
      b.set(offset);
      put(o, b);
      ok[0] = true;
      return o;
    });
    return ok[0];
  }

  /** Allocates a free offset, searching from a random start (as upstream spreads allocations). */
  public int allocateNext(int reservedLow) {
    ensureExists();
    int[] got = {-1};
    storage.update(key, 0, o -> {
      BitSet b = bits(o);
      int start = reservedLow + java.util.concurrent.ThreadLocalRandom.current().nextInt(Math.max(1, size - reservedLow));
      int found = -1;
      for (int i = 0; i < size - reservedLow; i++) {
        int off = reservedLow + (start - reservedLow + i) % (size - reservedLow);
        if (!b.get(off)) {
          found = off;
          break;
        }
      }
      got[0] = found;
      if (found < 0) return null;
      b.set(found);
      put(o, b);
      return o;
    });
    if (got[0] < 0) throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
    return got[0];
  }

  public boolean isAllocated(int offset) {
    ensureExists();
    return bits(storage.get(key).object()).get(offset);
  }

  public void release(int offset) {
    if (offset < 0 || storage.get(key) == null) return;
    storage.update(key, 0, o -> {
      BitSet b = bits(o);
      if (!b.get(offset)) return null;
      b.clear(offset);
      put(o, b);
      return o;
    });
  }
}
