package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import io.planet.apiserver.storage.WatchCache;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The webhooks of every Mutating- or ValidatingWebhookConfiguration, from the API server's own watch cache of the
 * kind (upstream's configuration informer): configurations in name order, webhooks in their listed order. The parsed
 * list is kept until the cache's revision moves, so a change is seen by the next request after the cache has it.
 */
final class WebhookSource {
  private final Supplier<WatchCache> cache;
  private volatile Parsed parsed = new Parsed(-1, List.of());

  private record Parsed(long revision, List<Webhook> webhooks) {}

  /** @param cache the watch cache of the configuration kind, looked up on first use (after storage is up) */
  WebhookSource(Supplier<WatchCache> cache) {
    this.cache = cache;
  }

  List<Webhook> webhooks() {
    WatchCache c = cache.get();
    Parsed p = parsed;
    if (p.revision() == c.revision()) return p.webhooks();
    WatchCache.Snapshot s = c.list(c.prefix(), o -> true);
    List<Webhook> out = new ArrayList<>();
    // the cache keeps keys in order, and cluster-scoped keys are the names
    for (ObjectNode config : s.items()) {
      JsonNode hooks = config.path("webhooks");
      for (int i = 0; i < hooks.size(); i++) {
        if (hooks.get(i) instanceof ObjectNode h) out.add(Webhook.of(Meta.name(config), i, h));
      }
    }
    parsed = new Parsed(s.revision(), List.copyOf(out));
    return parsed.webhooks();
  }
}
