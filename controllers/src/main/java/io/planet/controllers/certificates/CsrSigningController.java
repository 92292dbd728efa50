package io.planet.controllers.certificates;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Upstream's csrsigning with the cluster CA ({@code --cluster-signing-cert-file/--cluster-signing-key-file}): issues
 * certificates for approved, not failed requests of the kubernetes.io/kube-apiserver-client,
 * kube-apiserver-client-kubelet and kubelet-serving signers. A request the signer's rules refuse (a kubelet client
 * request that is not O=system:nodes/CN=system:node:..., wrong usages...) gets a Failed condition with reason
 * SignerValidationFailure instead. Without CA files the controller runs but signs nothing, as upstream skips it.
 */
public final class CsrSigningController extends Controller {
  public static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
  static final Set<String> SIGNERS = Set.of(KUBE_APISERVER_CLIENT, CsrApprovingController.KUBELET_CLIENT_SIGNER,
      CsrApprovingController.KUBELET_SERVING_SIGNER);

  private final KubernetesClient client;
  private final SigningAuthority authority;
  private final Duration certTtl;
  private final Clock clock;
  private SharedIndexInformer<CertificateSigningRequest> csrs;

  /** A controller without a CA: it signs nothing (upstream does not start csrsigning without its files). */
  public static CsrSigningController withoutCa(KubernetesClient client) {
    return new CsrSigningController(client, null, SigningAuthority.DEFAULT_TTL, Clock.systemUTC());
  }

  /** Signs with the CA certificate and key in these PEM files for upstream's default duration of one year. */
  public CsrSigningController(KubernetesClient client, Path caCertFile, Path caKeyFile) {
    this(client, caCertFile, caKeyFile, SigningAuthority.DEFAULT_TTL);
  }

  /** @param certTtl upstream's --cluster-signing-duration */
  public CsrSigningController(KubernetesClient client, Path caCertFile, Path caKeyFile, Duration certTtl) {
    this(client, new SigningAuthority(caCertFile, caKeyFile), certTtl, Clock.systemUTC());
  }

  CsrSigningController(KubernetesClient client, SigningAuthority authority, Duration certTtl, Clock clock) {
    super("csrsigning", 2);
    this.client = client;
    this.authority = authority;
    this.certTtl = certTtl;
    this.clock = clock;
  }

  @Override
  protected String eventSource() {
    return "csrsigning";
  }

  @Override
  protected void register(Informers informers) {
    csrs = informers.informer(CertificateSigningRequest.class);
    if (authority == null) {
      log.info("no --cluster-signing-cert-file/--cluster-signing-key-file: csrsigning signs nothing");
      return;
    }
    try {
      authority.load();
    } catch (IOException e) {
      // upstream fails to start the controller; here it logs and keeps trying on each request
      log.warn("cannot load the cluster signing CA: {}", e.getMessage());
    }
    csrs.addEventHandler(handler(c -> {
      if (signable(c)) enqueue(key(c));
    }));
  }

  private static boolean signable(CertificateSigningRequest c) {
    return CertificateRequests.has(c, CertificateRequests.APPROVED) && !CertificateRequests.has(c, CertificateRequests.FAILED)
        && !CertificateRequests.issued(c) && SIGNERS.contains(c.getSpec().getSignerName());
  }

  @Override
  protected void reconcile(String key) throws Exception {
    CertificateSigningRequest csr = csrs.getStore().getByKey(key);
    if (csr == null || !signable(csr)) return;
    CertificateRequests request;
    try {
      request = CertificateRequests.parse(csr.getSpec().getRequest());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("unable to parse csr " + key + ": " + e.getMessage());
    }
    List<String> usages = csr.getSpec().getUsages() == null ? List.of() : csr.getSpec().getUsages();
    String refusal = switch (csr.getSpec().getSignerName()) {
      case KUBE_APISERVER_CLIENT -> KubeletCsrs.apiServerClientUsagesError(usages);
      case CsrApprovingController.KUBELET_CLIENT_SIGNER -> KubeletCsrs.clientError(request, usages);
      default -> KubeletCsrs.servingError(request, usages);
    };
    if (refusal != null) {
      fail(csr, refusal);
      return;
    }
    authority.load();
    Duration ttl = SigningAuthority.duration(csr.getSpec().getExpirationSeconds(), certTtl);
    String pem = authority.sign(request, usages, ttl, clock.instant());
    CertificateSigningRequest next = csr.edit().editStatus()
        .withCertificate(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))).endStatus().build();
    client.certificates().v1().certificateSigningRequests().resource(next).updateStatus();
    log.info("signed csr {} ({}) valid for {}", key, csr.getSpec().getSignerName(), ttl);
  }

  private void fail(CertificateSigningRequest csr, String message) {
    List<CertificateSigningRequestCondition> conds = new ArrayList<>(csr.getStatus().getConditions());
    conds.add(new CertificateSigningRequestConditionBuilder().withType(CertificateRequests.FAILED).withStatus("True")
        .withReason("SignerValidationFailure").withMessage(message).withLastUpdateTime(Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
        .build());
    CertificateSigningRequest next = csr.edit().editStatus().withConditions(conds).endStatus().build();
    client.certificates().v1().certificateSigningRequests().resource(next).updateStatus();
    log.info("csr {} failed: {}", csr.getMetadata().getName(), message);
  }
}
