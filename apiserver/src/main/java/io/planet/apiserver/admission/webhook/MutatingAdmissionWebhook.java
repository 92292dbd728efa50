package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.patch.JsonPatch;
import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.admission.AdmissionPlugin;
import io.planet.apiserver.admission.StoreLookup;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Upstream's MutatingAdmissionWebhook: every matching webhook of every MutatingWebhookConfiguration, configurations in
 * name order, is sent the object and may answer a JSONPatch, applied (and defaulted again) before the next webhook.
 * When a later webhook changed the object, the earlier ones with reinvocationPolicy IfNeeded run once more.
 * DELETE and CONNECT reach it through the chain's validating pass (they have no mutating one here).
 */
public final class MutatingAdmissionWebhook implements AdmissionPlugin {
  public static final String NAME = "MutatingAdmissionWebhook";
  private final WebhookCaller webhooks;

  public MutatingAdmissionWebhook(StoreLookup stores) {
    this.webhooks = new WebhookCaller(stores, "mutatingwebhookconfigurations", true);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    dispatch(a);
  }

  /** Only requests without a mutating pass (DELETE, CONNECT, eviction) come here with no object. */
  @Override
  public void validate(AdmissionAttributes a) {
    if (a.object() == null) dispatch(a);
  }

  private void dispatch(AdmissionAttributes a) {
    if (WebhookCaller.exempt(a)) return;
    List<Webhook> hooks = webhooks.webhooks();
    if (hooks.isEmpty()) return;
    Set<String> invoked = new HashSet<>();
    Set<String> reinvoke = new HashSet<>();
    for (Webhook w : hooks) {
      if (!webhooks.matches(w, a)) continue;
      if (callAndPatch(w, a)) reinvoke.addAll(invoked);
      if (w.reinvokeIfNeeded()) invoked.add(w.uid());
    }
    if (reinvoke.isEmpty()) return;
    // one more round, only for IfNeeded webhooks that ran before a later change
    for (Webhook w : hooks) {
      if (reinvoke.contains(w.uid()) && webhooks.matches(w, a)) callAndPatch(w, a);
    }
  }

  /** Whether the webhook's patch changed the object. */
  private boolean callAndPatch(Webhook w, AdmissionAttributes a) {
    AdmissionReview.Response r = webhooks.call(w, a);
    if (r == null) return false;
    if (!r.allowed()) throw WebhookCaller.denied(w, r);
    if (r.patch() == null || (r.patch().isArray() && r.patch().isEmpty())) return false;
    ObjectNode obj = a.object();
    if (obj == null) {
      throw WebhookErrors.internal("admission webhook \"" + w.name()
          + "\" attempted to modify the object, which is not supported for this operation");
    }
    JsonNode patched;
    try {
      patched = JsonPatch.apply(obj, r.patch());
    } catch (ApiException e) {
      throw WebhookErrors.internal(e.getMessage());
    }
    if (!(patched instanceof ObjectNode p)) throw WebhookErrors.internal("the patched object is not a JSON object");
    // upstream decodes the patched object with defaulting
    a.type().strategy().applyDefaults(a.type(), p);
    if (p.equals(obj)) return false;
    obj.removeAll();
    obj.setAll(p);
    return true;
  }
}
