package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.Requester;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import io.planet.api.tls.Pkcs10;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * certificates.k8s.io/v1 CertificateSigningRequest (upstream's csrStrategy, csrStatusStrategy and
 * csrApprovalStrategy): the requesting user is recorded on create, spec never changes afterwards, Approved/Denied
 * conditions only through {@code /approval}, status.certificate only through {@code /status}.
 */
public final class CertificateSigningRequestStrategy implements ResourceStrategy {
  public static final String APPROVED = "Approved";
  public static final String DENIED = "Denied";
  public static final String FAILED = "Failed";

  /** Upstream's allValidUsages, sorted as sets.List prints them. */
  static final Set<String> USAGES = new TreeSet<>(List.of("signing", "digital signature", "content commitment",
      "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
      "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime",
      "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
      "netscape sgc"));

  private static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj, Requester requester) {
    ObjectNode spec = Json.with(obj, "spec");
    for (String f : List.of("username", "uid", "groups", "extra")) spec.remove(f);
    if (!requester.name().isEmpty()) spec.put("username", requester.name());
    if (!requester.uid().isEmpty()) spec.put("uid", requester.uid());
    if (!requester.groups().isEmpty()) {
      ArrayNode g = spec.putArray("groups");
      requester.groups().forEach(g::add);
    }
    if (!requester.extra().isEmpty()) {
      ObjectNode extra = spec.putObject("extra");
      for (Map.Entry<String, List<String>> e : requester.extra().entrySet()) {
        ArrayNode v = extra.putArray(e.getKey());
        e.getValue().forEach(v::add);
      }
    }
    // users cannot create pre-approved requests
    obj.putObject("status");
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    prepareForCreate(type, obj, Requester.NONE);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    copyField(old, obj, "spec");
    copyField(old, obj, "status");
  }

  @Override
  public void prepareForSubresourceUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old) {
    ObjectNode status = obj.has("status") && obj.get("status").isObject() ? (ObjectNode) obj.get("status").deepCopy()
        : Json.object();
    ResourceStrategy.super.prepareForStatusUpdate(type, obj, old);
    ObjectNode oldStatus = old.has("status") && old.get("status").isObject() ? (ObjectNode) old.get("status") : Json.object();
    if (subresource.equals("approval")) {
      // only the conditions change; the certificate stays as stored
      populateTimestamps(status, oldStatus);
      ObjectNode next = oldStatus.deepCopy();
      if (status.has("conditions")) next.set("conditions", status.get("conditions"));
      else next.remove("conditions");
      obj.set("status", next);
    } else {
      // Approved/Denied instances keep their stored values; adding or removing them fails validation
      preserve(status, oldStatus, APPROVED);
      preserve(status, oldStatus, DENIED);
      populateTimestamps(status, oldStatus);
      obj.set("status", status);
    }
  }

  private static void copyField(ObjectNode from, ObjectNode to, String field) {
    if (from.has(field)) to.set(field, from.get(field).deepCopy());
    else to.remove(field);
  }

  private static void preserve(ObjectNode status, ObjectNode oldStatus, String type) {
    List<Integer> oldIdx = indices(oldStatus, type);
    List<Integer> newIdx = indices(status, type);
    if (oldIdx.size() != newIdx.size()) return;
    ArrayNode conds = (ArrayNode) status.get("conditions");
    for (int i = 0; i < oldIdx.size(); i++) conds.set(newIdx.get(i), oldStatus.get("conditions").get(oldIdx.get(i)).deepCopy());
  }

  private static List<Integer> indices(JsonNode status, String type) {
    List<Integer> out = new ArrayList<>();
    JsonNode conds = status.path("conditions");
    for (int i = 0; i < conds.size(); i++) if (conds.get(i).path("type").asText().equals(type)) out.add(i);
    return out;
  }

  /** lastUpdateTime defaults to now; lastTransitionTime to the stored one of the same type and status, else now. */
  private static void populateTimestamps(ObjectNode status, ObjectNode oldStatus) {
    String now = Meta.now();
    for (JsonNode c : status.path("conditions")) {
      if (!(c instanceof ObjectNode cond)) continue;
      if (cond.path("lastUpdateTime").asText("").isEmpty()) cond.put("lastUpdateTime", now);
      if (cond.path("lastTransitionTime").asText("").isEmpty()) {
        String t = now;
        for (JsonNode o : oldStatus.path("conditions")) {
          if (o.path("type").asText().equals(cond.path("type").asText())
              && o.path("status").asText().equals(cond.path("status").asText())
              && !o.path("lastTransitionTime").asText("").isEmpty()) {
            t = o.path("lastTransitionTime").asText();
            break;
          }
        }
        cond.put("lastTransitionTime", t);
      }
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    validate(obj, Options.of(obj, null), errors);
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validateUpdate(type, "", obj, old, errors);
  }

  @Override
  public void validateUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      List<FieldError> errors) {
    Options opts = Options.of(obj, old);
    boolean approval = subresource.equals("approval");
    boolean status = subresource.equals("status");
    validate(obj, opts, errors);
    for (String t : List.of(APPROVED, DENIED, FAILED)) {
      if (conditions(obj, t).size() < conditions(old, t).size()) {
        errors.add(Errors.forbidden("status.conditions", "updates may not remove a condition of type \"" + t + "\""));
      }
    }
    if (!approval) {
      for (String t : List.of(APPROVED, DENIED)) {
        List<JsonNode> before = conditions(old, t);
        List<JsonNode> after = conditions(obj, t);
        if (after.size() > before.size()) {
          errors.add(Errors.forbidden("status.conditions", "updates may not add a condition of type \"" + t + "\""));
        } else if (after.size() == before.size() && !after.equals(before)) {
          errors.add(Errors.forbidden("status.conditions", "updates may not modify a condition of type \"" + t + "\""));
        }
      }
    }
    String cert = Trees.str(obj.get("status"), "certificate");
    String oldCert = Trees.str(old.get("status"), "certificate");
    if (!cert.equals(oldCert)) {
      if (!status) {
        errors.add(Errors.forbidden("status.certificate", "updates may not set certificate content"));
      } else if (!oldCert.isEmpty()) {
        errors.add(Errors.forbidden("status.certificate", "updates may not modify existing certificate content"));
      } else if (conditions(obj, APPROVED).isEmpty() || !conditions(obj, FAILED).isEmpty()) {
        // Planet's addition: signers only issue for approved requests, so nothing else may carry a certificate
        errors.add(Errors.forbidden("status.certificate",
            "a certificate may only be set on a request with an Approved and no Failed condition"));
      }
    }
  }

  /** The compatibility allowances upstream derives from the stored object (getValidationOptions). */
  private record Options(boolean bothApprovedAndDenied, boolean legacySigner, boolean duplicateConditionTypes,
      boolean emptyConditionType, boolean arbitraryCertificate, boolean unknownUsages, boolean duplicateUsages) {
    static Options of(ObjectNode obj, ObjectNode old) {
      if (old == null) return new Options(false, false, false, false, false, false, false);
      String cert = Trees.str(old.get("status"), "certificate");
      boolean sameCert = cert.equals(Trees.str(obj.get("status"), "certificate"));
      return new Options(!conditions(old, APPROVED).isEmpty() && !conditions(old, DENIED).isEmpty(),
          Trees.str(old.get("spec"), "signerName").equals(LEGACY_UNKNOWN),
          hasDuplicateTypes(old), hasEmptyType(old),
          sameCert || (!cert.isEmpty() && Pkcs10.certificateError(decode(cert)) != null),
          usages(old).stream().anyMatch(u -> !USAGES.contains(u)),
          new HashSet<>(usages(old)).size() != usages(old).size());
    }
  }

  private static void validate(ObjectNode obj, Options opts, List<FieldError> errors) {
    JsonNode spec = obj.path("spec");
    String request = Trees.str(spec, "request");
    byte[] requestBytes = decode(request);
    try {
      Pkcs10.verify(requestBytes);
    } catch (IllegalArgumentException e) {
      errors.add(Errors.invalidRendered("spec.request", goBytes(requestBytes), e.getMessage()));
    }
    List<String> usages = usages(obj);
    if (usages.isEmpty()) errors.add(Errors.required("spec.usages"));
    if (!opts.unknownUsages()) {
      for (int i = 0; i < usages.size(); i++) {
        if (!USAGES.contains(usages.get(i))) errors.add(Errors.notSupported("spec.usages[" + i + "]", usages.get(i), USAGES));
      }
    }
    if (!opts.duplicateUsages()) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < usages.size(); i++) {
        if (!seen.add(usages.get(i))) errors.add(Errors.duplicate("spec.usages[" + i + "]", usages.get(i)));
      }
    }
    String signer = Trees.str(spec, "signerName");
    if (!opts.legacySigner() && signer.equals(LEGACY_UNKNOWN)) {
      errors.add(Errors.invalid("spec.signerName", signer, "the legacy signerName is not allowed via this API version"));
    } else {
      errors.addAll(signerName("spec.signerName", signer));
    }
    if (spec.hasNonNull("expirationSeconds") && spec.get("expirationSeconds").asLong() < 600) {
      errors.add(Errors.invalid("spec.expirationSeconds", spec.get("expirationSeconds").asLong(),
          "may not specify a duration less than 600 seconds (10 minutes)"));
    }
    validateConditions(obj, opts, errors);
    if (!opts.arbitraryCertificate()) {
      String cert = Trees.str(obj.get("status"), "certificate");
      if (!cert.isEmpty()) {
        String err = Pkcs10.certificateError(decode(cert));
        if (err != null) errors.add(Errors.invalid("status.certificate", "<certificate data>", err));
      }
    }
  }

  private static final Set<String> TRUE_ONLY = Set.of(APPROVED, DENIED, FAILED);

  private static void validateConditions(ObjectNode obj, Options opts, List<FieldError> errors) {
    JsonNode conds = obj.path("status").path("conditions");
    Set<String> seen = new HashSet<>();
    boolean approved = false;
    boolean denied = false;
    for (int i = 0; i < conds.size(); i++) {
      String p = "status.conditions[" + i + "]";
      String t = conds.get(i).path("type").asText("");
      String s = conds.get(i).path("status").asText("");
      if (!opts.emptyConditionType() && t.isEmpty()) errors.add(Errors.required(p + ".type"));
      List<String> allowed = TRUE_ONLY.contains(t) ? List.of("True") : List.of("False", "True", "Unknown");
      if (s.isEmpty()) errors.add(Errors.required(p + ".status"));
      else if (!allowed.contains(s)) errors.add(Errors.notSupported(p + ".status", s, allowed));
      if (!opts.bothApprovedAndDenied()) {
        if (t.equals(APPROVED)) {
          approved = true;
          if (denied) errors.add(Errors.invalid(p + ".type", t, "Approved and Denied conditions are mutually exclusive"));
        } else if (t.equals(DENIED)) {
          denied = true;
          if (approved) errors.add(Errors.invalid(p + ".type", t, "Approved and Denied conditions are mutually exclusive"));
        }
      }
      if (!opts.duplicateConditionTypes() && !seen.add(t)) errors.add(Errors.duplicate(p + ".type", t));
    }
  }

  /** Upstream's ValidateSignerName: {@code <domain>/<path>}, DNS labels in the domain, subdomains in the path. */
  public static List<FieldError> signerName(String field, String signer) {
    List<FieldError> el = new ArrayList<>();
    if (signer.isEmpty()) {
      el.add(Errors.required(field));
      return el;
    }
    String[] segments = signer.split("/", -1);
    if (segments.length != 2) {
      el.add(Errors.invalid(field, signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
      return el;
    }
    if (segments[0].length() > 253) el.add(Errors.tooLong(field, 253));
    String[] domainLabels = segments[0].split("\\.", -1);
    for (String lbl : domainLabels) {
      List<String> errs = Names.dns1123Label(lbl);
      if (!errs.isEmpty()) {
        for (String e : errs) el.add(Errors.invalid(field, segments[0], "validating label \"" + lbl + "\": " + e));
        break;
      }
    }
    if (domainLabels.length < 2) {
      el.add(Errors.invalid(field, segments[0], "should be a domain with at least two segments separated by dots"));
    }
    for (String lbl : segments[1].split("\\.", -1)) {
      List<String> errs = Names.dns1123Subdomain(lbl);
      if (!errs.isEmpty()) {
        for (String e : errs) el.add(Errors.invalid(field, segments[1], "validating label \"" + lbl + "\": " + e));
        break;
      }
    }
    int max = 253 + 253 + 63 + 1 + 1;
    if (signer.length() > max) el.add(Errors.tooLong(field, max));
    return el;
  }

  static List<JsonNode> conditions(JsonNode obj, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : obj.path("status").path("conditions")) if (c.path("type").asText().equals(type)) out.add(c);
    return out;
  }

  private static boolean hasDuplicateTypes(JsonNode obj) {
    Set<String> seen = new HashSet<>();
    for (JsonNode c : obj.path("status").path("conditions")) if (!seen.add(c.path("type").asText(""))) return true;
    return false;
  }

  private static boolean hasEmptyType(JsonNode obj) {
    for (JsonNode c : obj.path("status").path("conditions")) if (c.path("type").asText("").isEmpty()) return true;
    return false;
  }

  private static List<String> usages(JsonNode obj) {
    List<String> out = new ArrayList<>();
    for (JsonNode u : obj.path("spec").path("usages")) out.add(u.asText());
    return out;
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  /** Go's {@code %#v} of a byte slice, as field.Invalid renders spec.request. */
  static String goBytes(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 6 + 8).append("[]byte{");
    for (int i = 0; i < b.length; i++) {
      if (i > 0) s.append(", ");
      s.append("0x").append(Integer.toHexString(b[i] & 0xff));
    }
    return s.append('}').toString();
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("spec.signerName", Trees.str(obj.get("spec"), "signerName"));
  }
}
