package io.planet.node.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestAttributesTest {
  static final KubeletUser JANE = new KubeletUser("jane", "", java.util.List.of("dev"), null);

  private static String subresource(String path) {
    return RequestAttributes.of(JANE, "GET", path, "n1").subresource();
  }

  @Test
  void pathsMapToUpstreamsSubresources() {
    assertThat(subresource("/stats/summary")).isEqualTo("stats");
    assertThat(subresource("/stats")).isEqualTo("stats");
    assertThat(subresource("/metrics")).isEqualTo("metrics");
    assertThat(subresource("/metrics/resource")).isEqualTo("metrics");
    assertThat(subresource("/logs/")).isEqualTo("log");
    assertThat(subresource("/spec/")).isEqualTo("spec");
    assertThat(subresource("/checkpoint/default/web/main")).isEqualTo("checkpoint");
    for (String p : new String[] {"/pods", "/healthz", "/exec/ns/p/c", "/attach/ns/p/c", "/portForward/ns/p",
        "/containerLogs/ns/p/c", "/run/ns/p/c", "/statsx", "/metricsfoo", "/"}) {
      assertThat(subresource(p)).as(p).isEqualTo("proxy");
    }
  }

  @Test
  void methodsMapToVerbsAndTheNodeIsTheName() {
    RequestAttributes a = RequestAttributes.of(JANE, "POST", "/exec/ns/p/c", "n1");
    assertThat(a.verb()).isEqualTo("create");
    assertThat(a.resource()).isEqualTo("nodes");
    assertThat(a.name()).isEqualTo("n1");
    assertThat(RequestAttributes.verb("GET")).isEqualTo("get");
    assertThat(RequestAttributes.verb("PUT")).isEqualTo("update");
    assertThat(RequestAttributes.verb("PATCH")).isEqualTo("patch");
    assertThat(RequestAttributes.verb("DELETE")).isEqualTo("delete");
    assertThat(RequestAttributes.verb("HEAD")).isEmpty();
    assertThat(a.forbidden()).isEqualTo("Forbidden (user=jane, verb=create, resource=nodes, subresource=proxy)");
  }
}
