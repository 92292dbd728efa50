package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** The completion indexes of an Indexed job's pods and upstream's compressed form ("1,3-5,7") for status. */
final class CompletionIndexes {
  static final String KEY = "batch.kubernetes.io/job-completion-index";
  /** How many pods of the index had failed when this one was created (backoffLimitPerIndex). */
  static final String FAILURE_COUNT_KEY = "batch.kubernetes.io/job-index-failure-count";

  private CompletionIndexes() {}

  /** The pod's index from its annotation, or null when it has none or not a number. */
  static Integer of(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(KEY);
    if (v == null || !v.matches("[0-9]{1,9}")) return null;
    return Integer.parseInt(v);
  }

  /** The pod's failure-count annotation, 0 when it has none. */
  static int failuresBefore(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(FAILURE_COUNT_KEY);
    return v == null || !v.matches("[0-9]{1,9}") ? 0 : Integer.parseInt(v);
  }

  /**
   * Upstream's failed indexes under backoffLimitPerIndex: indexes below {@code completions}, not succeeded, that a
   * FailIndex rule failed or that failed more than {@code backoffLimitPerIndex} times.
   */
  static SortedSet<Integer> failed(Map<Integer, Integer> failures, Set<Integer> failIndex, int backoffLimitPerIndex,
      Set<Integer> succeeded, int completions) {
    SortedSet<Integer> out = new TreeSet<>();
    failures.forEach((i, n) -> {
      if (i < completions && !succeeded.contains(i) && (n > backoffLimitPerIndex || failIndex.contains(i))) out.add(i);
    });
    return out;
  }

  /** Indexes below {@code completions} with a succeeded pod. */
  static SortedSet<Integer> succeeded(List<Pod> pods, int completions) {
    SortedSet<Integer> out = new TreeSet<>();
    for (Pod p : pods) {
      Integer i = of(p);
      if (i != null && i < completions && "Succeeded".equals(PodStatus.phase(p))) out.add(i);
    }
    return out;
  }

  /** Parses the compressed form ("1,3-5,7") keeping indexes below {@code completions}; empty when malformed. */
  static SortedSet<Integer> parse(String s, int completions) {
    SortedSet<Integer> out = new TreeSet<>();
    if (s == null || s.isEmpty()) return out;
    for (String part : s.split(",")) {
      String[] bounds = part.split("-", -1);
      if (bounds.length > 2 || !bounds[0].matches("[0-9]{1,9}") || bounds.length == 2 && !bounds[1].matches("[0-9]{1,9}")) {
        return new TreeSet<>();
      }
      int from = Integer.parseInt(bounds[0]);
      int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
      for (int i = from; i <= to && i < completions; i++) out.add(i);
    }
    return out;
  }

  /** Ascending indexes as comma-separated intervals; null for none (the field is left out). */
  static String format(SortedSet<Integer> indexes) {
    if (indexes.isEmpty()) return null;
    List<String> parts = new ArrayList<>();
    Integer first = null;
    Integer last = null;
    for (int i : indexes) {
      if (last != null && i == last + 1) {
        last = i;
        continue;
      }
      if (first != null) parts.add(first.equals(last) ? "" + first : first + "-" + last);
      first = i;
      last = i;
    }
    parts.add(first.equals(last) ? "" + first : first + "-" + last);
    return String.join(",", parts);
  }
}
