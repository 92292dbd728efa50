package io.planet.node.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRequestsTest {
  @TempDir Path dir;

  @Test
  void servingRequestCarriesSubjectAndNames() throws Exception {
    KeyPair key = CertificateRequests.rsaKey();
    String pem = CertificateRequests.pem(key, "system:node:n1", "system:nodes", java.util.List.of("n1"),
        java.util.List.of("10.1.2.3"));
    assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    PKCS10CertificationRequest csr = (PKCS10CertificationRequest) new PEMParser(new StringReader(pem)).readObject();
    assertThat(csr.getSubject().toString()).contains("CN=system:node:n1").contains("O=system:nodes");
    Extensions ext = Extensions.getInstance(
        csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
    GeneralNames names = GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
    assertThat(names.getNames()).hasSize(2);
  }

  @Test
  void keysAreOwnerOnly() throws Exception {
    Path f = dir.resolve("k.key");
    Pem.writeKey(f, CertificateRequests.rsaKey().getPrivate());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Pem.privateKey(f).getAlgorithm()).isEqualTo("RSA");
  }
}
