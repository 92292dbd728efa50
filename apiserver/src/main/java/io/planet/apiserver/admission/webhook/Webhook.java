package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.selector.LabelSelector;
import java.time.Duration;

/**
 * One webhook of a Mutating/ValidatingWebhookConfiguration (upstream's WebhookAccessor), with its selectors parsed
 * once. {@code uid} tells webhooks apart across configurations: {@code <configuration>/<index>}.
 */
record Webhook(String configuration, int index, ObjectNode spec, LabelSelector namespaceSelector,
    LabelSelector objectSelector) {

  static Webhook of(String configuration, int index, ObjectNode spec) {
    return new Webhook(configuration, index, spec, selector(spec.get("namespaceSelector")),
        selector(spec.get("objectSelector")));
  }

  /** A missing selector is the defaulted {} (everything); one that cannot be parsed selects nothing. */
  private static LabelSelector selector(JsonNode sel) {
    if (sel == null || sel.isNull()) return LabelSelector.EVERYTHING;
    try {
      return LabelSelector.fromJson(sel);
    } catch (RuntimeException e) {
      return LabelSelector.NOTHING;
    }
  }

  String uid() {
    return configuration + "/" + index;
  }

  String name() {
    return spec.path("name").asText();
  }

  boolean failOpen() {
    return spec.path("failurePolicy").asText("Fail").equals("Ignore");
  }

  boolean matchEquivalent() {
    return spec.path("matchPolicy").asText("Equivalent").equals("Equivalent");
  }

  boolean reinvokeIfNeeded() {
    return spec.path("reinvocationPolicy").asText("Never").equals("IfNeeded");
  }

  String sideEffects() {
    return spec.path("sideEffects").asText("");
  }

  Duration timeout() {
    return Duration.ofSeconds(spec.path("timeoutSeconds").asLong(10));
  }

  JsonNode rules() {
    return spec.path("rules");
  }

  JsonNode clientConfig() {
    return spec.path("clientConfig");
  }

  /** The first AdmissionReview version listed that this server speaks (v1 or v1beta1); null when none. */
  String reviewVersion() {
    for (JsonNode v : spec.path("admissionReviewVersions")) {
      if (v.asText().equals("v1") || v.asText().equals("v1beta1")) return v.asText();
    }
    return null;
  }
}
