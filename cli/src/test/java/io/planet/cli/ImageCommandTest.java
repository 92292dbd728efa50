package io.planet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code planet image import|ls|rm} on the busybox test archive (built by scripts/build-busybox-image). */
class ImageCommandTest {
  @TempDir Path dataDir;

  record Result(int code, String out, String err) {}

  private Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      String[] all = Stream.concat(Stream.of(args), Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
      int code = new CommandLine(new Planet()).execute(all);
      return new Result(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Path busybox() throws Exception {
    Path out = Path.of("target/images/busybox.oci.tar").toAbsolutePath();
    if (!Files.exists(out)) {
      Process p = new ProcessBuilder(Path.of("../scripts/build-busybox-image").toAbsolutePath().normalize().toString(),
          out.toString()).inheritIO().start();
      assertThat(p.waitFor()).isZero();
    }
    return out;
  }

  @AfterEach
  void cleanUp() throws Exception {
    // unpacked layers hold absolute symlinks: remove them before JUnit's TempDir cleanup complains
    try (Stream<Path> walk = Files.walk(dataDir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dataDir)).toList()) Files.delete(p);
    }
  }

  @Test
  void importListAndRemove() throws Exception {
    Result imported = run("image", "import", busybox().toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).startsWith("imported planet.local/busybox:");
    assertThat(imported.err()).contains("importing").contains("done in");

    Result ls = run("image", "ls");
    assertThat(ls.code()).isZero();
    assertThat(ls.out().lines().toList()).hasSize(2);
    assertThat(ls.out().lines().findFirst().orElseThrow()).matches("IMAGE +TAG +IMAGE ID +SIZE");
    assertThat(ls.out().lines().skip(1).findFirst().orElseThrow()).matches("planet\\.local/busybox +1\\.[0-9.]+ +[0-9a-f]{12} +[0-9.]+MB");

    JsonNode json = new ObjectMapper().readTree(run("image", "ls", "-o", "json").out());
    String name = json.at("/images/0/repoTags/0").asText();
    assertThat(json.at("/images/0/id").asText()).startsWith("sha256:");
    assertThat(json.at("/images/0/repoDigests/0").asText()).startsWith("planet.local/busybox@sha256:");

    Result rm = run("image", "rm", name, "nothere:1");
    assertThat(rm.code()).isEqualTo(1);
    assertThat(rm.out().trim()).isEqualTo("Deleted: " + name);
    assertThat(rm.err().trim()).isEqualTo("planet image rm: no such image \"nothere:1\" (see planet image ls)");
    assertThat(run("image", "ls", "-q").out()).isEmpty();
  }

  @Test
  void badInputSaysWhatIsWrong() throws Exception {
    Result missing = run("image", "import", dataDir.resolve("nope.tar").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().trim()).endsWith("nope.tar: no such file");
    Result badName = run("image", "import", busybox().toString(), "--name", "Bad");
    assertThat(badName.code()).isEqualTo(1);
    assertThat(badName.err()).contains("repository name must be lowercase");
    assertThat(run("image", "ls", "-o", "yaml").code()).isEqualTo(2);
  }
}
