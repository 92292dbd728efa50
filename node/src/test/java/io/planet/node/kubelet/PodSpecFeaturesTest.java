package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.planet.node.runtime.ContainerSpec;
import io.planet.node.runtime.OciSpec;
import io.planet.node.runtime.PodSandbox;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's sysctl admission and OCI sysctls, subPathExpr expansion, and an ephemeral container's target. */
class PodSpecFeaturesTest {
  @TempDir
  Path tmp;

  static Pod pod(boolean hostNetwork, boolean hostIpc, String... sysctls) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withUid("u").endMetadata()
        .withNewSpec().withHostNetwork(hostNetwork).withHostIPC(hostIpc).withNewSecurityContext().endSecurityContext()
        .addNewContainer().withName("main").withImage("busybox").endContainer().endSpec();
    Pod p = b.build();
    for (String s : sysctls) {
      String[] kv = s.split("=", 2);
      p.getSpec().getSecurityContext().getSysctls().add(new io.fabric8.kubernetes.api.model.Sysctl(kv[0], kv[1]));
    }
    return p;
  }

  @Test
  void safeSysctlsAreAdmittedOthersOnlyWhenAllowedAndNeverInTheNodesNamespaces() {
    Sysctls safe = Sysctls.allowing(List.of());
    assertThat(safe.admit(pod(false, false, "kernel.shm_rmid_forced=1", "net.ipv4.tcp_keepalive_probes=5"))).isNull();
    GeneralPredicates.Rejection r = safe.admit(pod(false, false, "kernel.msgmax=65536"));
    assertThat(r).isEqualTo(new GeneralPredicates.Rejection("SysctlForbidden",
        "forbidden sysctl: \"kernel.msgmax\" not allowlisted"));

    Sysctls unsafe = Sysctls.allowing(List.of("kernel.msg*", "net.core.somaxconn"));
    assertThat(unsafe.admit(pod(false, false, "kernel.msgmax=65536", "net/core/somaxconn=1024"))).isNull();
    assertThat(unsafe.admit(pod(false, true, "kernel.msgmax=65536")).message())
        .isEqualTo("forbidden sysctl: \"kernel.msgmax\" not allowed with host ipc enabled");
    assertThat(unsafe.admit(pod(true, false, "net.ipv4.tcp_syncookies=1")).message())
        .isEqualTo("forbidden sysctl: \"net.ipv4.tcp_syncookies\" not allowed with host net enabled");
    assertThatThrownBy(() -> Sysctls.allowing(List.of("vm.swappiness")))
        .hasMessage("the sysctl \"vm.swappiness\" are not known to be namespaced");
    assertThat(io.planet.api.SysctlNames.dots("net/ipv4/conf/eth0.100/forwarding")).isEqualTo("net.ipv4.conf.eth0/100.forwarding");
    assertThat(Sysctls.of(pod(false, false, "net/ipv4/ip_local_port_range=1024 2048")))
        .containsExactly(Map.entry("net.ipv4.ip_local_port_range", "1024 2048"));
  }

  @Test
  void theOciSpecSetsThePodsSysctlsAndJoinsATargetsPidNamespace() {
    PodSandbox sandbox = PodSandbox.of("uid-1", tmp.resolve("run"), tmp.resolve("netns"));
    ContainerSpec c = ContainerSpec.of("debugger", List.of("ps"), List.of()).withSysctls(Map.of("kernel.shm_rmid_forced", "1"))
        .withPidNamespace("/proc/42/ns/pid");
    ObjectNode spec = OciSpec.build(c, sandbox, tmp.resolve("rootfs"), "/planet/pod/c");
    assertThat(spec.at("/linux/sysctl/kernel.shm_rmid_forced").asText()).isEqualTo("1");
    assertThat(spec.at("/linux/namespaces/0/type").asText()).isEqualTo("pid");
    assertThat(spec.at("/linux/namespaces/0/path").asText()).isEqualTo("/proc/42/ns/pid");
    ObjectNode plain = OciSpec.build(ContainerSpec.of("main", List.of("ps"), List.of()), sandbox, tmp.resolve("rootfs"), "/p/c");
    assertThat(plain.at("/linux").has("sysctl")).isFalse();
    assertThat(plain.at("/linux/namespaces/0").has("path")).isFalse();
  }

  @Test
  void subPathExprExpandsFromTheEnvironmentAndStaysInsideTheVolume() throws Exception {
    Map<String, String> env = Map.of("POD_NAME", "web-0", "ABS", "/tmp", "UP", "..", "EMPTY", "");
    assertThat(SubPaths.of(null, "logs/$(POD_NAME)", env)).isEqualTo("logs/web-0");
    assertThat(SubPaths.of("plain", null, env)).isEqualTo("plain");
    assertThat(SubPaths.of("", "", env)).isNull();
    assertThat(SubPaths.of(null, "$$(POD_NAME)", env)).isEqualTo("$(POD_NAME)");
    assertThatThrownBy(() -> SubPaths.of(null, "$(NOPE)/$(EMPTY)", env)).hasMessage("missing value for EMPTY, NOPE");

    Path volume = Files.createDirectories(tmp.resolve("vol"));
    Path made = SubPaths.resolve(volume, "logs/web-0", "data", "main");
    assertThat(made).isDirectory().isEqualTo(volume.resolve("logs/web-0"));
    assertThatThrownBy(() -> SubPaths.resolve(volume, SubPaths.of(null, "$(ABS)", env), "data", "main"))
        .isInstanceOf(EnvResolver.ConfigError.class).hasMessage("error SubPath `/tmp` must not be an absolute path");
    assertThatThrownBy(() -> SubPaths.resolve(volume, SubPaths.of(null, "$(UP)", env), "data", "main"))
        .hasMessage("unable to provision SubPath `..`: must not contain '..'");
  }

  @Test
  void ephemeralContainersRunAsContainersWithTheirTarget() {
    Pod p = new PodBuilder(pod(false, false)).editSpec().addNewEphemeralContainer().withName("debugger")
        .withImage("busybox").withCommand("ps").withTargetContainerName("main").withStdin(true).endEphemeralContainer()
        .endSpec().build();
    assertThat(EphemeralContainers.of(p)).singleElement().satisfies(c -> {
      assertThat(c.getName()).isEqualTo("debugger");
      assertThat(c.getCommand()).containsExactly("ps");
      assertThat(c.getStdin()).isTrue();
    });
    assertThat(EphemeralContainers.target(p, "debugger")).isEqualTo("main");
    assertThat(EphemeralContainers.target(p, "main")).isNull();
    assertThat(KubeletEvents.fieldPath(p, "debugger")).isEqualTo("spec.ephemeralContainers{debugger}");
  }
}
