package io.planet.api.tls;

// lives in node's tests: it needs the cluster PKI (apiserver), which the api module cannot depend on

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.PemFiles;
import io.planet.node.image.ImageStoreAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KubeletServingTrustTest {
  static Path dir;
  static ClusterPki pki;
  static ClusterPki other;

  @BeforeAll
  static void pki() throws Exception {
    dir = Files.createTempDirectory("planet-serving-trust");
    pki = ClusterPki.at(dir.resolve("a"));
    pki.ensure(List.of(CertSpec.server("kubelet-n1", "system:node:n1", List.of("system:nodes"), List.of("n1"), List.of("10.0.0.7")),
        CertSpec.client("jane", "jane", List.of())));
    other = ClusterPki.at(dir.resolve("b"));
    other.ensure(List.of(CertSpec.server("kubelet-n1", "system:node:n1", List.of(), List.of("n1"), List.of())));
  }

  @AfterAll
  static void clean() throws Exception {
    ImageStoreAccess.deleteTree(dir);
  }

  private static X509Certificate[] chain(ClusterPki p, String name) {
    return new X509Certificate[] {p.certificate(name)};
  }

  @Test
  void aCertificateFromTheCaForTheNodeIsTrusted() throws Exception {
    KubeletServingTrust trust = new KubeletServingTrust(List.of(PemFiles.readCertificate(pki.caFile())), "n1");
    assertThatCode(() -> trust.verify(chain(pki, "kubelet-n1"), "192.168.1.1")).doesNotThrowAnyException();
    // by address too: another node's name, but dialed at an address the certificate lists
    KubeletServingTrust byAddress = new KubeletServingTrust(List.of(PemFiles.readCertificate(pki.caFile())), "n2");
    assertThatCode(() -> byAddress.verify(chain(pki, "kubelet-n1"), "10.0.0.7")).doesNotThrowAnyException();
  }

  @Test
  void anotherNodesForeignOrClientCertificateIsNot() throws Exception {
    KubeletServingTrust n2 = new KubeletServingTrust(List.of(PemFiles.readCertificate(pki.caFile())), "n2");
    assertThatThrownBy(() -> n2.verify(chain(pki, "kubelet-n1"), "192.168.1.1"))
        .isInstanceOf(CertificateException.class).hasMessageContaining("is valid for n1, 10.0.0.7, not n2");
    KubeletServingTrust n1 = new KubeletServingTrust(List.of(PemFiles.readCertificate(pki.caFile())), "n1");
    assertThatThrownBy(() -> n1.verify(chain(other, "kubelet-n1"), null))
        .isInstanceOf(CertificateException.class).hasMessageContaining("signed by unknown authority");
    assertThatThrownBy(() -> n1.verify(chain(pki, "jane"), null)).isInstanceOf(CertificateException.class);
  }
}
