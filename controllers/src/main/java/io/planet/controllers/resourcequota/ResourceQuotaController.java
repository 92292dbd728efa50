package io.planet.controllers.resourcequota;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Upstream's resourcequota controller: every ResourceQuota's status.hard follows spec.hard and status.used is
 * recounted from the objects in its namespace (respecting scopes), when the quota changes, when a counted object is
 * deleted or changes, and every {@code resync} (upstream's --resource-quota-sync-period, 5 minutes). The API server's
 * ResourceQuota admission charges creates in between.
 */
public final class ResourceQuotaController extends Controller {
  /** The kinds watched here; other {@code count/<resource>.<group>} entries are listed when a quota names them. */
  private record Watched(String plural, Class<? extends HasMetadata> type) {}

  private static final List<Watched> WATCHED = List.of(new Watched("pods", Pod.class), new Watched("services", Service.class),
      new Watched("persistentvolumeclaims", PersistentVolumeClaim.class), new Watched("configmaps", ConfigMap.class),
      new Watched("secrets", Secret.class), new Watched("replicationcontrollers", ReplicationController.class),
      new Watched("resourcequotas", ResourceQuota.class));

  private final KubernetesClient client;
  private final Duration resync;
  private SharedIndexInformer<ResourceQuota> quotas;
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();

  public ResourceQuotaController(KubernetesClient client) {
    this(client, Duration.ofMinutes(5));
  }

  public ResourceQuotaController(KubernetesClient client, Duration resync) {
    super("resourcequota", 2);
    this.client = client;
    this.resync = resync;
  }

  @Override
  protected void register(Informers f) {
    quotas = f.informer(ResourceQuota.class);
    // as upstream: a quota is recounted when new or when its spec.hard differs from status.hard; its own status
    // writes (the admission's charges, this controller's counts) do not trigger a recount that could race them
    quotas.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ResourceQuota q) {
        enqueue(key(q));
      }

      @Override
      public void onUpdate(ResourceQuota o, ResourceQuota n) {
        Map<String, Quantity> hard = n.getSpec() == null || n.getSpec().getHard() == null ? Map.of() : n.getSpec().getHard();
        if (n.getStatus() == null || !sameAmounts(n.getStatus().getHard(), hard)) enqueue(key(n));
      }

      @Override
      public void onDelete(ResourceQuota q, boolean unknown) {}
    });
    for (Watched w : WATCHED) {
      SharedIndexInformer<? extends HasMetadata> i = w.type() == ResourceQuota.class ? quotas : f.informer(w.type());
      informers.put(w.plural(), i);
      addReplenishment(w.plural(), i);
    }
  }

  /**
   * Upstream's replenishment: creates were charged by admission, so only deletions and changes of what an object
   * counts (a pod turning Succeeded/Failed, a service changing type) recount its namespace's quotas.
   */
  private <T extends HasMetadata> void addReplenishment(String plural, SharedIndexInformer<T> i) {
    i.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {}

      @Override
      public void onUpdate(T oldObj, T newObj) {
        Map<String, BigDecimal> before = QuotaUsage.of("", plural, Serialization.jsonMapper().valueToTree(oldObj));
        Map<String, BigDecimal> after = QuotaUsage.of("", plural, Serialization.jsonMapper().valueToTree(newObj));
        if (!before.equals(after)) namespaceChanged(newObj.getMetadata().getNamespace());
      }

      @Override
      public void onDelete(T obj, boolean unknown) {
        namespaceChanged(obj.getMetadata().getNamespace());
      }
    });
  }

  /** A counted object changed: every quota of its namespace is recounted. */
  private void namespaceChanged(String namespace) {
    if (namespace == null || quotas == null) return;
    for (ResourceQuota q : quotas.getStore().list()) {
      if (namespace.equals(q.getMetadata().getNamespace())) enqueue(namespace + "/" + q.getMetadata().getName());
    }
  }

  @Override
  protected void reconcile(String key) {
    ResourceQuota q = quotas.getStore().getByKey(key);
    if (q == null) return;
    String namespace = q.getMetadata().getNamespace();
    JsonNode quota = Serialization.jsonMapper().valueToTree(q);
    Map<String, Quantity> hard = q.getSpec() == null || q.getSpec().getHard() == null ? Map.of() : q.getSpec().getHard();
    Map<String, BigDecimal> used = new TreeMap<>();
    for (String r : hard.keySet()) used.put(r, BigDecimal.ZERO);
    for (Map.Entry<String, List<JsonNode>> e : objects(namespace, hard.keySet()).entrySet()) {
      String[] gr = e.getKey().split("/", 2);
      for (JsonNode obj : e.getValue()) {
        if (!QuotaUsage.matchesScopes(quota, gr[0], gr[1], obj)) continue;
        QuotaUsage.of(gr[0], gr[1], obj).forEach((r, v) -> {
          if (used.containsKey(r)) used.merge(r, v, BigDecimal::add);
        });
      }
    }
    Map<String, Quantity> usedOut = new TreeMap<>();
    used.forEach((r, v) -> usedOut.put(r, new Quantity(QuotaUsage.format(v))));
    Map<String, Quantity> hardOut = new TreeMap<>(hard);
    ResourceQuotaStatus status = q.getStatus();
    if (status != null && sameAmounts(status.getHard(), hardOut) && sameAmounts(status.getUsed(), usedOut)) {
      enqueueAfter(key, resync);
      return;
    }
    ResourceQuota copy = Serialization.clone(q);
    copy.setStatus(new ResourceQuotaStatus(hardOut, usedOut));
    client.resourceQuotas().inNamespace(namespace).resource(copy).updateStatus();
    enqueueAfter(key, resync);
  }

  private static boolean sameAmounts(Map<String, Quantity> a, Map<String, Quantity> b) {
    if (a == null) return b.isEmpty();
    if (!a.keySet().equals(b.keySet())) return false;
    for (String k : a.keySet()) {
      if (Quantity.getAmountInBytes(a.get(k)).compareTo(Quantity.getAmountInBytes(b.get(k))) != 0) return false;
    }
    return true;
  }

  /** The namespace's objects per "group/plural" for the resources the quota names, from caches where watched. */
  private Map<String, List<JsonNode>> objects(String namespace, Iterable<String> resources) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (Map.Entry<String, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
      List<JsonNode> items = new ArrayList<>();
      for (HasMetadata o : e.getValue().getStore().list()) {
        if (Objects.equals(namespace, o.getMetadata().getNamespace())) items.add(Serialization.jsonMapper().valueToTree(o));
      }
      out.put("/" + e.getKey(), items);
    }
    for (String r : resources) {
      if (!r.startsWith("count/") || !r.contains(".")) continue;
      String plural = r.substring("count/".length(), r.indexOf('.'));
      String group = r.substring(r.indexOf('.') + 1);
      if (out.containsKey(group + "/" + plural)) continue;
      List<JsonNode> items = new ArrayList<>();
      String version = preferredVersion(group);
      if (version != null) {
        ResourceDefinitionContext ctx = new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version)
            .withPlural(plural).withNamespaced(true).build();
        client.genericKubernetesResources(ctx).inNamespace(namespace).list().getItems()
            .forEach(o -> items.add(Serialization.jsonMapper().valueToTree(o)));
      }
      out.put(group + "/" + plural, items);
    }
    return out;
  }

  private String preferredVersion(String group) {
    var g = client.getApiGroup(group);
    return g == null || g.getPreferredVersion() == null ? null : g.getPreferredVersion().getVersion();
  }
}
