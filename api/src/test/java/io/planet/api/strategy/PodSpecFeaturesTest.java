package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.messages;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pod sysctls, subPath/subPathExpr and ephemeral containers as upstream's validation (1.32) has them. */
class PodSpecFeaturesTest {
  final ResourceType pods = type("", "v1", "pods");

  ObjectNode pod(String specExtra, String containerExtra) {
    return yaml("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: default, uid: u1, resourceVersion: "5"}
        spec:
          %s
          volumes: [{name: data, emptyDir: {}}]
          containers:
          - name: main
            image: busybox
            %s
        """.formatted(specExtra, containerExtra));
  }

  @Test
  void sysctlNamesAreCheckedDuplicatesAndHostNamespacesRefused() {
    ObjectNode ok = pod("securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: '1'}, "
        + "{name: net/ipv4/ip_local_port_range, value: '1024 65535'}]}", "");
    assertThat(create(pods, ok)).isEmpty();

    ObjectNode bad = pod("securityContext: {sysctls: [{name: Kernel.Bad, value: '1'}, {name: ''}, "
        + "{name: kernel.shm_rmid_forced, value: '1'}, {name: kernel.shm_rmid_forced, value: '0'}]}", "");
    assertThat(messages(create(pods, bad))).containsExactly(
        "spec.securityContext.sysctls[0].name: Invalid value: \"Kernel.Bad\": must have at most 253 characters and "
            + "match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
        "spec.securityContext.sysctls[1].name: Required value",
        "spec.securityContext.sysctls[3].name: Duplicate value: \"kernel.shm_rmid_forced\"");

    ObjectNode host = pod("hostNetwork: true\n  hostIPC: true\n  securityContext: {sysctls: [{name: net.ipv4.tcp_syncookies, "
        + "value: '1'}, {name: kernel.msgmax, value: '1'}]}", "");
    assertThat(messages(create(pods, host))).containsExactly(
        "spec.securityContext.sysctls[0].name: Invalid value: \"net.ipv4.tcp_syncookies\": may not be specified when "
            + "'hostNetwork' is true",
        "spec.securityContext.sysctls[1].name: Invalid value: \"kernel.msgmax\": may not be specified when 'hostIPC' is true");
  }

  @Test
  void subPathAndSubPathExprAreRelativeDescendingAndExclusive() {
    assertThat(create(pods, pod("", "volumeMounts: [{name: data, mountPath: /d, subPathExpr: $(POD_NAME)}]"))).isEmpty();
    ObjectNode both = pod("", "volumeMounts: [{name: data, mountPath: /d, subPath: a, subPathExpr: /abs/$(X)}]");
    assertThat(messages(create(pods, both))).containsExactly(
        "spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: \"/abs/$(X)\": subPathExpr and subPath are "
            + "mutually exclusive",
        "spec.containers[0].volumeMounts.subPathExpr: Invalid value: \"/abs/$(X)\": must be a relative path");
    ObjectNode up = pod("", "volumeMounts: [{name: data, mountPath: /d, subPath: a/../../b}]");
    assertThat(messages(create(pods, up))).containsExactly(
        "spec.containers[0].volumeMounts.subPath: Invalid value: \"a/../../b\": must not contain '..'");
  }

  @Test
  void ephemeralContainersAreAddedThroughTheSubresourceOnly() {
    ObjectNode old = pod("", "");
    assertThat(create(pods, old)).isEmpty();

    ObjectNode withDebugger = old.deepCopy();
    ((ObjectNode) withDebugger.get("spec")).set("ephemeralContainers", list(
        "[{name: debugger, image: busybox, targetContainerName: main, stdin: true}]"));
    ObjectNode added = withDebugger.deepCopy();
    List<FieldError> errors = subresourceUpdate(added, old);
    assertThat(errors).isEmpty();
    ObjectNode debugger = (ObjectNode) added.at("/spec/ephemeralContainers/0");
    // defaulted as any container, and nothing else of the request is taken
    assertThat(debugger.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(debugger.path("terminationMessagePolicy").asText()).isEqualTo("File");

    ObjectNode sneaky = withDebugger.deepCopy();
    ((ObjectNode) sneaky.at("/spec/containers/0")).put("image", "other");
    subresourceUpdate(sneaky, old);
    assertThat(sneaky.at("/spec/containers/0/image").asText()).isEqualTo("busybox");

    ObjectNode removed = old.deepCopy();
    assertThat(messages(subresourceUpdate(removed, added))).containsExactly(
        "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be removed\n");
    ObjectNode changed = added.deepCopy();
    ((ObjectNode) changed.at("/spec/ephemeralContainers/0")).put("image", "other");
    assertThat(messages(subresourceUpdate(changed, added))).containsExactly(
        "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be changed\n");

    ObjectNode invalid = old.deepCopy();
    ((ObjectNode) invalid.get("spec")).set("ephemeralContainers", list("[{name: dbg, image: busybox, targetContainerName: "
        + "nope, ports: [{containerPort: 80}], resources: {limits: {cpu: '1'}}, readinessProbe: {exec: {command: [true]}}, "
        + "volumeMounts: [{name: data, mountPath: /d, subPath: x}]}]"));
    assertThat(messages(subresourceUpdate(invalid, old))).containsExactly(
        "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
        "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
        "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
        "spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container",
        "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\"");

    ObjectNode onCreate = withDebugger.deepCopy();
    assertThat(messages(create(pods, onCreate))).contains("spec.ephemeralContainers: Forbidden: cannot be set on create");
  }

  private static com.fasterxml.jackson.databind.JsonNode list(String yaml) {
    return yaml("{l: " + yaml + "}").get("l");
  }

  /** What the store does for a write through pods/ephemeralcontainers. */
  private List<FieldError> subresourceUpdate(ObjectNode obj, ObjectNode old) {
    pods.strategy().prepareForSubresourceUpdate(pods, "ephemeralcontainers", obj, old);
    List<FieldError> errors = new ArrayList<>();
    pods.strategy().validateUpdate(pods, "ephemeralcontainers", obj, old, errors);
    return errors;
  }
}
