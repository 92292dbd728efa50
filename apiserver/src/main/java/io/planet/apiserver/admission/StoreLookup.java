package io.planet.apiserver.admission;

import io.planet.apiserver.registry.Store;

/** The stores plugins read (namespaces, service accounts, limit ranges, quotas...) and quota writes its status to. */
@FunctionalInterface
public interface StoreLookup {
  Store store(String group, String version, String plural);
}
