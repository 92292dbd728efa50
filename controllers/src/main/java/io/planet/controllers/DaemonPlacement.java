package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which nodes a DaemonSet's pod belongs on (upstream's daemon NodeShouldRunDaemonPod) and the pod spec it gets there:
 * the default DaemonSet tolerations and a required node affinity for exactly that node.
 */
final class DaemonPlacement {
  /** Whether a new pod should go to the node, and whether a pod already there may stay. */
  record Verdict(boolean shouldRun, boolean shouldContinueRunning) {}

  private DaemonPlacement() {}

  /** Upstream's AddOrUpdateDaemonPodTolerations: node conditions and cordoning never keep a daemon pod off a node. */
  static List<Toleration> withDefaultTolerations(List<Toleration> own) {
    List<Toleration> out = new ArrayList<>(own == null ? List.of() : own);
    add(out, "node.kubernetes.io/not-ready", "NoExecute");
    add(out, "node.kubernetes.io/unreachable", "NoExecute");
    add(out, "node.kubernetes.io/disk-pressure", "NoSchedule");
    add(out, "node.kubernetes.io/memory-pressure", "NoSchedule");
    add(out, "node.kubernetes.io/pid-pressure", "NoSchedule");
    add(out, "node.kubernetes.io/unschedulable", "NoSchedule");
    return out;
  }

  private static void add(List<Toleration> list, String key, String effect) {
    list.removeIf(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
    list.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build());
  }

  static Verdict verdict(PodSpec template, Node node) {
    if (!nodeSelectorMatches(template.getNodeSelector(), node) || !requiredAffinityMatches(template.getAffinity(), node)) {
      return new Verdict(false, false);
    }
    List<Toleration> tolerations = withDefaultTolerations(template.getTolerations());
    boolean run = true;
    boolean stay = true;
    for (Taint taint : NodeTaints.of(node)) {
      boolean tolerated = tolerations.stream().anyMatch(t -> NodeTaints.tolerates(t, taint));
      if (tolerated) continue;
      if ("NoExecute".equals(taint.getEffect())) {
        run = false;
        stay = false;
      } else if ("NoSchedule".equals(taint.getEffect())) {
        run = false;
      }
    }
    return new Verdict(run, stay);
  }

  private static boolean nodeSelectorMatches(Map<String, String> selector, Node node) {
    if (selector == null || selector.isEmpty()) return true;
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static boolean requiredAffinityMatches(Affinity affinity, Node node) {
    NodeSelector required = affinity == null || affinity.getNodeAffinity() == null ? null
        : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null) return true;
    // terms are ORed; an empty term matches nothing
    return required.getNodeSelectorTerms().stream().anyMatch(t -> termMatches(t, node));
  }

  private static boolean termMatches(NodeSelectorTerm term, Node node) {
    return io.planet.client.scheduling.NodeSelectorTerms.matches(term, node.getMetadata().getLabels(), node.getMetadata().getName());
  }





  /**
   * Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes exactly
   * {@code metadata.name In [node]}; preferred terms and the other kinds of affinity are kept.
   */
  static Affinity pinnedTo(Affinity own, String nodeName) {
    NodeSelectorTerm term = new NodeSelectorTermBuilder().withMatchFields(new NodeSelectorRequirementBuilder()
        .withKey("metadata.name").withOperator("In").withValues(nodeName).build()).build();
    Affinity a = new Affinity();
    NodeAffinity na = new NodeAffinity();
    if (own != null) {
      a.setPodAffinity(own.getPodAffinity());
      a.setPodAntiAffinity(own.getPodAntiAffinity());
      if (own.getNodeAffinity() != null) {
        na.setPreferredDuringSchedulingIgnoredDuringExecution(own.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution());
      }
    }
    na.setRequiredDuringSchedulingIgnoredDuringExecution(new NodeSelector(List.of(term)));
    a.setNodeAffinity(na);
    return a;
  }

  /** The node a pod is meant for: its nodeName, or the node its pinned affinity names before it is bound. */
  static String targetNode(Pod pod) {
    if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) return pod.getSpec().getNodeName();
    Affinity a = pod.getSpec().getAffinity();
    if (a == null || a.getNodeAffinity() == null || a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) return null;
    List<NodeSelectorTerm> terms = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    if (terms == null || terms.size() != 1 || terms.get(0).getMatchFields() == null) return null;
    for (NodeSelectorRequirement r : terms.get(0).getMatchFields()) {
      if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null && r.getValues().size() == 1) {
        return r.getValues().get(0);
      }
    }
    return null;
  }
}
