package io.planet.controllers;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Namespace lifecycle (upstream's namespace controller): a namespace being deleted has every namespaced object
 * deleted, its status conditions say how that goes, and once nothing is left the {@code kubernetes} finalizer is
 * removed through {@code namespaces/{name}/finalize}, after which the API server deletes the namespace.
 */
public final class NamespaceController extends Controller {
  static final String FINALIZER = "kubernetes";
  private final KubernetesClient client;
  private SharedIndexInformer<Namespace> namespaces;

  public NamespaceController(KubernetesClient client) {
    super("namespace", 5);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    namespaces = informers.informer(Namespace.class);
    namespaces.addEventHandler(handler(ns -> {
      if (ns.getMetadata().getDeletionTimestamp() != null) enqueue(ns.getMetadata().getName());
    }));
  }

  @Override
  protected void reconcile(String name) throws Exception {
    Namespace ns;
    try {
      ns = client.namespaces().withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) return;
      throw e;
    }
    if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) return;
    if (ns.getSpec() == null || ns.getSpec().getFinalizers() == null || !ns.getSpec().getFinalizers().contains(FINALIZER)) {
      return;
    }
    Discovery.Result discovered = Discovery.preferredResources(client);
    Conditions conditions = new Conditions();
    conditions.set("NamespaceDeletionDiscoveryFailure", !discovered.failed().isEmpty(),
        discovered.failed().isEmpty() ? "ResourcesDiscovered" : "DiscoveryFailed",
        discovered.failed().isEmpty() ? "All resources successfully discovered"
            : "Discovery failed for some groups, " + discovered.failed().size() + " failing: " + discovered.failed());
    conditions.set("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions",
        "All legacy kube types successfully parsed");

    List<String> deleteErrors = new ArrayList<>();
    Map<String, Integer> remainingByResource = new TreeMap<>();
    Map<String, Integer> remainingByFinalizer = new TreeMap<>();
    long estimate = 0;
    for (Discovery.Resource r : discovered.resources()) {
      if (!r.namespaced() || !r.supports("delete") || !r.supports("list")) continue;
      try {
        deleteAll(r, name);
        List<GenericKubernetesResource> left = client.genericKubernetesResources(r.context()).inNamespace(name).list().getItems();
        if (left.isEmpty()) continue;
        String resource = r.plural() + "." + group(r);
        remainingByResource.merge(resource, left.size(), Integer::sum);
        for (GenericKubernetesResource o : left) {
          for (String f : o.getMetadata().getFinalizers()) remainingByFinalizer.merge(f, 1, Integer::sum);
          estimate = Math.max(estimate, gracefulEstimate(r, o));
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404 || e.getCode() == 405) continue; // the type went away meanwhile, or cannot be listed
        deleteErrors.add(r.plural() + "." + group(r) + ": " + e.getMessage());
      }
    }
    conditions.set("NamespaceDeletionContentFailure", !deleteErrors.isEmpty(),
        deleteErrors.isEmpty() ? "ContentDeleted" : "ContentDeletionFailed",
        deleteErrors.isEmpty() ? "All content successfully deleted, may be waiting on finalization"
            : "Failed to delete all resource types, " + deleteErrors.size() + " remaining: " + String.join(", ", deleteErrors));
    conditions.set("NamespaceContentRemaining", !remainingByResource.isEmpty(),
        remainingByResource.isEmpty() ? "ContentRemoved" : "SomeResourcesRemain",
        remainingByResource.isEmpty() ? "All content successfully removed"
            : "Some resources are remaining: " + describe(remainingByResource, "has"));
    conditions.set("NamespaceFinalizersRemaining", !remainingByFinalizer.isEmpty(),
        remainingByFinalizer.isEmpty() ? "ContentHasNoFinalizers" : "SomeFinalizersRemain",
        remainingByFinalizer.isEmpty() ? "All content-preserving finalizers finished"
            : "Some content in the namespace has finalizers remaining: " + describe(remainingByFinalizer, "in"));
    updateConditions(ns, conditions.list);

    if (!deleteErrors.isEmpty()) throw new IllegalStateException("content deletion failed: " + deleteErrors);
    if (!remainingByResource.isEmpty()) {
      // upstream waits about half the longest remaining grace period before looking again
      throw new Requeue(Duration.ofSeconds(estimate / 2 + 1));
    }
    finalizeNamespace(name);
  }

  /** deletecollection where the type supports it, else one delete per object; dependents go in the background. */
  private void deleteAll(Discovery.Resource r, String namespace) {
    var op = client.genericKubernetesResources(r.context()).inNamespace(namespace);
    if (r.supports("deletecollection")) {
      op.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      return;
    }
    for (GenericKubernetesResource o : op.list().getItems()) {
      if (o.getMetadata().getDeletionTimestamp() != null) continue;
      op.withName(o.getMetadata().getName()).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }
  }

  /** Seconds until a gracefully deleted pod should be gone (upstream only estimates pods). */
  private static long gracefulEstimate(Discovery.Resource r, GenericKubernetesResource o) {
    if (!r.plural().equals("pods") || !group(r).isEmpty()) return 0;
    String ts = o.getMetadata().getDeletionTimestamp();
    if (ts == null) return 0;
    long seconds = Duration.between(Instant.now(), Instant.parse(ts)).toSeconds();
    return Math.max(seconds, 0);
  }

  private static String group(Discovery.Resource r) {
    return r.context().getGroup() == null ? "" : r.context().getGroup();
  }

  /** Upstream's wording: "pods. has 2 resource instances", "example.com/hold in 1 resource instances". */
  private static String describe(Map<String, Integer> counts, String verb) {
    List<String> parts = new ArrayList<>();
    counts.forEach((k, v) -> parts.add(k + " " + verb + " " + v + " resource instances"));
    return String.join(", ", parts);
  }

  private void updateConditions(Namespace ns, List<NamespaceCondition> wanted) {
    NamespaceStatus status = ns.getStatus() == null ? new NamespaceStatus() : ns.getStatus();
    List<NamespaceCondition> current = status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
    boolean changed = false;
    for (NamespaceCondition w : wanted) {
      NamespaceCondition old = current.stream().filter(c -> c.getType().equals(w.getType())).findFirst().orElse(null);
      if (old != null && old.getStatus().equals(w.getStatus()) && old.getReason().equals(w.getReason())
          && old.getMessage().equals(w.getMessage())) {
        continue;
      }
      current.remove(old);
      current.add(w);
      changed = true;
    }
    if (!changed) return;
    status.setConditions(current);
    status.setPhase("Terminating");
    ns.setStatus(status);
    try {
      client.namespaces().resource(ns).updateStatus();
    } catch (KubernetesClientException e) {
      // a conflict or a namespace already gone: the next pass writes the conditions again
      if (e.getCode() != 409 && e.getCode() != 404) throw e;
    }
  }

  /** PUT namespaces/{name}/finalize with spec.finalizers minus ours. */
  private void finalizeNamespace(String name) {
    Namespace fresh = client.namespaces().withName(name).get();
    if (fresh == null) return;
    List<String> finalizers = new ArrayList<>(fresh.getSpec().getFinalizers());
    finalizers.remove(FINALIZER);
    fresh.getSpec().setFinalizers(finalizers);
    String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + name + "/finalize";
    try {
      client.raw(url, "PUT", Serialization.asJson(fresh));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
    log.info("namespace {} finalized", name);
  }

  private static final class Conditions {
    final List<NamespaceCondition> list = new ArrayList<>();

    void set(String type, boolean status, String reason, String message) {
      list.add(new NamespaceConditionBuilder().withType(type).withStatus(status ? "True" : "False")
          .withReason(reason).withMessage(message).withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build());
    }
  }
}
