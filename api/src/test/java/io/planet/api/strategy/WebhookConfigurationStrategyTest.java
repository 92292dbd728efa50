package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.messages;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.update;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceType;
import org.junit.jupiter.api.Test;

class WebhookConfigurationStrategyTest {
  static final ResourceType MUTATING = type("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations");
  static final ResourceType VALIDATING = type("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations");

  static ObjectNode config(String kind, String webhooks) {
    return yaml("""
        apiVersion: admissionregistration.k8s.io/v1
        kind: %s
        metadata:
          name: cfg
        webhooks:
        %s
        """.formatted(kind, webhooks.indent(2)));
  }

  static final String HOOK = """
      - name: hook.example.com
        clientConfig:
          service: {namespace: default, name: svc}
        rules:
        - operations: [CREATE]
          apiGroups: [""]
          apiVersions: [v1]
          resources: [pods]
        sideEffects: None
        admissionReviewVersions: [v1]
      """;

  @Test
  void mutatingWebhooksGetUpstreamDefaults() {
    ObjectNode o = config("MutatingWebhookConfiguration", HOOK);
    assertThat(create(MUTATING, o)).isEmpty();
    ObjectNode h = (ObjectNode) o.at("/webhooks/0");
    assertThat(h.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(h.path("matchPolicy").asText()).isEqualTo("Equivalent");
    assertThat(h.path("namespaceSelector").isObject()).isTrue();
    assertThat(h.path("namespaceSelector").isEmpty()).isTrue();
    assertThat(h.path("objectSelector").isEmpty()).isTrue();
    assertThat(h.path("timeoutSeconds").asInt()).isEqualTo(10);
    assertThat(h.path("reinvocationPolicy").asText()).isEqualTo("Never");
    assertThat(h.at("/rules/0/scope").asText()).isEqualTo("*");
    assertThat(h.at("/clientConfig/service/port").asInt()).isEqualTo(443);
    assertThat(h.has("sideEffects")).isTrue();
  }

  @Test
  void validatingWebhooksHaveNoReinvocationPolicy() {
    ObjectNode o = config("ValidatingWebhookConfiguration", HOOK);
    assertThat(create(VALIDATING, o)).isEmpty();
    assertThat(o.at("/webhooks/0").has("reinvocationPolicy")).isFalse();
    assertThat(o.at("/webhooks/0/failurePolicy").asText()).isEqualTo("Fail");
  }

  @Test
  void webhookNamesAreUniqueAndFullyQualified() {
    ObjectNode o = config("ValidatingWebhookConfiguration", HOOK + HOOK + HOOK.replace("hook.example.com", "hook"));
    assertThat(messages(create(VALIDATING, o))).containsExactly(
        "webhooks[1].name: Duplicate value: \"hook.example.com\"",
        "webhooks[2].name: Invalid value: \"hook\": should be a domain with at least three segments separated by dots");
  }

  @Test
  void clientConfigIsExactlyOneOfUrlOrServiceAndUrlsAreHttps() {
    ObjectNode both = config("ValidatingWebhookConfiguration", HOOK.replace("service: {namespace: default, name: svc}",
        "service: {namespace: default, name: svc}\n    url: https://x.example.com/"));
    assertThat(messages(create(VALIDATING, both)))
        .containsExactly("webhooks[0].clientConfig: Required value: exactly one of url or service is required");
    ObjectNode http = config("ValidatingWebhookConfiguration", HOOK.replace("service: {namespace: default, name: svc}",
        "url: http://x.example.com/a?b=c"));
    assertThat(messages(create(VALIDATING, http))).containsExactly(
        "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
        "webhooks[0].clientConfig.url: Invalid value: \"b=c\": query parameters are not permitted in the URL");
    ObjectNode svc = config("ValidatingWebhookConfiguration", HOOK.replace("service: {namespace: default, name: svc}",
        "service: {name: svc, port: 0, path: validate}"));
    assertThat(messages(create(VALIDATING, svc))).containsExactly(
        "webhooks[0].clientConfig.service.namespace: Required value: service namespace is required",
        "webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
        "webhooks[0].clientConfig.service.path: Invalid value: \"validate\": must start with a '/'");
  }

  @Test
  void reviewVersionsSideEffectsAndTimeout() {
    ObjectNode o = config("MutatingWebhookConfiguration", HOOK
        .replace("admissionReviewVersions: [v1]", "admissionReviewVersions: [v2]\n  timeoutSeconds: 31")
        .replace("sideEffects: None", "sideEffects: Some"));
    assertThat(messages(create(MUTATING, o))).containsExactly(
        "webhooks[0].sideEffects: Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"",
        "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
        "webhooks[0].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at least one of v1, v1beta1");
    ObjectNode missing = config("MutatingWebhookConfiguration", HOOK
        .replace("admissionReviewVersions: [v1]\n", "").replace("sideEffects: None\n", ""));
    assertThat(messages(create(MUTATING, missing))).containsExactly(
        "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
        "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1");
  }

  @Test
  void rulesNeedOperationsGroupsVersionsAndResources() {
    ObjectNode o = config("ValidatingWebhookConfiguration", """
        - name: hook.example.com
          clientConfig: {url: "https://x.example.com"}
          rules:
          - operations: ["*", CREATE]
            apiGroups: []
            apiVersions: [v1]
            resources: []
            scope: Everywhere
          - operations: [PATCH]
            apiGroups: ["*"]
            apiVersions: ["*"]
            resources: ["*/*", pods]
          sideEffects: None
          admissionReviewVersions: [v1]
        """);
    assertThat(messages(create(VALIDATING, o))).containsExactly(
        "webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{\"*\", \"CREATE\"}: "
            + "if '*' is present, must not specify other operations",
        "webhooks[0].rules[0].apiGroups: Required value",
        "webhooks[0].rules[0].resources: Required value",
        "webhooks[0].rules[0].scope: Unsupported value: \"Everywhere\": supported values: \"*\", \"Cluster\", \"Namespaced\"",
        "webhooks[0].rules[1].operations[0]: Unsupported value: \"PATCH\": supported values: \"*\", \"CONNECT\", \"CREATE\", "
            + "\"DELETE\", \"UPDATE\"",
        "webhooks[0].rules[1].resources: Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is present, must not specify "
            + "other resources");
  }

  @Test
  void subresourceRulesAreAccepted() {
    ObjectNode o = config("ValidatingWebhookConfiguration", HOOK.replace("resources: [pods]",
        "resources: [pods/status, \"deployments/*\", \"*/scale\"]"));
    assertThat(create(VALIDATING, o)).isEmpty();
  }

  @Test
  void updatesKeepToleratingWhatWasAlreadyStored() {
    ObjectNode old = config("ValidatingWebhookConfiguration", HOOK.replace("sideEffects: None", "sideEffects: Unknown"));
    ObjectNode next = old.deepCopy();
    assertThat(update(VALIDATING, next, old)).isEmpty();
    ObjectNode fresh = config("ValidatingWebhookConfiguration", HOOK);
    ObjectNode bad = fresh.deepCopy();
    ((ObjectNode) bad.at("/webhooks/0")).put("sideEffects", "Unknown");
    assertThat(messages(update(VALIDATING, bad, fresh))).containsExactly(
        "webhooks[0].sideEffects: Unsupported value: \"Unknown\": supported values: \"None\", \"NoneOnDryRun\"");
  }
}
