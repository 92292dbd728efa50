package io.planet.controllers.certificates;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Upstream's csrcleaner: deletes CertificateSigningRequests nobody needs any more. Issued requests go an hour after
 * approval or when their certificate has expired, denied and failed ones an hour after that condition, pending ones
 * 24 hours after creation. Instead of upstream's hourly sweep, each request is looked at again when its deadline
 * comes.
 */
public final class CsrCleaner extends Controller {
  static final Duration APPROVED_EXPIRATION = Duration.ofHours(1);
  static final Duration DENIED_EXPIRATION = Duration.ofHours(1);
  static final Duration PENDING_EXPIRATION = Duration.ofHours(24);

  private final KubernetesClient client;
  private final Clock clock;
  private SharedIndexInformer<CertificateSigningRequest> csrs;

  public CsrCleaner(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  CsrCleaner(KubernetesClient client, Clock clock) {
    super("csrcleaner", 1);
    this.client = client;
    this.clock = clock;
  }

  @Override
  protected String eventSource() {
    return "csrcleaner";
  }

  @Override
  protected void register(Informers informers) {
    csrs = informers.informer(CertificateSigningRequest.class);
    csrs.addEventHandler(handler(c -> {
      if (c.getMetadata().getDeletionTimestamp() == null) enqueue(key(c));
    }));
  }

  /** When this request is due for deletion (null: never, e.g. approved but not issued yet). */
  static Instant deadline(CertificateSigningRequest csr) {
    Instant due = null;
    boolean noConditions = csr.getStatus() == null || csr.getStatus().getConditions() == null
        || csr.getStatus().getConditions().isEmpty();
    if (noConditions) due = earliest(due, time(csr.getMetadata().getCreationTimestamp()), PENDING_EXPIRATION);
    CertificateSigningRequestCondition denied = CertificateRequests.condition(csr, CertificateRequests.DENIED);
    if (denied != null) due = earliest(due, time(denied.getLastUpdateTime()), DENIED_EXPIRATION);
    CertificateSigningRequestCondition failed = CertificateRequests.condition(csr, CertificateRequests.FAILED);
    if (failed != null) due = earliest(due, time(failed.getLastUpdateTime()), DENIED_EXPIRATION);
    CertificateSigningRequestCondition approved = CertificateRequests.condition(csr, CertificateRequests.APPROVED);
    if (approved != null && CertificateRequests.issued(csr)) {
      due = earliest(due, time(approved.getLastUpdateTime()), APPROVED_EXPIRATION);
      Instant notAfter = notAfter(csr.getStatus().getCertificate());
      if (notAfter != null) due = earliest(due, notAfter, Duration.ZERO);
    }
    return due;
  }

  private static Instant earliest(Instant current, Instant from, Duration after) {
    if (from == null) return current;
    Instant t = from.plus(after);
    return current == null || t.isBefore(current) ? t : current;
  }

  private static Instant time(String rfc3339) {
    if (rfc3339 == null || rfc3339.isEmpty()) return null;
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant notAfter(String base64Pem) {
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
      return c.getNotAfter().toInstant();
    } catch (CertificateException | IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  protected void reconcile(String key) throws Exception {
    CertificateSigningRequest csr = csrs.getStore().getByKey(key);
    if (csr == null || csr.getMetadata().getDeletionTimestamp() != null) return;
    Instant due = deadline(csr);
    if (due == null) return;
    Duration left = Duration.between(clock.instant(), due);
    if (left.compareTo(Duration.ZERO) > 0) throw new Requeue(left);
    // the uid precondition spares a request recreated under the same name meanwhile
    String options = """
        {"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"%s"}}""".formatted(csr.getMetadata().getUid());
    try {
      client.raw("/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csr.getMetadata().getName(), "DELETE", options);
      log.info("deleted certificate signing request {}", key);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) throw e;
    }
  }
}
