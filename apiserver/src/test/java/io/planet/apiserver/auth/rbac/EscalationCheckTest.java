package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.UserInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rule coverage as upstream's policy_comparator cases, and the check's decisions and messages. */
class EscalationCheckTest {
  private static final UserInfo BOB = UserInfo.of("bob", List.of("g", "system:authenticated"));

  private static PolicyRule rule(String json) {
    try {
      return PolicyRule.fromJson(Json.MAPPER.readTree(json));
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static PolicyRule res(List<String> verbs, List<String> groups, List<String> resources, List<String> names) {
    return new PolicyRule(verbs, groups, resources, names, List.of());
  }

  private static PolicyRule urls(List<String> verbs, List<String> urls) {
    return new PolicyRule(verbs, List.of(), List.of(), List.of(), urls);
  }

  private static boolean covers(List<PolicyRule> held, List<PolicyRule> wanted) {
    return EscalationCheck.uncovered(held, wanted).isEmpty();
  }

  // ---- coverage (upstream's Covers)

  @Test
  void exactSubsetAndSupersetOfVerbs() {
    PolicyRule held = res(List.of("get", "list"), List.of(""), List.of("pods"), List.of());
    assertThat(covers(List.of(held), List.of(held))).isTrue();
    assertThat(covers(List.of(held), List.of(res(List.of("get"), List.of(""), List.of("pods"), List.of())))).isTrue();
    List<PolicyRule> missing = EscalationCheck.uncovered(List.of(held),
        List.of(res(List.of("get", "delete"), List.of(""), List.of("pods"), List.of())));
    assertThat(missing).containsExactly(res(List.of("delete"), List.of(""), List.of("pods"), List.of()));
  }

  @Test
  void rulesFromSeveralHeldRulesCombine() {
    List<PolicyRule> held = List.of(res(List.of("get"), List.of(""), List.of("pods"), List.of()),
        res(List.of("list"), List.of(""), List.of("pods"), List.of()));
    assertThat(covers(held, List.of(res(List.of("get", "list"), List.of(""), List.of("pods"), List.of())))).isTrue();
  }

  @Test
  void wildcardsHeldCoverEverythingButWildcardsWantedNeedWildcards() {
    PolicyRule all = res(List.of("*"), List.of("*"), List.of("*"), List.of());
    assertThat(covers(List.of(all), List.of(res(List.of("get", "escalate"), List.of("", "apps"),
        List.of("pods", "deployments/scale"), List.of("x"))))).isTrue();
    assertThat(covers(List.of(all), List.of(urls(List.of("get"), List.of("/healthz"))))).isFalse();
    PolicyRule pods = res(List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"),
        List.of(""), List.of("pods"), List.of());
    assertThat(covers(List.of(pods), List.of(res(List.of("*"), List.of(""), List.of("pods"), List.of())))).isFalse();
    assertThat(covers(List.of(pods), List.of(res(List.of("get"), List.of("*"), List.of("pods"), List.of())))).isFalse();
    assertThat(covers(List.of(pods), List.of(res(List.of("get"), List.of(""), List.of("*"), List.of())))).isFalse();
    assertThat(covers(List.of(res(List.of("get"), List.of("*"), List.of("pods"), List.of())),
        List.of(res(List.of("get"), List.of("apps", "batch"), List.of("pods"), List.of())))).isTrue();
  }

  @Test
  void resourceNames() {
    PolicyRule named = res(List.of("get"), List.of(""), List.of("secrets"), List.of("a", "b"));
    assertThat(covers(List.of(named), List.of(res(List.of("get"), List.of(""), List.of("secrets"), List.of("a")))))
        .isTrue();
    assertThat(covers(List.of(named), List.of(res(List.of("get"), List.of(""), List.of("secrets"), List.of("a", "c")))))
        .isFalse();
    // names held do not cover all names
    assertThat(covers(List.of(named), List.of(res(List.of("get"), List.of(""), List.of("secrets"), List.of()))))
        .isFalse();
    // no names held covers any name
    assertThat(covers(List.of(res(List.of("get"), List.of(""), List.of("secrets"), List.of())),
        List.of(named))).isTrue();
  }

  @Test
  void subresources() {
    PolicyRule anyScale = res(List.of("update"), List.of("apps"), List.of("*/scale"), List.of());
    assertThat(covers(List.of(anyScale), List.of(res(List.of("update"), List.of("apps"), List.of("deployments/scale"),
        List.of())))).isTrue();
    assertThat(covers(List.of(anyScale), List.of(res(List.of("update"), List.of("apps"), List.of("*/scale"),
        List.of())))).isTrue();
    assertThat(covers(List.of(anyScale), List.of(res(List.of("update"), List.of("apps"), List.of("deployments"),
        List.of())))).isFalse();
    PolicyRule pods = res(List.of("get"), List.of(""), List.of("pods"), List.of());
    assertThat(covers(List.of(pods), List.of(res(List.of("get"), List.of(""), List.of("pods/log"), List.of()))))
        .isFalse();
    // upstream: "pods/*" held covers only "pods/*" itself, not "pods/log"
    PolicyRule podsAnySub = res(List.of("get"), List.of(""), List.of("pods/*"), List.of());
    assertThat(covers(List.of(podsAnySub), List.of(res(List.of("get"), List.of(""), List.of("pods/log"), List.of()))))
        .isFalse();
    assertThat(covers(List.of(podsAnySub), List.of(podsAnySub))).isTrue();
    assertThat(covers(List.of(res(List.of("get"), List.of(""), List.of("*"), List.of())),
        List.of(res(List.of("get"), List.of(""), List.of("pods/log"), List.of())))).isTrue();
  }

  @Test
  void nonResourceUrlsWithTrailingStar() {
    PolicyRule api = urls(List.of("get"), List.of("/api/*"));
    assertThat(covers(List.of(api), List.of(urls(List.of("get"), List.of("/api/v1", "/api/", "/api/*"))))).isTrue();
    assertThat(covers(List.of(api), List.of(urls(List.of("get"), List.of("/api"))))).isFalse();
    assertThat(covers(List.of(api), List.of(urls(List.of("get"), List.of("*"))))).isFalse();
    assertThat(covers(List.of(api), List.of(urls(List.of("post"), List.of("/api/v1"))))).isFalse();
    assertThat(covers(List.of(urls(List.of("get"), List.of("/api*"))), List.of(urls(List.of("get"), List.of("/apis")))))
        .isTrue();
    assertThat(covers(List.of(urls(List.of("*"), List.of("*"))), List.of(urls(List.of("get", "post"),
        List.of("/metrics", "*"))))).isTrue();
    assertThat(covers(List.of(urls(List.of("get"), List.of("/healthz"))), List.of(urls(List.of("get"),
        List.of("/healthz/ping"))))).isFalse();
    // a resource rule never covers a URL, nor a URL rule a resource
    assertThat(covers(List.of(urls(List.of("*"), List.of("*"))), List.of(res(List.of("get"), List.of(""),
        List.of("pods"), List.of())))).isFalse();
  }

  @Test
  void breakdownIsOneVerbGroupResourceNameEach() {
    PolicyRule r = rule("""
        {"verbs":["get","list"],"apiGroups":["","apps"],"resources":["pods"],"resourceNames":["a","b"],
         "nonResourceURLs":["/x"]}""");
    assertThat(r.breakdown()).hasSize(2 * 2 * 2 + 2);
    assertThat(r.breakdown().get(0)).isEqualTo(res(List.of("get"), List.of(""), List.of("pods"), List.of("a")));
    assertThat(r.breakdown().get(8)).isEqualTo(urls(List.of("get"), List.of("/x")));
  }

  // ---- messages

  @Test
  void compactStringAsUpstream() {
    assertThat(res(List.of("get", "list"), List.of(""), List.of("pods"), List.of()).compactString())
        .isEqualTo("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}");
    assertThat(res(List.of("get"), List.of("apps"), List.of("deployments"), List.of("web")).compactString())
        .isEqualTo("{APIGroups:[\"apps\"], Resources:[\"deployments\"], ResourceNames:[\"web\"], Verbs:[\"get\"]}");
    assertThat(urls(List.of("get"), List.of("/healthz")).compactString())
        .isEqualTo("{NonResourceURLs:[\"/healthz\"], Verbs:[\"get\"]}");
  }

  @Test
  void compactJoinsVerbsOfTheSameResource() {
    List<PolicyRule> missing = EscalationCheck.uncovered(List.of(), List.of(
        res(List.of("get", "list"), List.of(""), List.of("pods", "services"), List.of()),
        res(List.of("delete"), List.of(""), List.of("pods"), List.of())));
    assertThat(EscalationCheck.compact(missing)).containsExactly(
        res(List.of("get", "list", "delete"), List.of(""), List.of("pods"), List.of()),
        res(List.of("get", "list"), List.of(""), List.of("services"), List.of()));
  }

  private final PolicyIndex policy = new PolicyIndex();
  private final List<AuthorizationAttributes> asked = new ArrayList<>();
  private final List<String> allowedVerbs = new ArrayList<>();
  private final Map<String, ObjectNode> stored = new java.util.HashMap<>();
  private final EscalationCheck check = new EscalationCheck(policy, a -> {
    asked.add(a);
    return allowedVerbs.contains(a.verb()) ? AuthorizationDecision.allow("") : AuthorizationDecision.noOpinion("");
  }, (resource, namespace, name) -> {
    ObjectNode o = stored.get(resource + "/" + namespace + "/" + name);
    if (o == null) throw ApiException.notFound(EscalationCheck.GROUP, resource, name);
    return o;
  });

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static ObjectNode role(String ns, String name, String rules) {
    return json("{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"},\"rules\":" + rules + "}");
  }

  private void grant(String kind, String ns, String roleName, String rules) {
    boolean cluster = kind.equals("ClusterRole");
    policy.put(cluster ? PolicyIndex.Kind.CLUSTER_ROLE : PolicyIndex.Kind.ROLE, role(cluster ? "" : ns, roleName, rules));
    policy.put(ns.isEmpty() ? PolicyIndex.Kind.CLUSTER_ROLE_BINDING : PolicyIndex.Kind.ROLE_BINDING, json(
        "{\"metadata\":{\"name\":\"bob-" + roleName + "\",\"namespace\":\"" + ns + "\"},\"roleRef\":{\"kind\":\"" + kind
            + "\",\"name\":\"" + roleName + "\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"bob\"}]}"));
  }

  private static final String PODS_GET = "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]";

  private static RequestInfo post(String path) {
    return RequestInfo.parse("POST", path, p -> "");
  }

  @Test
  void roleNeedsTheRulesInItsNamespace() {
    RequestInfo create = post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles");
    assertThatThrownBy(() -> check.check(BOB, create, "roles", "dev", role("dev", "x", PODS_GET), null))
        .isInstanceOf(ApiException.class)
        .hasMessage("roles.rbac.authorization.k8s.io \"x\" is forbidden: user \"bob\" (groups=[\"g\" "
            + "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
            + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}")
        .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(403));
    // asked escalate on roles in dev, without a name on create
    assertThat(asked).singleElement().satisfies(a -> {
      assertThat(a.verb()).isEqualTo("escalate");
      assertThat(a.resource()).isEqualTo("roles");
      assertThat(a.namespace()).isEqualTo("dev");
      assertThat(a.name()).isEmpty();
    });
    grant("Role", "prod", "pods", PODS_GET);
    assertThatThrownBy(() -> check.check(BOB, create, "roles", "dev", role("dev", "x", PODS_GET), null))
        .isInstanceOf(ApiException.class);
    grant("Role", "dev", "pods", PODS_GET);
    check.check(BOB, create, "roles", "dev", role("dev", "x", PODS_GET), null);
  }

  @Test
  void clusterRoleNeedsClusterWideRulesAndSaysWhichRolesAreMissing() {
    grant("Role", "dev", "pods", PODS_GET);
    grant("ClusterRole", "", "gone", "[]");
    policy.remove(PolicyIndex.Kind.CLUSTER_ROLE, "", "gone");
    RequestInfo create = post("/apis/rbac.authorization.k8s.io/v1/clusterroles");
    assertThatThrownBy(() -> check.check(BOB, create, "clusterroles", "", role("", "x", PODS_GET), null))
        .hasMessageEndingWith("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}; resolution errors: "
            + "[clusterroles.rbac.authorization.k8s.io \"gone\" not found]");
    grant("ClusterRole", "", "pods", PODS_GET);
    check.check(BOB, create, "clusterroles", "", role("", "x", PODS_GET), null);
  }

  @Test
  void aggregationRuleNeedsEverything() {
    grant("ClusterRole", "", "pods", PODS_GET);
    ObjectNode aggregated = role("", "x", "[]");
    aggregated.set("aggregationRule", json("{\"clusterRoleSelectors\":[{\"matchLabels\":{\"a\":\"b\"}}]}"));
    RequestInfo create = post("/apis/rbac.authorization.k8s.io/v1/clusterroles");
    assertThatThrownBy(() -> check.check(BOB, create, "clusterroles", "", aggregated, null))
        .hasMessage("clusterroles.rbac.authorization.k8s.io \"x\" is forbidden: must have cluster-admin privileges to "
            + "use the aggregationRule");
    grant("ClusterRole", "", "admin", "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]},"
        + "{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]");
    check.check(BOB, create, "clusterroles", "", aggregated, null);
  }

  @Test
  void escalateOrMastersSkipTheRules() {
    RequestInfo update = RequestInfo.parse("PUT", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/x",
        p -> "");
    allowedVerbs.add("escalate");
    check.check(BOB, update, "roles", "dev", role("dev", "x", PODS_GET), role("dev", "x", "[]"));
    assertThat(asked.get(0).name()).isEqualTo("x");
    allowedVerbs.clear();
    check.check(UserInfo.of("admin", List.of(UserInfo.MASTERS)), update, "roles", "dev", role("dev", "x", PODS_GET),
        null);
  }

  @Test
  void finalizerOnlyUpdatesAreNotChecked() {
    RequestInfo update = RequestInfo.parse("PUT", "/apis/rbac.authorization.k8s.io/v1/clusterroles/x", p -> "");
    ObjectNode old = role("", "x", PODS_GET);
    ObjectNode next = old.deepCopy();
    ((ObjectNode) next.get("metadata")).putArray("finalizers").add("example.com/keep");
    check.check(BOB, update, "clusterroles", "", next, old);
    ((ObjectNode) next.get("metadata")).putObject("labels").put("a", "b");
    assertThatThrownBy(() -> check.check(BOB, update, "clusterroles", "", next, old)).isInstanceOf(ApiException.class);
  }

  private static ObjectNode binding(String ns, String name, String kind, String roleName) {
    return json("{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"},\"roleRef\":{\"apiGroup\":"
        + "\"rbac.authorization.k8s.io\",\"kind\":\"" + kind + "\",\"name\":\"" + roleName + "\"},\"subjects\":[]}");
  }

  @Test
  void bindingNeedsBindOrTheRolesRules() {
    stored.put("clusterroles//reader", role("", "reader", PODS_GET));
    assertThatThrownBy(() -> check.check(BOB, null, "rolebindings", "dev", binding("dev", "b", "ClusterRole", "reader"),
        null)).hasMessage("rolebindings.rbac.authorization.k8s.io \"b\" is forbidden: user \"bob\" (groups=[\"g\" "
            + "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
            + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}");
    // bind on a cluster role is asked in the binding's namespace, by the role's name
    assertThat(asked).singleElement().satisfies(a -> {
      assertThat(a.verb()).isEqualTo("bind");
      assertThat(a.resource()).isEqualTo("clusterroles");
      assertThat(a.namespace()).isEqualTo("dev");
      assertThat(a.name()).isEqualTo("reader");
      assertThat(a.apiGroup()).isEqualTo("rbac.authorization.k8s.io");
    });
    grant("Role", "dev", "pods", PODS_GET);
    check.check(BOB, null, "rolebindings", "dev", binding("dev", "b", "ClusterRole", "reader"), null);
    assertThatThrownBy(() -> check.check(BOB, null, "clusterrolebindings", "", binding("", "b", "ClusterRole", "reader"),
        null)).isInstanceOf(ApiException.class);
    allowedVerbs.add("bind");
    check.check(BOB, null, "clusterrolebindings", "", binding("", "b", "ClusterRole", "reader"), null);
  }

  @Test
  void bindingToAMissingRoleIsNotFoundUnlessBindIsHeld() {
    assertThatThrownBy(() -> check.check(BOB, null, "rolebindings", "dev", binding("dev", "b", "Role", "nope"), null))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(404));
    allowedVerbs.add("bind");
    check.check(BOB, null, "rolebindings", "dev", binding("dev", "b", "Role", "nope"), null);
  }
}
