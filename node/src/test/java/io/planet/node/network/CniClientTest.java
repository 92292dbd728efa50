package io.planet.node.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CNI execution protocol against fake plugins (shell scripts that record what they were given). */
class CniClientTest {
  @TempDir Path tmp;
  Path plugins;
  Path calls;
  CniClient client;

  static final String RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa\"},"
      + "{\"name\":\"eth0\",\"mac\":\"bb\",\"sandbox\":\"/run/netns/x\"}],"
      + "\"ips\":[{\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\",\"interface\":1}],"
      + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.96.0.10\"]}}";

  @BeforeEach
  void plugins() throws IOException {
    plugins = Files.createDirectories(tmp.resolve("bin"));
    calls = Files.createDirectories(tmp.resolve("calls"));
    // "main" answers ADD with a result; "chained" prints nothing, so the runtime passes main's result on
    plugin("main", "if [ \"$CNI_COMMAND\" = ADD ]; then echo '" + RESULT + "'; fi");
    plugin("chained", "true");
    plugin("failing", "echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad subnet\",\"details\":\"10.x\"}'; exit 1");
    plugin("silent-failure", "echo boom >&2; exit 2");
    client = new CniClient(new CniExec(List.of(tmp.resolve("missing"), plugins)), tmp.resolve("results"));
  }

  private void plugin(String name, String body) throws IOException {
    Path p = plugins.resolve(name);
    Files.writeString(p, "#!/bin/sh\n"
        + "n=$(ls " + calls + " | wc -l)\n"
        + "cat > " + calls + "/$(printf %02d $n)-$CNI_COMMAND-" + name + ".json\n"
        + "env | grep ^CNI_ | sort > " + calls + "/$(printf %02d $n)-$CNI_COMMAND-" + name + ".env\n"
        + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static ObjectNode plugin(String type, boolean portMappings) {
    ObjectNode p = CniExec.JSON.createObjectNode().put("type", type).put("custom", type + "-setting");
    if (portMappings) p.putObject("capabilities").put("portMappings", true);
    return p;
  }

  private static CniRuntimeConf rt(Map<String, Object> capabilityArgs) {
    return new CniRuntimeConf("pod-1", Path.of("/run/netns/x"), "eth0",
        Map.of("K8S_POD_NAME", "web", "IgnoreUnknown", "1"), capabilityArgs);
  }

  private JsonNode call(String suffix) throws IOException {
    try (var files = Files.list(calls)) {
      Path f = files.filter(p -> p.getFileName().toString().endsWith(suffix + ".json")).findFirst().orElseThrow();
      return CniExec.JSON.readTree(f.toFile());
    }
  }

  private List<String> callOrder() throws IOException {
    try (var files = Files.list(calls)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .map(n -> n.substring(3, n.length() - 5)).toList();
    }
  }

  private String env(String suffix) throws IOException {
    try (var files = Files.list(calls)) {
      return Files.readString(files.filter(p -> p.getFileName().toString().endsWith(suffix + ".env")).findFirst().orElseThrow());
    }
  }

  @Test
  void addChainsPluginsWithPrevResultAndRuntimeConfig() throws IOException {
    CniConfigList net = new CniConfigList("testnet", "1.0.0", List.of(plugin("main", false), plugin("chained", true)));
    List<Map<String, Object>> ports = List.of(PortMapping.tcp(8080, 80).toCapabilityArg());
    CniResult result = client.addNetworkList(net, rt(Map.of("portMappings", ports)));

    assertThat(result.containerIps()).extracting(CniResult.IpConfig::ip).containsExactly("10.1.2.3");
    assertThat(result.ips().get(0).gateway()).isEqualTo("10.1.2.1");
    assertThat(result.dns().nameservers()).containsExactly("10.96.0.10");

    JsonNode main = call("ADD-main");
    assertThat(main.path("name").asText()).isEqualTo("testnet");
    assertThat(main.path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(main.path("custom").asText()).isEqualTo("main-setting");
    assertThat(main.has("prevResult")).isFalse();
    assertThat(main.has("runtimeConfig")).as("only plugins declaring the capability get it").isFalse();
    JsonNode chained = call("ADD-chained");
    assertThat(chained.path("prevResult")).isEqualTo(CniExec.JSON.readTree(RESULT));
    assertThat(chained.at("/runtimeConfig/portMappings/0/hostPort").asInt()).isEqualTo(8080);
    assertThat(chained.at("/runtimeConfig/portMappings/0/protocol").asText()).isEqualTo("tcp");
    assertThat(env("ADD-main")).contains("CNI_COMMAND=ADD\n", "CNI_CONTAINERID=pod-1\n",
        "CNI_NETNS=/run/netns/x\n", "CNI_IFNAME=eth0\n", "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web\n",
        "CNI_PATH=" + tmp.resolve("missing") + ":" + plugins + "\n");
    assertThat(client.isAttached(net, rt(Map.of()))).isTrue();
  }

  @Test
  void delRunsInReverseWithTheCachedResultAndIsIdempotent() throws IOException {
    CniConfigList net = new CniConfigList("testnet", "1.0.0", List.of(plugin("main", false), plugin("chained", true)));
    List<Map<String, Object>> ports = List.of(PortMapping.tcp(8080, 80).toCapabilityArg());
    client.addNetworkList(net, rt(Map.of("portMappings", ports)));
    client.checkNetworkList(net, rt(Map.of()));

    // the caller no longer knows the ports: the cached ADD does
    client.delNetworkList(net, rt(Map.of()));
    assertThat(callOrder()).containsExactly("ADD-main", "ADD-chained", "CHECK-main", "CHECK-chained",
        "DEL-chained", "DEL-main");
    assertThat(call("DEL-main").path("prevResult")).isEqualTo(CniExec.JSON.readTree(RESULT));
    assertThat(call("DEL-chained").at("/runtimeConfig/portMappings/0/containerPort").asInt()).isEqualTo(80);
    assertThat(client.isAttached(net, rt(Map.of()))).isFalse();

    client.delNetworkList(net, rt(Map.of()));
    assertThat(callOrder()).hasSize(8);
    assertThatThrownBy(() -> client.checkNetworkList(net, rt(Map.of())))
        .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(CniException.CONTAINER_UNKNOWN));
  }

  @Test
  void errorResultIsSurfacedWithCodeAndMsgAndTheAddIsUndone() throws IOException {
    CniConfigList net = new CniConfigList("testnet", "1.0.0", List.of(plugin("main", false), plugin("failing", false)));
    assertThatThrownBy(() -> client.addNetworkList(net, rt(Map.of())))
        .isInstanceOfSatisfying(CniException.class, e -> {
          assertThat(e.plugin()).isEqualTo("failing");
          assertThat(e.command()).isEqualTo("ADD");
          assertThat(e.code()).isEqualTo(7);
          assertThat(e.msg()).isEqualTo("bad subnet");
          assertThat(e.details()).isEqualTo("10.x");
          assertThat(e.getMessage()).isEqualTo("CNI plugin failing ADD failed (code 7): bad subnet (10.x)");
        });
    // the undo DEL also fails in "failing"; what matters is that it was tried, in reverse order
    assertThat(callOrder()).containsExactly("ADD-main", "ADD-failing", "DEL-failing");
  }

  @Test
  void pluginWithoutErrorObjectIsReportedWithItsOutput() {
    CniConfigList net = new CniConfigList("testnet", "1.0.0", List.of(plugin("silent-failure", false)));
    assertThatThrownBy(() -> client.addNetworkList(net, rt(Map.of())))
        .isInstanceOf(CniException.class).hasMessageContaining("silent-failure ADD failed: exit 2: boom");
  }

  @Test
  void missingPluginNamesItAndTheFix() {
    CniConfigList net = new CniConfigList("testnet", "1.0.0", List.of(plugin("bridge", false)));
    assertThatThrownBy(() -> client.addNetworkList(net, rt(Map.of())))
        .isInstanceOf(CniException.class)
        .hasMessageContaining("CNI plugin binary 'bridge' not found in " + tmp.resolve("missing") + ":" + plugins)
        .hasMessageContaining("run scripts/setup");
  }

  @Test
  void containerIdFollowsTheSpec() {
    assertThatThrownBy(() -> new CniRuntimeConf("../etc", null, "eth0", Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new CniRuntimeConf("0b1e-4c_x.y", null, "eth0", Map.of(), Map.of()).cniArgs()).isEmpty();
  }
}
