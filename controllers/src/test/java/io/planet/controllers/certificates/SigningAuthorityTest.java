package io.planet.controllers.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.testing.TestCsrs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signer's durations and validity window, and csrcleaner's deadlines. */
class SigningAuthorityTest {
  private static final Duration YEAR = SigningAuthority.DEFAULT_TTL;

  @Test
  void durationIsTheDefaultUnlessLessIsAskedButNeverUnderTenMinutes() {
    assertThat(SigningAuthority.duration(null, YEAR)).isEqualTo(Duration.ofDays(365));
    assertThat(SigningAuthority.duration(3600, YEAR)).isEqualTo(Duration.ofHours(1));
    assertThat(SigningAuthority.duration(600, YEAR)).isEqualTo(Duration.ofMinutes(10));
    assertThat(SigningAuthority.duration(60, YEAR)).isEqualTo(Duration.ofMinutes(10));
    assertThat(SigningAuthority.duration(Integer.MAX_VALUE, YEAR)).isEqualTo(YEAR);
    assertThat(SigningAuthority.duration(7200, Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void validityIsBackdatedFiveMinutesAndCappedAtTheCa() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Instant[] v = SigningAuthority.validity(now, Duration.ofHours(1), now.plus(Duration.ofDays(10)));
    assertThat(v[0]).isEqualTo(now.minusSeconds(300));
    assertThat(v[1]).isEqualTo(now.plusSeconds(3600));
    Instant caEnd = now.plus(Duration.ofDays(30));
    assertThat(SigningAuthority.validity(now, YEAR, caEnd)[1]).isEqualTo(caEnd);
  }

  @Test
  void issuedCertificateCarriesSubjectSansAndUsages(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    CertificateAuthority.create(Instant.now(), Duration.ofDays(30)).save(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    SigningAuthority ca = new SigningAuthority(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    ca.load();
    KeyPair key = TestCsrs.ecKey();
    CertificateRequests r = CertificateRequests.parse(TestCsrs.base64(
        TestCsrs.request(key, "system:node:n1", List.of("system:nodes"), List.of("n1.example"), List.of("10.1.2.3"))));
    assertThat(r.dnsNames()).containsExactly("n1.example");
    assertThat(r.ipAddresses()).containsExactly("10.1.2.3");
    Instant now = Instant.now();
    String pem = ca.sign(r, List.of("digital signature", "key encipherment", "server auth"), Duration.ofHours(2), now);
    X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    c.verify(ca.certificate().getPublicKey());
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:n1,O=system:nodes");
    assertThat(c.getPublicKey()).isEqualTo(key.getPublic());
    assertThat(c.getKeyUsage()[0]).isTrue();
    assertThat(c.getKeyUsage()[2]).isTrue();
    assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(c.getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList())
        .containsExactly("n1.example", "10.1.2.3");
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    assertThat(Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()))
        .isBetween(Duration.ofMinutes(124), Duration.ofMinutes(126));
  }

  @Test
  void cleanerDeadlinesAsUpstream() {
    String created = "2026-01-01T00:00:00Z";
    CertificateSigningRequest pending = new CertificateSigningRequestBuilder().withNewMetadata()
        .withCreationTimestamp(created).endMetadata().withNewStatus().endStatus().build();
    assertThat(CsrCleaner.deadline(pending)).isEqualTo(Instant.parse(created).plus(Duration.ofHours(24)));
    CertificateSigningRequest denied = new CertificateSigningRequestBuilder(pending).editStatus().addNewCondition()
        .withType("Denied").withStatus("True").withLastUpdateTime("2026-01-01T01:00:00Z").endCondition().endStatus().build();
    assertThat(CsrCleaner.deadline(denied)).isEqualTo(Instant.parse("2026-01-01T02:00:00Z"));
    CertificateSigningRequest approvedOnly = new CertificateSigningRequestBuilder(pending).editStatus().addNewCondition()
        .withType("Approved").withStatus("True").withLastUpdateTime("2026-01-01T01:00:00Z").endCondition().endStatus().build();
    assertThat(CsrCleaner.deadline(approvedOnly)).isNull();
  }
}
