package io.planet.apiserver.auth.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Meta;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The API objects a pod or persistent volume names, as upstream's VisitPodSecretNames, VisitPodConfigmapNames and
 * VisitPVSecretNames see them: what a kubelet needs to read to run the pod. Pods reference objects in their own
 * namespace; persistent volumes name secrets with an explicit namespace (defaulting to their claim's).
 */
public record PodReferences(String serviceAccount, Set<String> secrets, Set<String> configMaps, Set<String> claims,
    Set<String> resourceClaims) {

  public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
  private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");
  /** Volume sources whose secretRef the kubelet reads (name only; the pod's namespace). */
  private static final List<String> SECRET_REF_VOLUMES =
      List.of("cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos");

  public static PodReferences none() {
    return new PodReferences("", Set.of(), Set.of(), Set.of(), Set.of());
  }

  public static boolean isMirrorPod(JsonNode pod) {
    return pod.path("metadata").path("annotations").has(MIRROR_ANNOTATION);
  }

  public static PodReferences of(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    Set<String> secrets = new LinkedHashSet<>();
    Set<String> configMaps = new LinkedHashSet<>();
    Set<String> claims = new LinkedHashSet<>();
    Set<String> resourceClaims = new LinkedHashSet<>();
    for (JsonNode s : spec.path("imagePullSecrets")) add(secrets, s.path("name"));
    for (String list : CONTAINER_LISTS) {
      for (JsonNode c : spec.path(list)) {
        for (JsonNode from : c.path("envFrom")) {
          add(secrets, from.path("secretRef").path("name"));
          add(configMaps, from.path("configMapRef").path("name"));
        }
        for (JsonNode env : c.path("env")) {
          add(secrets, env.path("valueFrom").path("secretKeyRef").path("name"));
          add(configMaps, env.path("valueFrom").path("configMapKeyRef").path("name"));
        }
      }
    }
    String podName = Meta.name(pod);
    for (JsonNode v : spec.path("volumes")) {
      add(secrets, v.path("secret").path("secretName"));
      add(secrets, v.path("azureFile").path("secretName"));
      add(secrets, v.path("csi").path("nodePublishSecretRef").path("name"));
      for (String src : SECRET_REF_VOLUMES) add(secrets, v.path(src).path("secretRef").path("name"));
      add(configMaps, v.path("configMap").path("name"));
      for (JsonNode src : v.path("projected").path("sources")) {
        add(secrets, src.path("secret").path("name"));
        add(configMaps, src.path("configMap").path("name"));
      }
      add(claims, v.path("persistentVolumeClaim").path("claimName"));
      // a generic ephemeral volume's claim is named <pod>-<volume> (upstream's ephemeral.VolumeClaimName)
      if (v.has("ephemeral") && !v.path("name").asText("").isEmpty()) {
        claims.add(podName + "-" + v.path("name").asText());
      }
    }
    for (JsonNode rc : spec.path("resourceClaims")) {
      String direct = rc.path("resourceClaimName").asText("");
      if (!direct.isEmpty()) {
        resourceClaims.add(direct);
        continue;
      }
      // claims made from a template are named in the pod's status once created
      for (JsonNode st : pod.path("status").path("resourceClaimStatuses")) {
        if (st.path("name").asText("").equals(rc.path("name").asText()) && st.hasNonNull("resourceClaimName")) {
          add(resourceClaims, st.path("resourceClaimName"));
        }
      }
    }
    return new PodReferences(spec.path("serviceAccountName").asText(""), Set.copyOf(secrets), Set.copyOf(configMaps),
        Set.copyOf(claims), Set.copyOf(resourceClaims));
  }

  /**
   * The secrets a persistent volume names that the kubelet reads (upstream's kubelet-visible ones), as
   * (namespace, name); a reference without a namespace means the namespace of the volume's claim.
   */
  public static void visitPvSecrets(JsonNode pv, BiConsumer<String, String> visitor) {
    JsonNode spec = pv.path("spec");
    String claimNs = spec.path("claimRef").path("namespace").asText("");
    JsonNode azure = spec.path("azureFile");
    if (azure.hasNonNull("secretName")) {
      visitor.accept(azure.path("secretNamespace").asText(claimNs).isEmpty() ? claimNs
          : azure.path("secretNamespace").asText(), azure.path("secretName").asText());
    }
    for (String src : SECRET_REF_VOLUMES) ref(spec.path(src).path("secretRef"), claimNs, visitor);
    for (String r : List.of("nodePublishSecretRef", "nodeStageSecretRef", "nodeExpandSecretRef")) {
      ref(spec.path("csi").path(r), claimNs, visitor);
    }
  }

  private static void ref(JsonNode ref, String defaultNs, BiConsumer<String, String> visitor) {
    String name = ref.path("name").asText("");
    if (name.isEmpty()) return;
    String ns = ref.path("namespace").asText("");
    visitor.accept(ns.isEmpty() ? defaultNs : ns, name);
  }

  private static void add(Set<String> set, JsonNode name) {
    String n = name.asText("");
    if (!n.isEmpty()) set.add(n);
  }
}
