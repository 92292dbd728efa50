package io.planet.e2e.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The facts a benchmark figure means nothing without: CPUs, memory, CPU model, kernel, and the Java and etcd used. */
final class Machine {
  private Machine() {
  }

  static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memTotal());
    m.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")) + " " + System.getProperty("os.arch"));
    m.put("java", command(List.of("java", "-version")));
    m.put("etcd", command(List.of("etcd", "--version")).split(";")[0]);
    m.put("loadAverageAtStart", read(Path.of("/proc/loadavg")));
    return m;
  }

  private static String memTotal() {
    String kb = firstValue(Path.of("/proc/meminfo"), "MemTotal").replace("kB", "").trim();
    try {
      return String.format("%.1f GiB", Long.parseLong(kb) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return kb;
    }
  }

  private static String firstValue(Path file, String key) {
    for (String line : read(file).split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
    }
    return "";
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The command's output, lines joined with "; " (java -version writes to stderr, etcd --version to stdout). */
  private static String command(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return String.join("; ", out.lines().map(String::trim).toList());
    } catch (IOException e) {
      return "unavailable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
