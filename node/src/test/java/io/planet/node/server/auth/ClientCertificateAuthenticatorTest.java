package io.planet.node.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.node.image.ImageStoreAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {
  static Path dir;
  static ClusterPki pki;
  static ClusterPki other;
  static ClientCertificateAuthenticator authenticator;

  @BeforeAll
  static void pki() throws Exception {
    dir = Files.createTempDirectory("planet-client-certs");
    pki = ClusterPki.at(dir.resolve("a"));
    pki.ensure(List.of(CertSpec.client("jane", "jane", List.of("dev", "ops")),
        CertSpec.server("kubelet-n1", "system:node:n1", List.of(), List.of("n1"), List.of())));
    other = ClusterPki.at(dir.resolve("b"));
    other.ensure(List.of(CertSpec.client("jane", "jane", List.of())));
    authenticator = new ClientCertificateAuthenticator(ClientCertificateAuthenticator.readBundle(pki.caFile()), Clock.systemUTC());
  }

  @AfterAll
  static void clean() throws Exception {
    ImageStoreAccess.deleteTree(dir);
  }

  @Test
  void commonNameIsTheUserOrganizationsTheGroups() throws Exception {
    KubeletUser u = authenticator.authenticate(List.of(pki.certificate("jane"))).orElseThrow();
    assertThat(u.name()).isEqualTo("jane");
    assertThat(u.groups()).containsExactly("dev", "ops");
    assertThat(u.authenticated().groups()).containsExactly("dev", "ops", "system:authenticated");
    assertThat(authenticator.authenticate(List.of())).isEmpty();
  }

  @Test
  void foreignAndServerCertificatesAreRefused() {
    assertThatThrownBy(() -> authenticator.authenticate(List.of(other.certificate("jane"))))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("signed by unknown authority");
    assertThatThrownBy(() -> authenticator.authenticate(List.of(pki.certificate("kubelet-n1"))))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("incompatible key usage");
  }
}
