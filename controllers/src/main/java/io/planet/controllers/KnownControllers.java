package io.planet.controllers;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.controllers.runtime.Controller;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The controllers this manager can run, and upstream's {@code --controllers} semantics: {@code *} enables all that
 * are on by default, {@code foo} enables foo, {@code -foo} disables foo. Names are upstream's (e.g.
 * {@code replicaset-controller}); the older short aliases ({@code replicaset}) work too.
 */
public final class KnownControllers {
  private record Known(String name, String alias, Function<KubernetesClient, Controller> factory) {}

  private static final List<Known> ALL = List.of(
      new Known("serviceaccount-controller", "serviceaccount", ServiceAccountController::new),
      new Known("namespace-controller", "namespace", NamespaceController::new),
      new Known("garbage-collector-controller", "garbagecollector", GarbageCollector::new),
      new Known("replicaset-controller", "replicaset", ReplicaSetController::new),
      new Known("deployment-controller", "deployment", DeploymentController::new),
      new Known("job-controller", "job", JobController::new),
      new Known("cronjob-controller", "cronjob", CronJobController::new),
      new Known("ttl-after-finished-controller", "ttlafterfinished", TTLAfterFinishedController::new),
      new Known("daemonset-controller", "daemonset", DaemonSetController::new),
      new Known("statefulset-controller", "statefulset", StatefulSetController::new),
      new Known("replicationcontroller-controller", "replicationcontroller", ReplicationControllerController::new),
      new Known("endpoints-controller", "endpoint", EndpointsController::new),
      new Known("endpointslice-controller", "endpointslice", EndpointSliceController::new),
      new Known("node-ipam-controller", "nodeipam", NodeIpamController::withDefaults),
      new Known("node-lifecycle-controller", "nodelifecycle", NodeLifecycleController::withDefaults),
      new Known("taint-eviction-controller", "tainteviction", TaintEvictionController::new),
      new Known("horizontal-pod-autoscaler-controller", "horizontalpodautoscaling", HorizontalPodAutoscalerController::new),
      new Known("clusterrole-aggregation-controller", "clusterrole-aggregation",
          io.planet.controllers.rbac.ClusterRoleAggregationController::new),
      new Known("resourcequota-controller", "resourcequota",
          io.planet.controllers.resourcequota.ResourceQuotaController::new),
      new Known("persistentvolume-binder-controller", "persistentvolume-binder",
          io.planet.controllers.volume.PersistentVolumeBinder::new),
      new Known("persistentvolumeclaim-protection-controller", "pvc-protection",
          io.planet.controllers.volume.PvcProtectionController::new),
      new Known("persistentvolume-protection-controller", "pv-protection",
          io.planet.controllers.volume.PvProtectionController::new),
      // Planet's own: the default StorageClass's provisioner, as k3s ships rancher's local-path-provisioner
      new Known("planet-local-path-provisioner", "local-path-provisioner",
          io.planet.controllers.volume.LocalPathProvisioner::new),

      // upstream runs it only when asked (kubeadm does); a planet cluster always has bootstrap tokens
      new Known("token-cleaner-controller", "tokencleaner", TokenCleaner::new),
      new Known("root-ca-certificate-publisher-controller", "root-ca-cert-publisher", RootCaCertPublisher::new),
      // kubelet TLS bootstrap (planet join): csrsigning signs only once given the CA files (the command line does)
      new Known("certificatesigningrequest-approving-controller", "csrapproving",
          io.planet.controllers.certificates.CsrApprovingController::new),
      new Known("certificatesigningrequest-signing-controller", "csrsigning",
          io.planet.controllers.certificates.CsrSigningController::withoutCa),
      new Known("certificatesigningrequest-cleaner-controller", "csrcleaner",
          io.planet.controllers.certificates.CsrCleaner::new),
      // upstream runs it only when asked (kubeadm does); a planet cluster always has bootstrap tokens
      new Known("bootstrap-signer-controller", "bootstrapsigner", BootstrapSigner::new));

  private KnownControllers() {}

  public static List<String> names() {
    return ALL.stream().map(Known::name).toList();
  }

  /** The enabled controllers by name, in start order; throws IllegalArgumentException naming an unknown one. */
  public static Map<String, Function<KubernetesClient, Controller>> select(List<String> flags) {
    for (String f : flags) {
      String n = f.startsWith("-") ? f.substring(1) : f;
      if (!n.equals("*") && find(n) == null) {
        throw new IllegalArgumentException("\"" + n + "\" is not in the list of known controllers " + names());
      }
    }
    Map<String, Function<KubernetesClient, Controller>> out = new LinkedHashMap<>();
    for (Known k : ALL) {
      if (enabled(k, flags)) out.put(k.name(), k.factory());
    }
    return out;
  }

  private static boolean enabled(Known k, List<String> flags) {
    boolean star = false;
    for (String f : flags) {
      if (f.equals("*")) star = true;
      else if (f.startsWith("-") && matches(k, f.substring(1))) return false;
      else if (matches(k, f)) return true;
    }
    return star;
  }

  private static boolean matches(Known k, String n) {
    return k.name().equals(n) || k.alias().equals(n);
  }

  private static Known find(String n) {
    return ALL.stream().filter(k -> matches(k, n)).findFirst().orElse(null);
  }
}
