package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.registry.Store;

/**
 * Upstream's NodeRestriction plugin in the chain: the rules themselves (a kubelet's identity may change only its own
 * Node, Lease and CSINode, the pods bound to it, their PVCs' status and tokens) live in
 * {@link io.planet.apiserver.auth.node.NodeRestriction}, next to the Node authorizer that grants the reads.
 */
final class NodeRestriction implements AdmissionPlugin {
  private final io.planet.apiserver.auth.node.NodeRestriction rules;

  NodeRestriction(StoreLookup stores) {
    this.rules = new io.planet.apiserver.auth.node.NodeRestriction(
        (ns, name) -> find(stores.store("", "v1", "pods"), ns, name),
        name -> find(stores.store("", "v1", "nodes"), "", name));
  }

  @Override
  public String name() {
    return AdmissionPlugins.NODE_RESTRICTION;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (a.operation().equals(AdmissionAttributes.CONNECT)) return;
    if (!io.planet.apiserver.auth.node.NodeRestriction.restricts(a.type().group(), a.type().plural())) return;
    rules.admit(a.user(), a.operation(), a.type().group(), a.type().plural(), a.subresource(), a.namespace(), a.name(),
        a.object(), a.oldObject());
  }

  private static ObjectNode find(Store store, String namespace, String name) {
    try {
      return store.get(namespace, name);
    } catch (ApiException e) {
      if (e.code() == 404) return null;
      throw e;
    }
  }
}
