package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the objects a token is bound to (upstream's ServiceAccountTokenGetter): the API server answers from its
 * watch caches and asks etcd only on a miss, so a token is checked without a storage read per request.
 */
public interface ObjectGetter {
  /** The object of a core/v1 resource (serviceaccounts, pods, secrets, nodes); null when there is none. */
  ObjectNode get(String resource, String namespace, String name);
}
