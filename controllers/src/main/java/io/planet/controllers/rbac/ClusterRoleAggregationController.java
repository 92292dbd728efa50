package io.planet.controllers.rbac;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.Selectors;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Upstream's clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets as rules the union of the
 * rules of every other ClusterRole its selectors match (by name order, duplicates dropped). Any ClusterRole change
 * may change any aggregate, so every change re-queues all aggregated roles, as upstream does.
 */
public final class ClusterRoleAggregationController extends Controller {
  private final KubernetesClient client;
  private SharedIndexInformer<ClusterRole> roles;

  public ClusterRoleAggregationController(KubernetesClient client) {
    super("clusterrole-aggregation", 1);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    roles = informers.informer(ClusterRole.class);
    roles.addEventHandler(handler(r -> enqueueAggregated()));
  }

  private void enqueueAggregated() {
    for (ClusterRole r : roles.getStore().list()) {
      if (r.getAggregationRule() != null) enqueue(r.getMetadata().getName());
    }
  }

  @Override
  protected void reconcile(String name) {
    ClusterRole role = roles.getStore().getByKey(name);
    if (role == null || role.getAggregationRule() == null) return;
    List<PolicyRule> rules = aggregate(role, roles.getStore().list());
    List<PolicyRule> current = role.getRules() == null ? List.of() : role.getRules();
    if (rules.equals(current)) return;
    ClusterRole updated = new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder(role).withRules(rules).build();
    client.rbac().clusterRoles().resource(updated).update();
  }

  /** The rules of the roles the aggregate's selectors match, in name order per selector, without repeats. */
  static List<PolicyRule> aggregate(ClusterRole aggregate, List<ClusterRole> all) {
    List<ClusterRole> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(r -> r.getMetadata().getName()));
    List<PolicyRule> out = new ArrayList<>();
    List<LabelSelector> selectors = aggregate.getAggregationRule().getClusterRoleSelectors();
    if (selectors == null) return out;
    for (LabelSelector s : selectors) {
      for (ClusterRole r : sorted) {
        if (r.getMetadata().getName().equals(aggregate.getMetadata().getName())) continue;
        if (!Selectors.matches(s, r.getMetadata().getLabels())) continue;
        if (r.getRules() == null) continue;
        for (PolicyRule rule : r.getRules()) if (!out.contains(rule)) out.add(rule);
      }
    }
    return out;
  }
}
