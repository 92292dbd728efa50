package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.bound;
import static io.planet.scheduler.Fixtures.pod;
import static io.planet.scheduler.PodTopologySpreadTest.zoned;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream's InterPodAffinity examples on zones a (two nodes) and b (one node). */
class InterPodAffinityTest {
  private static final String ZONE = "topology.kubernetes.io/zone";
  private final ClusterCache cache = new ClusterCache();

  InterPodAffinityTest() {
    cache.addOrUpdateNode(zoned("a1", "zone-a"));
    cache.addOrUpdateNode(zoned("a2", "zone-a"));
    cache.addOrUpdateNode(zoned("b1", "zone-b"));
  }

  private static PodAffinityTerm term(String key, String app) {
    return new PodAffinityTermBuilder().withTopologyKey(key).withNewLabelSelector().addToMatchLabels("app", app)
        .endLabelSelector().build();
  }

  private static PodBuilder labelled(String name, String app) {
    return pod(name, null, null).editMetadata().addToLabels("app", app).endMetadata();
  }

  private Map<String, String> filter(Pod pod) {
    return cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(pod);
      InterPodAffinity.prepare(ctx, s);
      Map<String, String> out = new LinkedHashMap<>();
      for (NodeInfo n : s.nodes()) out.put(n.name(), String.join(",", new InterPodAffinity().filter(ctx, n)));
      return out;
    });
  }

  private Map<String, Long> score(Pod pod) {
    return cache.withSnapshot(s -> {
      PodContext ctx = new PodContext(pod);
      ctx.snapshot = s;
      List<NodeInfo> nodes = s.nodes();
      long[] scores = new InterPodAffinity().score(ctx, nodes);
      Map<String, Long> out = new LinkedHashMap<>();
      for (int i = 0; i < scores.length; i++) out.put(nodes.get(i).name(), scores[i]);
      return out;
    });
  }

  @Test
  void requiredAffinityFollowsTheMatchingPodsZone() {
    cache.addOrUpdatePod(bound(labelled("db", "db").build(), "a1"));
    Pod web = labelled("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "db")).endPodAffinity().endAffinity().endSpec().build();
    assertThat(filter(web)).containsExactly(Map.entry("a1", ""), Map.entry("a2", ""),
        Map.entry("b1", InterPodAffinity.AFFINITY_REASON));
  }

  @Test
  void requiredAffinityWithNoMatchWaitsUnlessThePodMatchesItself() {
    Pod web = labelled("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "db")).endPodAffinity().endAffinity().endSpec().build();
    assertThat(filter(web).values()).containsOnly(InterPodAffinity.AFFINITY_REASON);
    // the first pod of a group that is affine to itself may start anywhere
    Pod first = labelled("db-0", "db").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "db")).endPodAffinity().endAffinity().endSpec().build();
    assertThat(filter(first).values()).containsOnly("");
    cache.addOrUpdateNode(zoned("bare", null));
    assertThat(filter(first)).containsEntry("bare", InterPodAffinity.AFFINITY_REASON);
  }

  @Test
  void requiredAntiAffinityKeepsTheWholeZoneFree() {
    cache.addOrUpdatePod(bound(labelled("db", "db").build(), "a1"));
    Pod web = labelled("web", "web").editSpec().withNewAffinity().withNewPodAntiAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "db")).endPodAntiAffinity().endAffinity().endSpec()
        .build();
    assertThat(filter(web)).containsExactly(Map.entry("a1", InterPodAffinity.REASON), Map.entry("a2", InterPodAffinity.REASON),
        Map.entry("b1", ""));
  }

  @Test
  void existingPodsAntiAffinityInAZoneRepelsTheIncomingPod() {
    Pod loner = labelled("loner", "loner").editSpec().withNewAffinity().withNewPodAntiAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "web")).endPodAntiAffinity().endAffinity().endSpec()
        .build();
    cache.addOrUpdatePod(bound(loner, "b1"));
    assertThat(filter(labelled("web", "web").build())).containsExactly(Map.entry("a1", ""), Map.entry("a2", ""),
        Map.entry("b1", InterPodAffinity.EXISTING_REASON));
    assertThat(filter(labelled("api", "api").build()).values()).containsOnly("");
  }

  @Test
  void namespaceSelectorChoosesNamespacesByTheirLabels() {
    cache.addOrUpdateNamespace("team-x", Map.of("team", "x"));
    cache.addOrUpdateNamespace("team-y", Map.of("team", "y"));
    cache.addOrUpdatePod(bound(labelled("db", "db").editMetadata().withNamespace("team-y").endMetadata().build(), "a1"));
    cache.addOrUpdatePod(bound(labelled("db", "db").editMetadata().withNamespace("team-x").endMetadata().build(), "b1"));
    PodAffinityTerm t = new PodAffinityTermBuilder(term(ZONE, "db")).withNewNamespaceSelector().addToMatchLabels("team", "x")
        .endNamespaceSelector().build();
    Pod web = labelled("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(t).endPodAffinity().endAffinity().endSpec().build();
    assertThat(filter(web)).containsEntry("b1", "").containsEntry("a1", InterPodAffinity.AFFINITY_REASON);
    // without namespaces or a selector, only the pod's own namespace counts: no db in "default"
    Pod own = labelled("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "db")).endPodAffinity().endAffinity().endSpec().build();
    assertThat(filter(own).values()).containsOnly(InterPodAffinity.AFFINITY_REASON);
  }

  @Test
  void preferredAffinityAndAntiAffinityWeighTheZones() {
    cache.addOrUpdatePod(bound(labelled("cache", "cache").build(), "a1"));
    Pod near = labelled("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(80).withPodAffinityTerm(term(ZONE, "cache"))
        .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAffinity().endAffinity().endSpec().build();
    assertThat(score(near)).containsExactly(Map.entry("a1", 100L), Map.entry("a2", 100L), Map.entry("b1", 0L));
    Pod far = labelled("web", "web").editSpec().withNewAffinity().withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(30).withPodAffinityTerm(term(ZONE, "cache"))
        .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
    assertThat(score(far)).containsExactly(Map.entry("a1", 0L), Map.entry("a2", 0L), Map.entry("b1", 100L));
  }

  @Test
  void existingPodsPreferencesAboutTheIncomingPodCount() {
    Pod picky = labelled("picky", "picky").editSpec().withNewAffinity().withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(10).withPodAffinityTerm(term(ZONE, "web"))
        .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
    cache.addOrUpdatePod(bound(picky, "b1"));
    assertThat(score(labelled("web", "web").build())).containsExactly(Map.entry("a1", 100L), Map.entry("a2", 100L),
        Map.entry("b1", 0L));
    // an existing pod's required affinity to the incoming pod attracts it (hardPodAffinityWeight)
    Pod clingy = labelled("clingy", "clingy").editSpec().withNewAffinity().withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(ZONE, "api")).endPodAffinity().endAffinity().endSpec()
        .build();
    cache.addOrUpdatePod(bound(clingy, "a2"));
    assertThat(score(labelled("api", "api").build())).containsExactly(Map.entry("a1", 100L), Map.entry("a2", 100L),
        Map.entry("b1", 0L));
  }
}
