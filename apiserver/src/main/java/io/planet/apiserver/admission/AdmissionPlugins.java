package io.planet.apiserver.admission;

import java.util.List;
import java.util.Set;

/** The plugins this server has, in upstream's order (mutating then validating runs each in this order). */
public final class AdmissionPlugins {
  public static final String NAMESPACE_LIFECYCLE = "NamespaceLifecycle";
  public static final String LIMIT_RANGER = "LimitRanger";
  public static final String SERVICE_ACCOUNT = "ServiceAccount";
  public static final String NODE_RESTRICTION = "NodeRestriction";
  public static final String POD_SECURITY = "PodSecurity";
  public static final String PRIORITY = "Priority";
  public static final String DEFAULT_TOLERATION_SECONDS = "DefaultTolerationSeconds";
  public static final String CERTIFICATE_APPROVAL = "CertificateApproval";
  public static final String CERTIFICATE_SIGNING = "CertificateSigning";
  public static final String CERTIFICATE_SUBJECT_RESTRICTION = "CertificateSubjectRestriction";
  public static final String RESOURCE_QUOTA = "ResourceQuota";
  public static final String MUTATING_ADMISSION_WEBHOOK = io.planet.apiserver.admission.webhook.MutatingAdmissionWebhook.NAME;
  public static final String VALIDATING_ADMISSION_WEBHOOK = io.planet.apiserver.admission.webhook.ValidatingAdmissionWebhook.NAME;
  public static final String DEFAULT_STORAGE_CLASS = "DefaultStorageClass";
  public static final String RUNTIME_CLASS = "RuntimeClass";
  public static final String DEFAULT_INGRESS_CLASS = "DefaultIngressClass";
  public static final String STORAGE_OBJECT_IN_USE_PROTECTION = "StorageObjectInUseProtection";

  /** Upstream's AllOrderedPlugins restricted to the ones implemented here; ResourceQuota is always last. */
  public static final List<String> ORDER = List.of(NAMESPACE_LIFECYCLE, LIMIT_RANGER, SERVICE_ACCOUNT, NODE_RESTRICTION,
      POD_SECURITY, PRIORITY, DEFAULT_TOLERATION_SECONDS, DEFAULT_STORAGE_CLASS, STORAGE_OBJECT_IN_USE_PROTECTION, RUNTIME_CLASS, CERTIFICATE_APPROVAL,
      CERTIFICATE_SIGNING, CERTIFICATE_SUBJECT_RESTRICTION, DEFAULT_INGRESS_CLASS, MUTATING_ADMISSION_WEBHOOK,
      VALIDATING_ADMISSION_WEBHOOK, RESOURCE_QUOTA);

  /** Upstream's default-on plugins among these: all but NodeRestriction (which kubeadm-style clusters enable). */
  public static final Set<String> DEFAULT_ON = Set.of(NAMESPACE_LIFECYCLE, LIMIT_RANGER, SERVICE_ACCOUNT, POD_SECURITY,
      PRIORITY, DEFAULT_TOLERATION_SECONDS, CERTIFICATE_APPROVAL, CERTIFICATE_SIGNING, CERTIFICATE_SUBJECT_RESTRICTION,
      MUTATING_ADMISSION_WEBHOOK, VALIDATING_ADMISSION_WEBHOOK, RESOURCE_QUOTA, DEFAULT_STORAGE_CLASS, RUNTIME_CLASS,
      DEFAULT_INGRESS_CLASS, STORAGE_OBJECT_IN_USE_PROTECTION);

  private AdmissionPlugins() {}

  static AdmissionPlugin create(String name, StoreLookup stores, AdmissionConfig config,
      io.planet.apiserver.auth.Authorizer authorizer) {
    return switch (name) {
      case NAMESPACE_LIFECYCLE -> new NamespaceLifecycle(stores);
      case LIMIT_RANGER -> new LimitRanger(stores);
      case SERVICE_ACCOUNT -> new ServiceAccountAdmission(stores);
      case NODE_RESTRICTION -> new NodeRestriction(stores);
      case POD_SECURITY -> new PodSecurity(stores, config.podSecurity());
      case PRIORITY -> new Priority(stores);
      case DEFAULT_TOLERATION_SECONDS -> new DefaultTolerationSeconds();
      case CERTIFICATE_APPROVAL -> new CertificateApproval(authorizer);
      case CERTIFICATE_SIGNING -> new CertificateSigning(authorizer);
      case CERTIFICATE_SUBJECT_RESTRICTION -> new CertificateSubjectRestriction();
      case RESOURCE_QUOTA -> new ResourceQuota(stores);
      case MUTATING_ADMISSION_WEBHOOK -> new io.planet.apiserver.admission.webhook.MutatingAdmissionWebhook(stores);
      case VALIDATING_ADMISSION_WEBHOOK -> new io.planet.apiserver.admission.webhook.ValidatingAdmissionWebhook(stores);
      case DEFAULT_STORAGE_CLASS -> new DefaultStorageClass(stores);
      case RUNTIME_CLASS -> new RuntimeClassAdmission(stores);
      case DEFAULT_INGRESS_CLASS -> new DefaultIngressClass(stores);
      case STORAGE_OBJECT_IN_USE_PROTECTION -> new StorageObjectInUseProtection();
      default -> throw new IllegalArgumentException("admission plugin \"" + name + "\" is unknown");
    };
  }
}
