package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;

/** Keeps a {@code default} ServiceAccount in every active namespace (upstream's serviceaccount controller). */
public final class ServiceAccountController extends Controller {
  static final String DEFAULT = "default";
  private final KubernetesClient client;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<ServiceAccount> serviceAccounts;

  public ServiceAccountController(KubernetesClient client) {
    super("serviceaccount", 2);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    namespaces = informers.informer(Namespace.class);
    serviceAccounts = informers.informer(ServiceAccount.class);
    namespaces.addEventHandler(handler(ns -> enqueue(ns.getMetadata().getName())));
    // only a deleted default account needs action; creations and updates keep it there
    serviceAccounts.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ServiceAccount sa) {}

      @Override
      public void onUpdate(ServiceAccount o, ServiceAccount n) {}

      @Override
      public void onDelete(ServiceAccount sa, boolean unknown) {
        if (DEFAULT.equals(sa.getMetadata().getName())) enqueue(sa.getMetadata().getNamespace());
      }
    });
  }

  @Override
  protected void reconcile(String namespace) {
    Namespace ns = namespaces.getStore().getByKey(namespace);
    if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) return;
    if (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())) return;
    if (serviceAccounts.getStore().getByKey(namespace + "/" + DEFAULT) != null) return;
    try {
      client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName(DEFAULT).withNamespace(namespace).endMetadata().build()).create();
    } catch (KubernetesClientException e) {
      // already there (the cache lags), or the namespace started terminating: nothing to do
      if (e.getCode() == 409 || e.getCode() == 403 && isTerminating(e)) return;
      throw e;
    }
  }

  private static boolean isTerminating(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        && e.getStatus().getMessage().contains("being terminated");
  }
}
