package io.planet.api.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServerSideApplyTest {
  private static final Schema SCHEMA = MiniSchemas.deployment();
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2024-05-01T11:00:00Z");
  private static final Instant T2 = Instant.parse("2024-05-01T12:00:00Z");

  private static ObjectNode json(String s) {
    return (ObjectNode) Json.parse(s.replace('\'', '"'));
  }

  /** An applied configuration of the mini Deployment. */
  private static ObjectNode config(String labels, int replicas, String containers) {
    return json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'default','labels':{"
        + labels + "}},'spec':{'replicas':" + replicas + ",'selector':{'matchLabels':{'app':'web'}},"
        + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[" + containers + "]}}}}");
  }

  private static final String NGINX = "{'name':'c1','image':'nginx:1'}";

  private static ObjectNode apply(ObjectNode live, ObjectNode cfg, String manager, boolean force, Instant now) {
    return ServerSideApply.apply(live, cfg, manager, force, SCHEMA, "apps/v1", now);
  }

  /** What the server stores: the result plus server-set metadata. */
  private static ObjectNode stored(ObjectNode obj) {
    obj.with("metadata").put("uid", "u1").put("resourceVersion", "1");
    return obj;
  }

  private static JsonNode entry(JsonNode obj, String manager) {
    for (JsonNode e : obj.path("metadata").path("managedFields")) {
      if (e.get("manager").asText().equals(manager)) return e;
    }
    return null;
  }

  @Test
  void applyCreatesTheObjectAndRecordsTheAppliedFields() {
    ObjectNode created = apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0);

    assertThat(created.get("spec").get("replicas").asInt()).isEqualTo(2);
    assertThat(created.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1");
    assertThat(created.path("metadata").path("managedFields")).hasSize(1);
    assertThat(entry(created, "kubectl")).isEqualTo(json("{'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
        + "'f:metadata':{'f:labels':{'f:app':{}}},"
        + "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},"
        + "'f:spec':{'f:containers':{'k:{\\'name\\':\\'c1\\'}':{'.':{},'f:image':{},'f:name':{}}}}}}}}"));
  }

  @Test
  void reapplyingWithoutAFieldRemovesIt() {
    ObjectNode live = stored(apply(null, config("'app':'web','tier':'fe'", 2,
        NGINX + ",{'name':'sidecar','image':'envoy'}"), "kubectl", false, T0));

    ObjectNode next = apply(live, config("'app':'web'", 2, NGINX), "kubectl", false, T1);

    assertThat(next.at("/metadata/labels").has("tier")).isFalse();
    assertThat(next.at("/spec/template/spec/containers")).hasSize(1);
    assertThat(next.at("/metadata/uid").asText()).isEqualTo("u1");
    assertThat(entry(next, "kubectl").at("/fieldsV1/f:metadata/f:labels").has("f:tier")).isFalse();
    assertThat(entry(next, "kubectl").get("time").asText()).isEqualTo("2024-05-01T11:00:00Z");
  }

  @Test
  void fieldsOtherManagersSetSurviveARemovalAndMergeByKey() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    // Another client adds a container and a label with a non-apply write.
    ObjectNode edited = live.deepCopy();
    edited.with("metadata").with("labels").put("team", "a");
    ((com.fasterxml.jackson.databind.node.ArrayNode) edited.at("/spec/template/spec/containers"))
        .add(json("{'name':'debug','image':'busybox'}"));
    ManagedFields.recordUpdate(live, edited, "kubectl-edit", "apps/v1", "", SCHEMA, T1);

    ObjectNode next = apply(edited, config("'app':'web'", 2, "{'name':'c1','image':'nginx:2'}"), "kubectl", false, T2);

    assertThat(next.at("/metadata/labels/team").asText()).isEqualTo("a");
    assertThat(next.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:2");
    assertThat(next.at("/spec/template/spec/containers/1/name").asText()).isEqualTo("debug");
    assertThat(entry(next, "kubectl-edit")).isNotNull();
  }

  @Test
  void changingAFieldAnUpdaterOwnsIsAConflict() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 5);
    ManagedFields.recordUpdate(live, scaled, "kubectl-client-side-apply", "apps/v1", "", SCHEMA, T1);

    ApiException e = catchThrowableOfType(
        () -> apply(scaled, config("'app':'web'", 3, NGINX), "kubectl", false, T2), ApiException.class);

    assertThat(e.code()).isEqualTo(409);
    assertThat(e.reason()).isEqualTo("Conflict");
    assertThat(e.getMessage()).isEqualTo(
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
    assertThat(e.details()).isEqualTo(json("{'causes':[{'reason':'FieldManagerConflict',"
        + "'message':'conflict with \\'kubectl-client-side-apply\\' using apps/v1','field':'.spec.replicas'}]}"));
    assertThat(e.toStatus().get("code").asInt()).isEqualTo(409);

    // Applying the live value is not a conflict: both own it.
    ObjectNode shared = apply(scaled, config("'app':'web'", 5, NGINX), "kubectl", false, T2);
    assertThat(entry(shared, "kubectl").at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
    assertThat(entry(shared, "kubectl-client-side-apply").at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
  }

  @Test
  void scaleSubresourceConflictNamesTheSubresource() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 5);
    ManagedFields.recordUpdate(live, scaled, "kubectl", "apps/v1", "scale", SCHEMA, T1);

    ApiException e = catchThrowableOfType(
        () -> apply(scaled, config("'app':'web'", 3, NGINX), "kubectl", false, T2), ApiException.class);
    assertThat(e.getMessage()).isEqualTo(
        "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas");
  }

  @Test
  void forceTakesOwnershipFromTheOthers() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 5);
    ManagedFields.recordUpdate(live, scaled, "hpa", "apps/v1", "", SCHEMA, T1);
    assertThat(entry(scaled, "hpa")).isNotNull();

    ObjectNode forced = apply(scaled, config("'app':'web'", 3, NGINX), "kubectl", true, T2);

    assertThat(forced.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(entry(forced, "hpa")).isNull();
    assertThat(entry(forced, "kubectl").at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
  }

  @Test
  void twoAppliersShareAFieldUntilBothDropIt() {
    ObjectNode a = stored(apply(null, config("'app':'web','shared':'x'", 2, NGINX), "alpha", false, T0));
    ObjectNode cfgB = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'default',"
        + "'labels':{'shared':'x','b':'1'}}}");
    ObjectNode ab = apply(a, cfgB, "beta", false, T1);
    assertThat(entry(ab, "beta").at("/fieldsV1/f:metadata/f:labels").has("f:shared")).isTrue();
    assertThat(entry(ab, "alpha").at("/fieldsV1/f:metadata/f:labels").has("f:shared")).isTrue();

    // A different value for a field another applier owns conflicts; the applier is named without a version.
    ObjectNode cfgBad = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','labels':{'shared':'y','b':'1'}}}");
    ApiException e = catchThrowableOfType(() -> apply(ab, cfgBad, "beta", false, T2), ApiException.class);
    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"alpha\": .metadata.labels.shared");

    // alpha stops applying the label: beta still owns it, so it stays.
    ObjectNode alphaDrops = apply(ab, config("'app':'web'", 2, NGINX), "alpha", false, T2);
    assertThat(alphaDrops.at("/metadata/labels/shared").asText()).isEqualTo("x");
    // beta stops too: now nobody owns it and it is removed.
    ObjectNode cfgB2 = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','labels':{'b':'1'}}}");
    ObjectNode bothDrop = apply(alphaDrops, cfgB2, "beta", false, T2);
    assertThat(bothDrop.at("/metadata/labels").has("shared")).isFalse();
    assertThat(bothDrop.at("/metadata/labels/app").asText()).isEqualTo("web");
  }

  @Test
  void multipleConflictsAreListedPerManager() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    ObjectNode edited = live.deepCopy();
    ((ObjectNode) edited.get("spec")).put("replicas", 5);
    edited.with("metadata").with("labels").put("app", "other");
    ManagedFields.recordUpdate(live, edited, "editor", "apps/v1", "", SCHEMA, T1);

    ApiException e = catchThrowableOfType(
        () -> apply(edited, config("'app':'web'", 2, NGINX), "kubectl", false, T2), ApiException.class);
    assertThat(e.getMessage()).isEqualTo("Apply failed with 2 conflicts: conflicts with \"editor\" using apps/v1:\n"
        + "- .metadata.labels.app\n- .spec.replicas");
    assertThat(e.details().get("causes")).hasSize(2);
  }

  @Test
  void unchangedReapplyKeepsTheTimestamp() {
    ObjectNode live = stored(apply(null, config("'app':'web'", 2, NGINX), "kubectl", false, T0));
    ObjectNode again = apply(live, config("'app':'web'", 2, NGINX), "kubectl", false, T2);
    assertThat(entry(again, "kubectl").get("time").asText()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(again).isEqualTo(live);
  }

  @Test
  void listTypesMergeAsDeclared() {
    ObjectNode cfg = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','finalizers':['a']},"
        + "'spec':{'template':{'spec':{'containers':[{'name':'c1','image':'i','args':['x','y'],"
        + "'ports':[{'containerPort':80}]}]}}}}");
    ObjectNode live = stored(apply(null, cfg, "one", false, T0));
    ObjectNode cfg2 = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','finalizers':['b']},"
        + "'spec':{'template':{'spec':{'containers':[{'name':'c1',"
        + "'ports':[{'containerPort':81,'protocol':'UDP'}]}]}}}}");
    ObjectNode merged = apply(live, cfg2, "two", false, T1);

    assertThat(merged.at("/metadata/finalizers").toString()).isEqualTo("[\"a\",\"b\"]");
    // Ports merge by (containerPort, protocol); protocol defaults to TCP in the key.
    assertThat(merged.at("/spec/template/spec/containers/0/ports")).hasSize(2);
    assertThat(merged.at("/spec/template/spec/containers/0/args").toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(merged.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("i");
    assertThat(entry(live, "one").at("/fieldsV1/f:spec/f:template/f:spec/f:containers")
        .has("k:{\"name\":\"c1\"}")).isTrue();
    assertThat(entry(live, "one").at("/fieldsV1/f:spec/f:template/f:spec/f:containers/k:{\"name\":\"c1\"}/f:ports")
        .has("k:{\"containerPort\":80,\"protocol\":\"TCP\"}")).isTrue();
  }

  @Test
  void atomicListChangeOwnedByAnotherApplierConflicts() {
    ObjectNode cfg = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
        + "'spec':{'template':{'spec':{'containers':[{'name':'c1','image':'i','args':['x']}]}}}}");
    ObjectNode live = stored(apply(null, cfg, "one", false, T0));
    ObjectNode cfg2 = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
        + "'spec':{'template':{'spec':{'containers':[{'name':'c1','args':['z']}]}}}}");
    ApiException e = catchThrowableOfType(() -> apply(live, cfg2, "two", false, T1), ApiException.class);
    assertThat(e.details().at("/causes/0/field").asText()).isEqualTo(".spec.template.spec.containers[name=\"c1\"].args");
    ObjectNode forced = apply(live, cfg2, "two", true, T1);
    assertThat(forced.at("/spec/template/spec/containers/0/args").toString()).isEqualTo("[\"z\"]");
  }

  @Test
  void fieldManagerIsRequired() {
    ApiException e = catchThrowableOfType(() -> ServerSideApply.requireManager(""), ApiException.class);
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.reason()).isEqualTo("Invalid");
    assertThat(e.getMessage()).isEqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
    assertThat(e.details()).isEqualTo(json("{'name':'','group':'meta.k8s.io','kind':'PatchOptions','causes':[{"
        + "'reason':'FieldValueRequired','message':'Required value: is required for apply patch','field':'fieldManager'}]}"));
    ApiException viaApply = catchThrowableOfType(
        () -> apply(null, config("'app':'web'", 1, NGINX), null, false, T0), ApiException.class);
    assertThat(viaApply.code()).isEqualTo(422);
    assertThat(ServerSideApply.managerErrors("x".repeat(129))).hasSize(1);
  }

  @Test
  void rejectsConfigurationsUpstreamRejects() {
    ObjectNode wrongVersion = config("'app':'web'", 1, NGINX).put("apiVersion", "apps/v1beta1");
    ApiException e = catchThrowableOfType(() -> apply(null, wrongVersion, "m", false, T0), ApiException.class);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1");

    ObjectNode withManaged = config("'app':'web'", 1, NGINX);
    withManaged.with("metadata").putArray("managedFields");
    e = catchThrowableOfType(() -> apply(null, withManaged, "m", false, T0), ApiException.class);
    assertThat(e.getMessage()).isEqualTo("metadata.managedFields must be nil");

    ObjectNode noKey = config("'app':'web'", 1, "{'image':'x'}");
    e = catchThrowableOfType(() -> apply(null, noKey, "m", false, T0), ApiException.class);
    assertThat(e.code()).isEqualTo(500);
    assertThat(e.getMessage()).isEqualTo("failed to create typed patch object (default/d; apps/v1, Kind=Deployment): "
        + ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" "
        + "(and doesn't have default value)");

    ObjectNode dup = config("'app':'web'", 1, NGINX + "," + NGINX);
    e = catchThrowableOfType(() -> apply(null, dup, "m", false, T0), ApiException.class);
    assertThat(e.getMessage()).endsWith(".spec.template.spec.containers: duplicate entries for key [name=\"c1\"]");
  }

  @Test
  void kubectlUpgradesFromClientSideApply() {
    // Created with client-side apply: the last-applied annotation and an Update entry of kubectl-client-side-apply.
    ObjectNode obj = config("'app':'web'", 2, NGINX);
    String lastApplied = obj.toString();
    obj.with("metadata").with("annotations").put(ServerSideApply.LAST_APPLIED, lastApplied);
    ManagedFields.recordUpdate(null, obj, "kubectl-client-side-apply", "apps/v1", "", SCHEMA, T0);
    stored(obj);

    ObjectNode next = apply(obj, config("'app':'web'", 3, NGINX), "kubectl", false, T1);

    assertThat(next.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(Json.parse(next.at("/metadata/annotations/" + ServerSideApply.LAST_APPLIED.replace("/", "~1")).asText())
        .at("/spec/replicas").asInt()).isEqualTo(3);
    // Another manager would conflict.
    ApiException e = catchThrowableOfType(() -> apply(obj, config("'app':'web'", 3, NGINX), "other", false, T1), ApiException.class);
    assertThat(e.code()).isEqualTo(409);
  }

  @Test
  void droppingAStructRemovesItWhole() {
    ObjectNode cfg = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
        + "'spec':{'replicas':1,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}");
    ObjectNode live = stored(apply(null, cfg, "m", false, T0));
    ObjectNode cfg2 = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
        + "'spec':{'replicas':1,'strategy':{'type':'Recreate'}}}");
    ObjectNode next = apply(live, cfg2, "m", false, T1);
    assertThat(next.at("/spec/strategy")).isEqualTo(json("{'type':'Recreate'}"));
    assertThat(next.at("/metadata/name").asText()).isEqualTo("d");
  }

  @Test
  void resetFieldsAreNeitherOwnedNorCompared() {
    ObjectNode cfg = config("'app':'web'", 1, NGINX);
    cfg.putObject("status").put("replicas", 7);
    FieldSet reset = FieldSet.of(FieldPath.fields("status"));
    ObjectNode created = ServerSideApply.apply(null, cfg, "m", false, SCHEMA, "apps/v1", T0, "", reset);
    assertThat(entry(created, "m").get("fieldsV1").has("f:status")).isFalse();
  }
}
