package io.planet.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the kubectl executables to test: the one on PATH and every {@code kubectl.1.NN} beside its real file (the
 * Google Cloud SDK ships 1.27–1.33 next to a dispatcher that picks one by the server's /version). The system
 * property {@code planet.kubectl} names another kubectl to use instead of the PATH one.
 */
public final class KubectlBinaries {
  /** The versions the issue requires the full scenario suite on. */
  public static final List<Integer> REQUIRED_MINORS = List.of(29, 32, 33);
  private static final Pattern SIBLING = Pattern.compile("kubectl\\.1\\.(\\d+)");
  private static final Pattern CLIENT_MINOR = Pattern.compile("\"minor\"\\s*:\\s*\"(\\d+)");

  private static List<KubectlBinary> found;
  private static List<KubectlBinary> required;

  private KubectlBinaries() {}

  /** The PATH kubectl (if any) followed by its versioned siblings, oldest first. */
  public static synchronized List<KubectlBinary> installed() {
    if (found != null) return found;
    List<KubectlBinary> out = new ArrayList<>();
    String override = System.getProperty("planet.kubectl", "");
    Optional<Path> onPath = override.isEmpty() ? onPath("kubectl") : Optional.of(Path.of(override))
        .filter(Files::isExecutable);
    if (onPath.isPresent()) {
      Path real = realPath(onPath.get());
      out.add(new KubectlBinary("kubectl (PATH)", onPath.get(), clientMinor(onPath.get()), null));
      List<KubectlBinary> siblings = new ArrayList<>();
      try (Stream<Path> s = Files.list(real.getParent())) {
        s.forEach(p -> {
          Matcher m = SIBLING.matcher(p.getFileName().toString());
          if (m.matches() && Files.isExecutable(p)) {
            siblings.add(new KubectlBinary(p.getFileName().toString(), p, Integer.parseInt(m.group(1)), null));
          }
        });
      } catch (IOException e) {
        System.out.println("NOTICE: cannot list " + real.getParent() + ": " + e.getMessage());
      }
      siblings.sort((a, b) -> Integer.compare(a.minor(), b.minor()));
      out.addAll(siblings);
    } else {
      System.out.println("NOTICE: no kubectl " + (override.isEmpty() ? "on PATH" : "at " + override)
          + "; kubectl end-to-end tests are skipped");
    }
    found = List.copyOf(out);
    return found;
  }

  /** Every installed kubectl, or one missing placeholder when there is none (so tests report a skip). */
  public static List<KubectlBinary> all() {
    List<KubectlBinary> all = installed();
    return all.isEmpty() ? List.of(KubectlBinary.missing(32, "no kubectl on PATH")) : all;
  }

  /**
   * For each required minor: its {@code kubectl.1.NN} sibling, else the PATH kubectl if that is the same minor, else
   * a placeholder that makes the tests skip with a notice.
   */
  public static synchronized List<KubectlBinary> required() {
    if (required != null) return required;
    List<KubectlBinary> out = new ArrayList<>();
    for (int minor : REQUIRED_MINORS) {
      Optional<KubectlBinary> sibling = installed().stream()
          .filter(b -> b.label().equals("kubectl.1." + minor)).findFirst();
      Optional<KubectlBinary> pathOne = installed().stream()
          .filter(b -> b.label().equals("kubectl (PATH)") && b.minor() == minor).findFirst();
      if (sibling.isPresent()) {
        out.add(sibling.get());
      } else if (pathOne.isPresent()) {
        out.add(new KubectlBinary("kubectl.1." + minor, pathOne.get().path(), minor, null));
      } else {
        String why = "kubectl 1." + minor + " is not installed (neither kubectl.1." + minor
            + " beside the PATH kubectl nor a PATH kubectl of that version)";
        System.out.println("NOTICE: " + why + "; its scenarios are skipped");
        out.add(KubectlBinary.missing(minor, why));
      }
    }
    required = List.copyOf(out);
    return required;
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  /** The client's minor version from {@code kubectl version --client -o json}, or -1. */
  private static int clientMinor(Path kubectl) {
    try {
      Process p = new ProcessBuilder(kubectl.toString(), "version", "--client", "-o", "json")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
      Matcher m = CLIENT_MINOR.matcher(out);
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
