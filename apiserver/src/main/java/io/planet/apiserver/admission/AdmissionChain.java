package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceType;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.registry.WriteAdmission;
import java.util.ArrayList;
import java.util.List;

/**
 * The enabled plugins in upstream's order. A write runs every plugin's mutating phase, then (after the strategy's
 * validation) every plugin's validating phase; the first refusal ends the request.
 */
public final class AdmissionChain {
  private final List<AdmissionPlugin> plugins;

  public AdmissionChain(List<AdmissionPlugin> plugins) {
    this.plugins = List.copyOf(plugins);
  }

  /** The chain {@code config} enables, with an authorizer that allows everything (the certificate plugins ask it). */
  public static AdmissionChain of(AdmissionConfig config, StoreLookup stores) {
    return of(config, stores, a -> io.planet.apiserver.auth.AuthorizationDecision.allow(""));
  }

  /**
   * The chain {@code config} enables; IllegalArgumentException for an unknown plugin name. {@code authorizer} is the
   * server's (CertificateApproval and CertificateSigning authorize the signer verbs with it).
   */
  public static AdmissionChain of(AdmissionConfig config, StoreLookup stores, io.planet.apiserver.auth.Authorizer authorizer) {
    List<AdmissionPlugin> out = new ArrayList<>();
    for (String n : config.plugins()) out.add(AdmissionPlugins.create(n, stores, config, authorizer));
    return new AdmissionChain(out);
  }

  public List<String> names() {
    return plugins.stream().map(AdmissionPlugin::name).toList();
  }

  /** The chain bound to one request's user; Warning headers go to {@code warnings}. */
  public WriteAdmission forRequest(UserInfo user, List<String> warnings) {
    return new WriteAdmission() {
      @Override
      public void mutate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
          ObjectNode old, boolean dryRun) {
        AdmissionAttributes a = attributes(user, operation, type, namespace, subresource, obj, old, dryRun, warnings);
        for (AdmissionPlugin p : plugins) p.mutate(a);
      }

      @Override
      public void validate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
          ObjectNode old, boolean dryRun) {
        AdmissionAttributes a = attributes(user, operation, type, namespace, subresource, obj, old, dryRun, warnings);
        for (AdmissionPlugin p : plugins) p.validate(a);
      }
    };
  }

  /** A DELETE or CONNECT: validating plugins only, with the stored object. */
  public void admit(UserInfo user, String operation, ResourceType type, String namespace, String name,
      String subresource, ObjectNode old, boolean dryRun, List<String> warnings) {
    AdmissionAttributes a = new AdmissionAttributes(user, operation, type, subresource, namespace, name, null, old,
        dryRun, warnings);
    for (AdmissionPlugin p : plugins) p.validate(a);
  }

  private static AdmissionAttributes attributes(UserInfo user, String operation, ResourceType type, String namespace,
      String subresource, ObjectNode obj, ObjectNode old, boolean dryRun, List<String> warnings) {
    return new AdmissionAttributes(user, operation, type, subresource, namespace, AdmissionAttributes.nameOf(obj, old),
        obj, old, dryRun, warnings);
  }
}
