package io.planet.controllers.certificates;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's csrapproving (sarapprove.go): approves kubelet client certificate requests (signer
 * kubernetes.io/kube-apiserver-client-kubelet, O=system:nodes, CN=system:node:&lt;name&gt;, client usages) when a
 * SubjectAccessReview says the requester may {@code create certificatesigningrequests/selfnodeclient} (a node renewing
 * its own certificate) or {@code .../nodeclient} (a new node, e.g. a bootstrap token).
 *
 * <p>Planet's addition, off unless {@code approveKubeletServing}: kubernetes.io/kubelet-serving requests a node makes
 * for itself (requester and CN system:node:&lt;name&gt; in group system:nodes, DNS/IP SANs only, serving usages) are
 * approved too, so joined kubelets get serving certificates the API server trusts without an operator.
 */
public final class CsrApprovingController extends Controller {
  public static final String KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
  public static final String KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";

  private final KubernetesClient client;
  private final boolean approveKubeletServing;
  private SharedIndexInformer<CertificateSigningRequest> csrs;

  /** Upstream's behaviour: kubelet client certificates only. */
  public CsrApprovingController(KubernetesClient client) {
    this(client, false);
  }

  /** @param approveKubeletServing also approve kubelet-serving requests a node makes for itself (Planet's addition) */
  public CsrApprovingController(KubernetesClient client, boolean approveKubeletServing) {
    super("csrapproving", 1);
    this.client = client;
    this.approveKubeletServing = approveKubeletServing;
  }

  @Override
  protected String eventSource() {
    return "csrapproving";
  }

  @Override
  protected void register(Informers informers) {
    csrs = informers.informer(CertificateSigningRequest.class);
    csrs.addEventHandler(handler(c -> {
      if (pending(c)) enqueue(key(c));
    }));
  }

  private static boolean pending(CertificateSigningRequest c) {
    return !CertificateRequests.issued(c) && !CertificateRequests.has(c, CertificateRequests.APPROVED)
        && !CertificateRequests.has(c, CertificateRequests.DENIED);
  }

  /** A kind of request this controller recognizes, the permission that approves it, and the approval's message. */
  private record Recognizer(String subresource, String message) {}

  private static final Recognizer SELF_NODE_CLIENT = new Recognizer("selfnodeclient",
      "Auto approving self kubelet client certificate after SubjectAccessReview.");
  private static final Recognizer NODE_CLIENT = new Recognizer("nodeclient",
      "Auto approving kubelet client certificate after SubjectAccessReview.");
  static final String SELF_NODE_SERVING_MESSAGE = "Auto approving kubelet serving certificate for its own node (Planet).";

  @Override
  protected void reconcile(String key) throws Exception {
    CertificateSigningRequest csr = csrs.getStore().getByKey(key);
    if (csr == null || !pending(csr)) return;
    CertificateRequests request;
    try {
      request = CertificateRequests.parse(csr.getSpec().getRequest());
    } catch (IllegalArgumentException e) {
      log.info("unable to parse csr {}: {}", key, e.getMessage());
      return;
    }
    List<String> usages = csr.getSpec().getUsages() == null ? List.of() : csr.getSpec().getUsages();
    String signer = csr.getSpec().getSignerName();
    String username = csr.getSpec().getUsername() == null ? "" : csr.getSpec().getUsername();
    if (KUBELET_CLIENT_SIGNER.equals(signer) && KubeletCsrs.clientError(request, usages) == null) {
      List<Recognizer> candidates = new ArrayList<>();
      if (username.equals(request.commonName())) candidates.add(SELF_NODE_CLIENT);
      candidates.add(NODE_CLIENT);
      List<String> tried = new ArrayList<>();
      for (Recognizer r : candidates) {
        tried.add(r.subresource());
        if (authorized(csr, r.subresource())) {
          approve(csr, r.message());
          return;
        }
      }
      // upstream's "ignorable" error: not retried, the next change to the CSR looks again
      log.info("recognized csr {} as {} but subject access review was not approved", key, tried);
      return;
    }
    if (approveKubeletServing && KUBELET_SERVING_SIGNER.equals(signer) && KubeletCsrs.servingError(request, usages) == null
        && request.dnsNames().size() + request.ipAddresses().size() > 0
        && username.equals(request.commonName()) && groups(csr).contains(KubeletCsrs.NODES_GROUP)) {
      approve(csr, SELF_NODE_SERVING_MESSAGE);
    }
  }

  private static List<String> groups(CertificateSigningRequest csr) {
    return csr.getSpec().getGroups() == null ? List.of() : csr.getSpec().getGroups();
  }

  /** A SubjectAccessReview for the requester (as recorded in the CSR) creating certificatesigningrequests/{sub}. */
  private boolean authorized(CertificateSigningRequest csr, String subresource) {
    Map<String, List<String>> extra = new HashMap<>();
    if (csr.getSpec().getExtra() != null) extra.putAll(csr.getSpec().getExtra());
    SubjectAccessReview sar = new SubjectAccessReviewBuilder()
        .withNewSpec()
        .withUser(csr.getSpec().getUsername())
        .withUid(csr.getSpec().getUid())
        .withGroups(groups(csr))
        .withExtra(extra)
        .withResourceAttributes(new ResourceAttributesBuilder().withGroup("certificates.k8s.io")
            .withResource("certificatesigningrequests").withSubresource(subresource).withVerb("create")
            .withVersion("*").build())
        .endSpec()
        .build();
    SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(sar);
    return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
  }

  private void approve(CertificateSigningRequest csr, String message) {
    CertificateSigningRequest next = csr.edit().editOrNewStatus().endStatus().build();
    List<CertificateSigningRequestCondition> conds = next.getStatus().getConditions() == null ? new ArrayList<>()
        : new ArrayList<>(next.getStatus().getConditions());
    conds.add(new CertificateSigningRequestConditionBuilder().withType(CertificateRequests.APPROVED)
        .withStatus("True").withReason("AutoApproved").withMessage(message).build());
    next.getStatus().setConditions(conds);
    // PUT .../approval with the informer's resourceVersion: a concurrent change conflicts and is looked at again
    client.certificates().v1().certificateSigningRequests().resource(next).subresource("approval").update();
    log.info("approved csr {}: {}", csr.getMetadata().getName(), message);
  }
}
