package io.planet.apiserver.admission.webhook;

import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.admission.StoreLookup;
import io.planet.apiserver.aggregator.BackendClients;
import io.planet.apiserver.aggregator.ServiceResolver;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the mutating and the validating plugin share (upstream's generic.Webhook): the configurations, the matcher,
 * one call of one webhook with its dry-run rule, verification, warnings and failurePolicy.
 */
final class WebhookCaller {
  private static final Logger logger = LoggerFactory.getLogger(WebhookCaller.class);
  private static final String GROUP = "admissionregistration.k8s.io";
  /** IsExemptAdmissionConfigurationResource: webhooks never see these, so a broken webhook cannot lock users out. */
  private static final Set<String> EXEMPT_KINDS = Set.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
      "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy",
      "MutatingAdmissionPolicyBinding");

  private final WebhookSource source;
  private final WebhookMatcher matcher;
  private final WebhookClient client;
  private final boolean mutating;

  /** @param plural mutatingwebhookconfigurations or validatingwebhookconfigurations */
  WebhookCaller(StoreLookup stores, String plural, boolean mutating) {
    this.source = new WebhookSource(() -> stores.store(GROUP, "v1", plural).cache());
    this.matcher = new WebhookMatcher(stores);
    this.client = new WebhookClient(new Lazy<>(() -> new ServiceResolver(stores.store("", "v1", "services").cache(),
        stores.store("", "v1", "endpoints").cache(), stores.store("discovery.k8s.io", "v1", "endpointslices").cache())),
        new BackendClients());
    this.mutating = mutating;
  }

  static boolean exempt(AdmissionAttributes a) {
    return a.type().group().equals(GROUP) && EXEMPT_KINDS.contains(a.type().kind());
  }

  List<Webhook> webhooks() {
    return source.webhooks();
  }

  boolean matches(Webhook w, AdmissionAttributes a) {
    return matcher.matches(w, a);
  }

  /**
   * Calls {@code w} about {@code a}: its response, or null when the call failed and the webhook fails open. A failed
   * call of a failing-closed webhook is upstream's 500 "failed calling webhook"; a denial is not decided here.
   */
  AdmissionReview.Response call(Webhook w, AdmissionAttributes a) {
    if (a.dryRun() && !w.sideEffects().equals("None") && !w.sideEffects().equals("NoneOnDryRun")) {
      throw WebhookErrors.dryRunUnsupported(w.name());
    }
    String version = w.reviewVersion();
    String reason;
    try {
      if (version == null) throw new WebhookClient.CallFailed("webhook does not accept v1 or v1beta1 AdmissionReview");
      String uid = AdmissionReview.newUid();
      byte[] body = Json.MAPPER.writeValueAsBytes(AdmissionReview.request(version, uid, a));
      AdmissionReview.Response r = AdmissionReview.verify(version, uid, client.post(w, body), mutating);
      for (String warning : r.warnings()) a.warn(warning);
      return r;
    } catch (WebhookClient.CallFailed e) {
      reason = "failed to call webhook: " + e.getMessage();
    } catch (AdmissionReview.InvalidResponse e) {
      reason = "received invalid webhook response: " + e.getMessage();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      reason = "could not create admission objects: " + e.getMessage();
    }
    String error = WebhookErrors.callingWebhook(w.name(), reason);
    if (w.failOpen()) {
      logger.warn("Failed calling webhook, failing open {}: {}", w.name(), error);
      return null;
    }
    logger.warn("Failed calling webhook, failing closed {}: {}", w.name(), error);
    throw WebhookErrors.internal(error);
  }

  /** A denial as the client sees it. */
  static ApiException denied(Webhook w, AdmissionReview.Response r) {
    return WebhookErrors.denied(w.name(), r.status());
  }

  /** Built on first use: the caches it reads exist only once the server's storage is up. */
  private static final class Lazy<T> implements java.util.function.Supplier<T> {
    private final java.util.function.Supplier<T> make;
    private volatile T value;

    Lazy(java.util.function.Supplier<T> make) {
      this.make = make;
    }

    @Override
    public T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          if (value == null) value = make.get();
          v = value;
        }
      }
      return v;
    }
  }
}
