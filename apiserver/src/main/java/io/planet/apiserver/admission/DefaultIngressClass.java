package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;

/**
 * Upstream's DefaultIngressClass admission plugin: a new Ingress naming no class (neither spec.ingressClassName nor
 * the deprecated kubernetes.io/ingress.class annotation) gets the IngressClass annotated
 * ingressclass.kubernetes.io/is-default-class=true; with several, the newest.
 */
final class DefaultIngressClass implements AdmissionPlugin {
  static final String IS_DEFAULT = "ingressclass.kubernetes.io/is-default-class";
  static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  private final StoreLookup stores;

  DefaultIngressClass(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.DEFAULT_INGRESS_CLASS;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!a.isResource("networking.k8s.io", "ingresses") || !a.operation().equals(AdmissionAttributes.CREATE)) return;
    ObjectNode ingress = a.object();
    ObjectNode spec = ingress.get("spec") instanceof ObjectNode s ? s : ingress.putObject("spec");
    if (spec.hasNonNull("ingressClassName")) return;
    if (Meta.annotations(ingress).containsKey(CLASS_ANNOTATION)) return;
    String dflt = DefaultClasses.newest(Cached.list(stores, "networking.k8s.io", "ingressclasses", ""),
        annotations -> "true".equals(annotations.get(IS_DEFAULT)), false);
    if (dflt != null) spec.put("ingressClassName", dflt);
  }
}
