package io.planet.apiserver.admission.webhook;

import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.admission.AdmissionPlugin;
import io.planet.apiserver.admission.StoreLookup;

/**
 * Upstream's ValidatingAdmissionWebhook: after mutation and the built-in validation, every matching webhook of every
 * ValidatingWebhookConfiguration is asked; the first denial is the answer. Upstream asks them in parallel; here they
 * are asked one after another in configuration name order, which gives the same outcome.
 */
public final class ValidatingAdmissionWebhook implements AdmissionPlugin {
  public static final String NAME = "ValidatingAdmissionWebhook";
  private final WebhookCaller webhooks;

  public ValidatingAdmissionWebhook(StoreLookup stores) {
    this.webhooks = new WebhookCaller(stores, "validatingwebhookconfigurations", false);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (WebhookCaller.exempt(a)) return;
    for (Webhook w : webhooks.webhooks()) {
      if (!webhooks.matches(w, a)) continue;
      AdmissionReview.Response r = webhooks.call(w, a);
      if (r != null && !r.allowed()) throw WebhookCaller.denied(w, r);
    }
  }
}
