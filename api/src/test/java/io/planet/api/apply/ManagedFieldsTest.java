package io.planet.api.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManagedFieldsTest {
  private static final Schema SCHEMA = MiniSchemas.deployment();
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2024-05-01T11:00:00Z");

  private static ObjectNode json(String s) {
    return (ObjectNode) Json.parse(s.replace('\'', '"'));
  }

  private static ObjectNode deployment() {
    return json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'default',"
        + "'uid':'u1','resourceVersion':'5','creationTimestamp':'2024-05-01T10:00:00Z','labels':{'app':'web'}},"
        + "'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},"
        + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'c1','image':'nginx'}]}}}}");
  }

  private static ObjectNode created() {
    ObjectNode d = deployment();
    ManagedFields.recordUpdate(null, d, "kubectl-create", "apps/v1", "", SCHEMA, T0);
    return d;
  }

  private static JsonNode entries(JsonNode obj) {
    return obj.path("metadata").path("managedFields");
  }

  @Test
  void createAttributesEveryFieldToTheCreator() {
    ObjectNode d = created();
    JsonNode mf = entries(d);
    assertThat(mf).hasSize(1);
    assertThat(mf.get(0)).isEqualTo(json("{'manager':'kubectl-create','operation':'Update','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
        + "'f:metadata':{'f:labels':{'.':{},'f:app':{}}},"
        + "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},"
        + "'f:spec':{'f:containers':{'k:{\\'name\\':\\'c1\\'}':{'.':{},'f:image':{},'f:name':{}}}}}}}}"));
    // Field order of the entry as upstream serializes it.
    assertThat(mf.get(0).fieldNames()).toIterable()
        .containsExactly("manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1");
  }

  @Test
  void updateMovesChangedFieldsToTheUpdater() {
    ObjectNode old = created();
    ObjectNode upd = old.deepCopy();
    ((ObjectNode) upd.get("spec")).put("replicas", 3);
    ManagedFields.recordUpdate(old, upd, "kubectl-edit", "apps/v1", "", SCHEMA, T1);

    JsonNode mf = entries(upd);
    assertThat(mf).hasSize(2);
    assertThat(mf.get(0).get("manager").asText()).isEqualTo("kubectl-create");
    assertThat(mf.get(0).get("fieldsV1").path("f:spec").has("f:replicas")).isFalse();
    assertThat(mf.get(1).get("manager").asText()).isEqualTo("kubectl-edit");
    assertThat(mf.get(1).get("time").asText()).isEqualTo("2024-05-01T11:00:00Z");
    assertThat(mf.get(1).get("fieldsV1")).isEqualTo(json("{'f:spec':{'f:replicas':{}}}"));

    // A second change by the same manager merges into its entry.
    ObjectNode upd2 = upd.deepCopy();
    ((ObjectNode) upd2.with("metadata").with("labels")).put("tier", "fe");
    ManagedFields.recordUpdate(upd, upd2, "kubectl-edit", "apps/v1", "", SCHEMA, T1.plusSeconds(5));
    JsonNode edit = entries(upd2).get(1);
    assertThat(edit.get("fieldsV1")).isEqualTo(json("{'f:metadata':{'f:labels':{'f:tier':{}}},'f:spec':{'f:replicas':{}}}"));
    assertThat(edit.get("time").asText()).isEqualTo("2024-05-01T11:00:05Z");
  }

  @Test
  void removedFieldsLeaveEveryManagerAndEmptyEntriesDisappear() {
    ObjectNode old = created();
    ObjectNode upd = old.deepCopy();
    ((ObjectNode) upd.get("spec")).put("replicas", 2);
    ManagedFields.recordUpdate(old, upd, "scaler", "apps/v1", "", SCHEMA, T1);
    ObjectNode upd2 = upd.deepCopy();
    ((ObjectNode) upd2.get("spec")).remove("replicas");
    ManagedFields.recordUpdate(upd, upd2, "editor", "apps/v1", "", SCHEMA, T1);
    // "scaler" only owned replicas: its entry is gone; "editor" changed nothing that still exists.
    assertThat(entries(upd2)).hasSize(1);
    assertThat(entries(upd2).get(0).get("manager").asText()).isEqualTo("kubectl-create");
  }

  @Test
  void unchangedWriteKeepsEntriesAsTheyWere() {
    ObjectNode old = created();
    ObjectNode same = old.deepCopy();
    ManagedFields.recordUpdate(old, same, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(entries(same)).isEqualTo(entries(old));
  }

  @Test
  void emptyManagedFieldsInTheBodyClearThem() {
    ObjectNode old = created();
    ObjectNode upd = old.deepCopy();
    upd.with("metadata").putArray("managedFields");
    ((ObjectNode) upd.get("spec")).put("replicas", 4);
    ManagedFields.recordUpdate(old, upd, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(upd.path("metadata").has("managedFields")).isFalse();

    // An object without managed fields is not tracked by later updates either.
    ObjectNode upd2 = upd.deepCopy();
    ((ObjectNode) upd2.get("spec")).put("replicas", 5);
    ManagedFields.recordUpdate(upd, upd2, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(upd2.path("metadata").has("managedFields")).isFalse();
  }

  @Test
  void managedFieldsInTheBodyReplaceTheStoredOnesOnlyWhenValid() {
    ObjectNode old = created();
    ObjectNode invalid = old.deepCopy();
    invalid.with("metadata").putArray("managedFields").addObject().put("manager", "x").put("operation", "Bogus");
    ManagedFields.recordUpdate(old, invalid, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(entries(invalid)).isEqualTo(entries(old));

    ObjectNode valid = old.deepCopy();
    valid.with("metadata").putArray("managedFields").addObject().put("manager", "someone").put("operation", "Update")
        .put("apiVersion", "apps/v1").put("fieldsType", "FieldsV1").set("fieldsV1", json("{'f:spec':{'f:replicas':{}}}"));
    ManagedFields.recordUpdate(old, valid, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(entries(valid)).hasSize(1);
    assertThat(entries(valid).get(0).get("manager").asText()).isEqualTo("someone");
  }

  @Test
  void statusWritesAreTrackedUnderTheStatusSubresource() {
    ObjectNode old = created();
    ObjectNode upd = old.deepCopy();
    upd.putObject("status").put("replicas", 1).put("readyReplicas", 1);
    // A status write cannot change managedFields through its body.
    upd.with("metadata").putArray("managedFields");
    ManagedFields.recordUpdate(old, upd, "kube-controller-manager", "apps/v1", "status", SCHEMA, T1);
    JsonNode mf = entries(upd);
    assertThat(mf).hasSize(2);
    assertThat(mf.get(1)).isEqualTo(json("{'manager':'kube-controller-manager','operation':'Update','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T11:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:status':{'.':{},'f:readyReplicas':{},'f:replicas':{}}},"
        + "'subresource':'status'}"));
  }

  @Test
  void metadataBookkeepingFieldsAreNeverOwned() {
    ObjectNode old = created();
    ObjectNode upd = old.deepCopy();
    upd.with("metadata").put("resourceVersion", "9").put("generation", 2).put("uid", "u2");
    ManagedFields.recordUpdate(old, upd, "kubectl-edit", "apps/v1", "", SCHEMA, T1);
    assertThat(entries(upd)).hasSize(1);
  }

  @Test
  void updateManagersAreCappedIntoAncientChanges() {
    ObjectNode cur = created();
    for (int i = 0; i < 11; i++) {
      ObjectNode next = cur.deepCopy();
      next.with("metadata").with("labels").put("l" + i, "v");
      ManagedFields.recordUpdate(cur, next, "mgr-" + i, "apps/v1", "", SCHEMA, T1.plusSeconds(i));
      cur = next;
    }
    JsonNode mf = entries(cur);
    assertThat(mf).hasSize(10);
    assertThat(mf.get(0).get("manager").asText()).isEqualTo("ancient-changes");
    assertThat(mf.get(0).get("fieldsV1").path("f:metadata").path("f:labels").has("f:app")).isTrue();
    assertThat(mf.get(0).get("fieldsV1").path("f:metadata").path("f:labels").has("f:l0")).isTrue();
  }

  @Test
  void defaultManagerIsTheUserAgentPrefix() {
    assertThat(ManagedFields.defaultManager("kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07")).isEqualTo("kubectl");
    assertThat(ManagedFields.defaultManager("Go-http-client/2.0")).isEqualTo("Go-http-client");
    assertThat(ManagedFields.defaultManager("kube-controller-manager/v1.30.0 (linux/amd64) kubernetes/abc/system:serviceaccount:x"))
        .isEqualTo("kube-controller-manager");
    assertThat(ManagedFields.defaultManager("curl")).isEqualTo("curl");
  }

  @Test
  void decodeRejectsInvalidEntries() {
    assertThatThrownBy(() -> ManagedFields.decode(Json.parse("[{\"manager\":\"m\",\"operation\":\"Apply\",\"fieldsType\":\"FieldsV1\"}]")))
        .hasMessage("apiVersion must not be empty");
    assertThatThrownBy(() -> ManagedFields.decode(Json.parse("[{\"manager\":\"m\",\"operation\":\"Apply\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV2\"}]")))
        .hasMessageContaining("invalid fieldsType");
    ManagedFields ok = ManagedFields.decode(Json.parse("[{\"manager\":\"m\",\"operation\":\"Apply\",\"apiVersion\":\"v1\","
        + "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:a\":{}}}]"));
    assertThat(ok.entries()).hasSize(1);
    assertThat(ok.encode().get(0).get("fieldsV1").toString()).isEqualTo("{\"f:a\":{}}");
  }
}
