package io.planet.node.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A certificate on disk is re-used while more than a tenth of its lifetime is left, and only with its own key. */
class CertificateValidityTest {
  static KeyPair caKey;
  static X509Certificate ca;
  @TempDir Path dir;

  @BeforeAll
  static void authority() throws Exception {
    caKey = CertificateRequests.rsaKey();
    Instant now = Instant.now();
    ca = sign(new X500Name("CN=test-ca"), caKey, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)));
  }

  static X509Certificate sign(X500Name subject, KeyPair subjectKey, Instant from, Instant to) throws Exception {
    var b = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca"), BigInteger.valueOf(System.nanoTime()),
        Date.from(from), Date.from(to), subject, subjectKey.getPublic());
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey.getPrivate())));
  }

  String problem(Instant from, Instant to, boolean ownKey) throws Exception {
    KeyPair key = CertificateRequests.rsaKey();
    X509Certificate cert = sign(new X500Name("CN=system:node:n1"), key, from, to);
    Path c = dir.resolve("c.crt");
    Path k = dir.resolve("c.key");
    Pem.write(c, Pem.encode(cert), "rw-r--r--");
    Pem.writeKey(k, ownKey ? key.getPrivate() : CertificateRequests.rsaKey().getPrivate());
    return CertificateValidity.problem(c, k, ca, Instant.now());
  }

  @Test
  void reusedWithMoreThanATenthLeft() throws Exception {
    Instant now = Instant.now();
    assertThat(problem(now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(20)), true)).isNull();
  }

  @Test
  void renewedWithATenthOrLessLeftOrExpired() throws Exception {
    Instant now = Instant.now();
    assertThat(problem(now.minus(Duration.ofDays(95)), now.plus(Duration.ofDays(5)), true)).contains("less than 10%");
    assertThat(problem(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)), true)).contains("expired");
  }

  @Test
  void renewedWhenTheKeyIsNotItsOwn() throws Exception {
    Instant now = Instant.now();
    assertThat(problem(now, now.plus(Duration.ofDays(100)), false)).contains("key does not match");
  }

  @Test
  void nothingOnDisk() {
    assertThat(CertificateValidity.problem(dir.resolve("none.crt"), dir.resolve("none.key"), ca, Instant.now()))
        .isEqualTo("none yet");
  }
}
