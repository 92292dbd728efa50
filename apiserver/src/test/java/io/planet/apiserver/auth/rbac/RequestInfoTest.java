package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestInfoTest {
  private static RequestInfo parse(String method, String path) {
    return parse(method, path, Map.of());
  }

  private static RequestInfo parse(String method, String path, Map<String, String> query) {
    return RequestInfo.parse(method, path, k -> query.getOrDefault(k, ""));
  }

  /** verb group version namespace resource subresource name */
  private static String summary(RequestInfo i) {
    return String.join("|", i.verb(), i.apiGroup(), i.apiVersion(), i.namespace(), i.resource(), i.subresource(), i.name());
  }

  @Test
  void resourceRequests() {
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/pods"))).isEqualTo("list||v1|dev|pods||");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/pods", Map.of("watch", "true")))).isEqualTo("watch||v1|dev|pods||");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/pods/web"))).isEqualTo("get||v1|dev|pods||web");
    assertThat(summary(parse("HEAD", "/api/v1/namespaces/dev/pods/web"))).isEqualTo("get||v1|dev|pods||web");
    assertThat(summary(parse("POST", "/api/v1/namespaces/dev/pods"))).isEqualTo("create||v1|dev|pods||");
    assertThat(summary(parse("PUT", "/api/v1/namespaces/dev/pods/web/status"))).isEqualTo("update||v1|dev|pods|status|web");
    assertThat(summary(parse("PATCH", "/apis/apps/v1/namespaces/dev/deployments/d/scale")))
        .isEqualTo("patch|apps|v1|dev|deployments|scale|d");
    assertThat(summary(parse("DELETE", "/api/v1/namespaces/dev/pods/web"))).isEqualTo("delete||v1|dev|pods||web");
    assertThat(summary(parse("DELETE", "/api/v1/namespaces/dev/pods"))).isEqualTo("deletecollection||v1|dev|pods||");
    assertThat(summary(parse("GET", "/api/v1/pods"))).isEqualTo("list||v1||pods||");
    assertThat(summary(parse("GET", "/api/v1/nodes/n1"))).isEqualTo("get||v1||nodes||n1");
    assertThat(summary(parse("POST", "/api/v1/namespaces/dev/pods/web/exec"))).isEqualTo("create||v1|dev|pods|exec|web");
    assertThat(summary(parse("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")))
        .isEqualTo("create|authorization.k8s.io|v1||selfsubjectaccessreviews||");
  }

  @Test
  void namespacesThemselves() {
    assertThat(summary(parse("GET", "/api/v1/namespaces"))).isEqualTo("list||v1||namespaces||");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev"))).isEqualTo("get||v1|dev|namespaces||dev");
    assertThat(summary(parse("PUT", "/api/v1/namespaces/dev/finalize"))).isEqualTo("update||v1|dev|namespaces|finalize|dev");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/status"))).isEqualTo("get||v1|dev|namespaces|status|dev");
  }

  @Test
  void specialVerbsAndFieldSelectors() {
    assertThat(summary(parse("GET", "/api/v1/watch/namespaces/dev/pods"))).isEqualTo("watch||v1|dev|pods||");
    assertThat(summary(parse("GET", "/api/v1/watch/namespaces/dev/pods/web"))).isEqualTo("watch||v1|dev|pods||web");
    assertThat(summary(parse("GET", "/api/v1/proxy/nodes/n1/stats/x"))).isEqualTo("proxy||v1||nodes||n1");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/pods", Map.of("watch", "1",
        "fieldSelector", "metadata.name=web")))).isEqualTo("watch||v1|dev|pods||web");
    assertThat(summary(parse("GET", "/api/v1/namespaces/dev/pods", Map.of("fieldSelector", "spec.nodeName=n1"))))
        .isEqualTo("list||v1|dev|pods||");
  }

  @Test
  void nonResourceRequests() {
    for (String p : new String[] {"/", "/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1", "/healthz",
        "/version", "/openapi/v2", "/metrics", "/livez/etcd"}) {
      RequestInfo i = parse("GET", p);
      assertThat(i.resourceRequest()).as(p).isFalse();
      assertThat(i.verb()).isEqualTo("get");
      assertThat(i.path()).isEqualTo(p);
    }
    assertThat(parse("POST", "/healthz").verb()).isEqualTo("post");
  }
}
