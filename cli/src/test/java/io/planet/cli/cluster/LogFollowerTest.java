package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a log file through its rotation, as logback's rolling appender does it (rename, then a new file). */
class LogFollowerTest {
  @TempDir Path dir;

  @Test
  void readsTheOldFileToItsEndThenTheNewOneFromItsStart() throws Exception {
    Path log = dir.resolve("kubelet.log");
    try (FileOutputStream old = new FileOutputStream(log.toFile(), true);
         LogFollower follower = new LogFollower(log, 0)) {
      old.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
      assertThat(follower.poll()).containsExactly("one", "two");
      old.write("thr".getBytes(StandardCharsets.UTF_8));
      assertThat(follower.poll()).isEmpty();
      old.write("ee\n".getBytes(StandardCharsets.UTF_8));
      Files.move(log, dir.resolve("kubelet.log.1"));
      old.write("four\n".getBytes(StandardCharsets.UTF_8)); // written to the renamed file after the rotation
      Files.writeString(log, "five\n");
      assertThat(follower.poll()).containsExactly("three", "four", "five");
      Files.writeString(log, "six\n", java.nio.file.StandardOpenOption.APPEND);
      assertThat(follower.poll()).containsExactly("six");
    }
  }

  @Test
  void fromTheEndSkipsWhatIsThere() throws Exception {
    Path log = dir.resolve("planet.log");
    Files.writeString(log, "old\n");
    try (LogFollower follower = LogFollower.fromEnd(log)) {
      Files.writeString(log, "new\n", java.nio.file.StandardOpenOption.APPEND);
      assertThat(follower.poll()).isEqualTo(List.of("new"));
    }
  }

  @Test
  void aFileNotYetThereIsWaitedFor() throws Exception {
    Path log = dir.resolve("dns.log");
    try (LogFollower follower = new LogFollower(log, 0)) {
      assertThat(follower.poll()).isEmpty();
      Files.writeString(log, "up\n");
      assertThat(follower.poll()).containsExactly("up");
    }
  }
}
