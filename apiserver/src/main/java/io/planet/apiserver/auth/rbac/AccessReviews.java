package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.handlers.ResourcePath;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The authorization.k8s.io/v1 reviews: SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview
 * (answer: may this user do that?) and SelfSubjectRulesReview (what may I do in this namespace?). Create-only,
 * nothing stored; the answer is the posted object with its status filled in, as upstream's REST storage does.
 */
public final class AccessReviews {
  public static final String GROUP = "authorization.k8s.io";
  private static final Map<String, String> KINDS = Map.of(
      "subjectaccessreviews", "SubjectAccessReview",
      "localsubjectaccessreviews", "LocalSubjectAccessReview",
      "selfsubjectaccessreviews", "SelfSubjectAccessReview",
      "selfsubjectrulesreviews", "SelfSubjectRulesReview");

  /** Served with the single verb create, as upstream lists them in discovery. */
  private static final ResourceStrategy CREATE_ONLY = new ResourceStrategy() {
    @Override
    public List<String> verbs(ResourceType type) {
      return List.of("create");
    }
  };

  private final Authorizer authorizer;
  private final PolicyIndex policy;
  private final boolean allowAll;
  private final Function<ApiRequest, ObjectNode> decoder;

  /**
   * @param policy the RBAC policy for rules reviews, or null when RBAC is off
   * @param allowAll the chain contains AlwaysAllow, whose rules are "everything"
   * @param decoder decodes a request body (JSON, YAML or protobuf)
   */
  public AccessReviews(Authorizer authorizer, PolicyIndex policy, boolean allowAll, Function<ApiRequest, ObjectNode> decoder) {
    this.authorizer = authorizer;
    this.policy = policy;
    this.allowAll = allowAll;
    this.decoder = decoder;
  }

  /** Adds the four review resources to the registry, so discovery (kubectl api-resources) lists them. */
  public static void register(ResourceRegistry registry) {
    for (String plural : List.of("localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews",
        "subjectaccessreviews")) {
      String kind = KINDS.get(plural);
      registry.add(new ResourceType(GROUP, "v1", kind, plural, kind.toLowerCase(), plural.startsWith("local"),
          List.of(), List.of(), Set.of(), GROUP + "/" + plural, "v1", CREATE_ONLY, null));
    }
  }

  public static boolean serves(ResourcePath p) {
    return p.group().equals(GROUP) && p.version().equals("v1") && KINDS.containsKey(p.resource());
  }

  public void handle(ApiRequest req, ResourcePath p) {
    String kind = KINDS.get(p.resource());
    boolean local = p.resource().equals("localsubjectaccessreviews");
    if (!p.name().isEmpty() || !p.subresource().isEmpty() || local == p.namespace().isEmpty()) {
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    if (!req.method().equals("POST")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    ObjectNode review = decoder.apply(req);
    checkKind(review, kind);
    ObjectNode out = switch (p.resource()) {
      case "subjectaccessreviews" -> accessReview(review, kind, subjectOf(review, kind), "");
      case "localsubjectaccessreviews" -> accessReview(review, kind, subjectOf(review, kind), p.namespace());
      case "selfsubjectaccessreviews" -> accessReview(review, kind, req.user(), "");
      default -> rulesReview(review, req.user());
    };
    Responses.json(req, 201, out);
  }

  private static void checkKind(ObjectNode obj, String kind) {
    String k = Json.str(obj, "kind");
    String av = Json.str(obj, "apiVersion");
    if (!k.isEmpty() && !k.equals(kind)) {
      throw ApiException.badRequest("the object provided is unrecognized (must be of type " + kind + "): kind " + k
          + " does not match the expected kind " + kind);
    }
    if (!av.isEmpty() && !av.equals(GROUP + "/v1")) {
      throw ApiException.badRequest("the API version in the data (" + av + ") does not match the expected API version ("
          + GROUP + "/v1)");
    }
  }

  /** The user a (Local)SubjectAccessReview asks about: spec.user, spec.groups, spec.uid, spec.extra. */
  private static UserInfo subjectOf(ObjectNode review, String kind) {
    JsonNode spec = review.path("spec");
    List<String> groups = new ArrayList<>();
    for (JsonNode g : spec.path("groups")) groups.add(g.asText());
    Map<String, List<String>> extra = new java.util.LinkedHashMap<>();
    spec.path("extra").fields().forEachRemaining(e -> {
      List<String> vs = new ArrayList<>();
      for (JsonNode v : e.getValue()) vs.add(v.asText());
      extra.put(e.getKey(), vs);
    });
    String user = spec.path("user").asText("");
    if (user.isEmpty() && groups.isEmpty()) {
      throw ApiException.invalid(GROUP, kind, "", List.of(FieldError.invalid("spec.user", "",
          "at least one of user or group must be specified")));
    }
    return new UserInfo(user, spec.path("uid").asText(""), groups, extra);
  }

  private ObjectNode accessReview(ObjectNode review, String kind, UserInfo user, String localNamespace) {
    JsonNode spec = review.path("spec");
    JsonNode ra = spec.get("resourceAttributes");
    JsonNode nra = spec.get("nonResourceAttributes");
    boolean hasRa = ra != null && ra.isObject();
    boolean hasNra = nra != null && nra.isObject();
    if (!localNamespace.isEmpty() && hasNra) {
      throw ApiException.invalid(GROUP, kind, "", List.of(FieldError.invalid("spec.nonResourceAttributes",
          nra.toString(), "disallowed on this kind of request")));
    }
    if (hasRa == hasNra) {
      throw ApiException.invalid(GROUP, kind, "", List.of(FieldError.invalid("spec.resourceAttributes",
          hasRa ? ra.toString() : "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified")));
    }
    AuthorizationAttributes a;
    if (hasRa) {
      String ns = ra.path("namespace").asText("");
      if (!localNamespace.isEmpty()) {
        if (ns.isEmpty()) ns = localNamespace;
        else if (!ns.equals(localNamespace)) {
          throw ApiException.badRequest("spec.resourceAttributes.namespace must match namespace: " + localNamespace);
        }
      }
      a = AuthorizationAttributes.resource(user, ra.path("verb").asText(""), ra.path("group").asText(""),
          ra.path("version").asText(""), ra.path("resource").asText(""), ra.path("subresource").asText(""), ns,
          ra.path("name").asText(""))
          // 1.32's resourceAttributes.fieldSelector (the Node authorizer decides pod lists on it)
          .withFieldSelector(ra.path("fieldSelector").path("rawSelector").asText(""));
    } else {
      a = AuthorizationAttributes.nonResource(user, nra.path("verb").asText(""), nra.path("path").asText(""));
    }
    AuthorizationDecision d = authorizer.authorize(a);
    ObjectNode out = shell(review, kind);
    ObjectNode status = out.putObject("status");
    status.put("allowed", d.allowed());
    if (d.kind() == AuthorizationDecision.Kind.DENY) status.put("denied", true);
    if (!d.reason().isEmpty()) status.put("reason", d.reason());
    return out;
  }

  /** The rules the user has in spec.namespace (upstream's SelfSubjectRulesReview; RBAC is the only rule resolver). */
  private ObjectNode rulesReview(ObjectNode review, UserInfo user) {
    String namespace = review.path("spec").path("namespace").asText("");
    if (namespace.isEmpty()) throw ApiException.badRequest("no namespace on request");
    ObjectNode out = shell(review, "SelfSubjectRulesReview");
    ObjectNode status = out.putObject("status");
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    List<PolicyRule> rules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    if (allowAll) rules.add(new PolicyRule(List.of("*"), List.of("*"), List.of("*"), List.of(), List.of("*")));
    if (policy != null) {
      PolicyIndex.Rules r = policy.rulesFor(user, namespace);
      rules.addAll(r.rules());
      errors.addAll(r.errors());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (PolicyRule rule : rules) {
      if (!seen.add(rule.toString())) continue;
      if (!rule.resources().isEmpty()) {
        ObjectNode o = resourceRules.addObject();
        array(o, "verbs", rule.verbs());
        array(o, "apiGroups", rule.apiGroups());
        array(o, "resources", rule.resources());
        if (!rule.resourceNames().isEmpty()) array(o, "resourceNames", rule.resourceNames());
      }
      if (!rule.nonResourceURLs().isEmpty()) {
        ObjectNode o = nonResourceRules.addObject();
        array(o, "verbs", rule.verbs());
        array(o, "nonResourceURLs", rule.nonResourceURLs());
      }
    }
    status.put("incomplete", !errors.isEmpty());
    if (!errors.isEmpty()) status.put("evaluationError", RbacAuthorizer.aggregate(errors));
    return out;
  }

  private static void array(ObjectNode o, String field, List<String> values) {
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  /** The answer's envelope: kind, apiVersion, metadata and the spec as posted. */
  private static ObjectNode shell(ObjectNode review, String kind) {
    ObjectNode out = Json.object();
    out.put("kind", kind);
    out.put("apiVersion", GROUP + "/v1");
    ObjectNode meta = review.path("metadata").isObject() ? ((ObjectNode) review.get("metadata")).deepCopy() : Json.object();
    if (!meta.has("creationTimestamp")) meta.putNull("creationTimestamp");
    out.set("metadata", meta);
    out.set("spec", review.path("spec").isObject() ? review.get("spec").deepCopy() : Json.object());
    return out;
  }
}
