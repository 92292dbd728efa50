package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatefulSetClaimsTest {
  private static final OwnerReference SET = ref("StatefulSet", "web", "set-uid", true);
  private static final OwnerReference POD = ref("Pod", "web-2", "pod-uid", true);

  private static OwnerReference ref(String kind, String name, String uid, boolean controller) {
    return new OwnerReferenceBuilder().withKind(kind).withName(name).withUid(uid).withController(controller).build();
  }

  private static StatefulSetPersistentVolumeClaimRetentionPolicy policy(String whenDeleted, String whenScaled) {
    return new StatefulSetPersistentVolumeClaimRetentionPolicy(whenDeleted, whenScaled);
  }

  private static List<String> uids(List<OwnerReference> refs) {
    return refs.stream().map(OwnerReference::getUid).toList();
  }

  @Test
  void thePolicyDecidesBetweenNoOwnerTheSetAndThePod() {
    assertThat(StatefulSetClaims.ownerRefs(List.of(SET), policy("Retain", "Retain"), SET, POD, false)).isEmpty();
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(), policy("Delete", "Retain"), SET, POD, true))).containsExactly("set-uid");
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(), policy("Retain", "Delete"), SET, POD, false))).isEmpty();
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(), policy("Retain", "Delete"), SET, POD, true))).containsExactly("pod-uid");
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(SET), policy("Delete", "Delete"), SET, POD, true))).containsExactly("pod-uid");
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(POD), policy("Delete", "Delete"), SET, POD, false))).containsExactly("set-uid");
    // no pod yet (creation): only the set can own it
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(), policy("Delete", "Delete"), SET, null, false))).containsExactly("set-uid");
  }

  @Test
  void otherOwnersStayAndAnotherControllerKeepsTheClaim() {
    OwnerReference other = ref("ConfigMap", "x", "other", false);
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(other), policy("Delete", "Retain"), SET, POD, false)))
        .containsExactly("other", "set-uid");
    OwnerReference controller = ref("Foo", "x", "foo", true);
    assertThat(uids(StatefulSetClaims.ownerRefs(List.of(controller, SET), policy("Delete", "Retain"), SET, POD, false)))
        .containsExactly("foo");
  }

  @Test
  void aStaleRefFromAnEarlierSetOfTheSameNameLeavesTheClaimAlone() {
    List<OwnerReference> stale = List.of(ref("StatefulSet", "web", "old-uid", true));
    assertThat(StatefulSetClaims.ownerRefs(stale, policy("Retain", "Retain"), SET, POD, false)).isEqualTo(stale);
  }
}
