package io.planet.node.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bootstrap signer's format, checked against upstream's published cluster-bootstrap test vectors. */
class DetachedJwsTest {
  static final String CONTENT = "Hello from the other side. I must have called a thousand times.";
  static final String SECRET = "my voice is my passcode. my voice is my passcode";

  @Test
  void signsAsUpstream() {
    assertThat(DetachedJws.sign(CONTENT, "joshua", SECRET))
        .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..SFoKn0-YxqnvpSExt4LuCZ_7pvIBdX3SoUO_NsTpkdg");
    assertThat(DetachedJws.sign("", "joshua", SECRET))
        .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..kzZha466Sbz_vFhUBjjYp2rl3F7yHgdDdUIBGxQg4js");
  }

  @Test
  void verifiesOnlyTheRightTokenAndContent() {
    String sig = "eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..SFoKn0-YxqnvpSExt4LuCZ_7pvIBdX3SoUO_NsTpkdg";
    assertThat(DetachedJws.verify(sig, CONTENT, "joshua", SECRET)).isTrue();
    assertThat(DetachedJws.verify(sig, CONTENT + ".", "joshua", SECRET)).isFalse();
    assertThat(DetachedJws.verify(sig, CONTENT, "joshua", SECRET + "x")).isFalse();
    assertThat(DetachedJws.verify(sig, CONTENT, "joshue", SECRET)).isFalse();
    assertThat(DetachedJws.verify("garbage", CONTENT, "joshua", SECRET)).isFalse();
  }
}
