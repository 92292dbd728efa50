package io.planet.controllers;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creations and deletions a controller has asked for but its informer has not shown yet (upstream's
 * UIDTrackingControllerExpectations): while some are outstanding the controller does not create or delete more,
 * so a stale cache cannot make it overshoot. Expectations expire after five minutes in case an event is lost.
 */
final class Expectations {
  private static final Duration TTL = Duration.ofMinutes(5);

  private static final class Entry {
    int adds;
    final Set<String> deletes = new HashSet<>();
    final long since = System.nanoTime();
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  boolean satisfied(String key) {
    Entry e = entries.get(key);
    if (e == null) return true;
    synchronized (e) {
      return e.adds <= 0 && e.deletes.isEmpty() || System.nanoTime() - e.since > TTL.toNanos();
    }
  }

  void expectCreations(String key, int n) {
    entries.put(key, new Entry());
    Entry e = entries.get(key);
    synchronized (e) {
      e.adds = n;
    }
  }

  void expectDeletions(String key, Set<String> podUids) {
    entries.put(key, new Entry());
    Entry e = entries.get(key);
    synchronized (e) {
      e.deletes.addAll(podUids);
    }
  }

  void creationObserved(String key) {
    Entry e = entries.get(key);
    if (e == null) return;
    synchronized (e) {
      e.adds--;
    }
  }

  void deletionObserved(String key, String podUid) {
    Entry e = entries.get(key);
    if (e == null) return;
    synchronized (e) {
      e.deletes.remove(podUid);
    }
  }

  void forget(String key) {
    entries.remove(key);
  }
}
