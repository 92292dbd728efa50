package io.planet.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterPkiTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ClusterCertificates CLUSTER = new ClusterCertificates(
      List.of(new ClusterCertificates.Node("node-a", List.of("192.168.7.10"))), "10.96.0.0/12", "cluster.local");

  /** One PKI made at T0, copied into each test's directory (RSA keys take a while to generate). */
  @TempDir static Path shared;
  @TempDir Path dir;

  @BeforeAll
  static void makeShared() {
    new ClusterPki(shared.resolve("pki"), Clock.fixed(T0, ZoneOffset.UTC)).ensure(CLUSTER.specs());
  }

  @BeforeEach
  void copyShared() throws Exception {
    Files.createDirectories(dir.resolve("pki"));
    try (Stream<Path> s = Files.list(shared.resolve("pki"))) {
      for (Path f : s.toList()) Files.copy(f, dir.resolve("pki").resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
    }
    Files.setPosixFilePermissions(dir.resolve("pki"), Files.getPosixFilePermissions(shared.resolve("pki")));
  }

  private ClusterPki pkiAt(Instant now) {
    return new ClusterPki(dir.resolve("pki"), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void apiServerCertificateCoversEveryNameClientsDial() throws Exception {
    ClusterPki pki = pkiAt(T0);
    pki.ensure(CLUSTER.specs());
    X509Certificate cert = pki.certificate(ClusterCertificates.API_SERVER);
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      if ((Integer) san.get(0) == 2) dns.add((String) san.get(1));
      if ((Integer) san.get(0) == 7) ips.add((String) san.get(1));
    }
    assertThat(dns).contains("node-a", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local", "localhost");
    assertThat(ips).contains("127.0.0.1", "10.96.0.1", "192.168.7.10");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(pki.ca().signed(cert)).isTrue();
  }

  @Test
  void subjectsAreUsersAndGroups() {
    ClusterPki pki = pkiAt(T0);
    pki.ensure(CLUSTER.specs());
    assertThat(Subjects.describe(pki.certificate("admin"))).isEqualTo("CN=kubernetes-admin,O=system:masters");
    assertThat(Subjects.describe(pki.certificate("kube-scheduler"))).isEqualTo("CN=system:kube-scheduler");
    assertThat(Subjects.describe(pki.certificate("kube-controller-manager"))).isEqualTo("CN=system:kube-controller-manager");
    assertThat(Subjects.describe(pki.certificate("kube-proxy"))).isEqualTo("CN=system:kube-proxy");
    assertThat(Subjects.describe(pki.certificate("kubelet-node-a-client"))).isEqualTo("CN=system:node:node-a,O=system:nodes");
    assertThat(Subjects.clientAuth(pki.certificate("admin"))).isTrue();
    assertThat(Subjects.clientAuth(pki.certificate("kubelet-node-a"))).isFalse();
    assertThat(pki.ca().certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void caLastsTenYearsAndLeavesOne() {
    ClusterPki pki = pkiAt(T0);
    pki.ensure(CLUSTER.specs());
    assertThat(pki.ca().certificate().getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(3650)));
    for (String leaf : pki.leafNames()) {
      assertThat(pki.certificate(leaf).getNotAfter().toInstant()).as(leaf).isEqualTo(T0.plus(Duration.ofDays(365)));
      assertThat(pki.certificate(leaf).getNotBefore().toInstant()).as(leaf).isBefore(T0);
    }
  }

  @Test
  void keysAreReadableOnlyByTheOwner() throws Exception {
    // the files as ensure() wrote them, not copies
    ClusterPki pki = ClusterPki.at(shared.resolve("pki"));
    List<Path> keys;
    try (Stream<Path> s = Files.list(pki.dir())) {
      keys = s.filter(p -> p.toString().endsWith(".key")).toList();
    }
    assertThat(keys).extracting(p -> p.getFileName().toString()).contains("ca.key", "sa.key", "apiserver.key", "admin.key");
    for (Path k : keys) assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(k))).as(k.toString()).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.dir()))).isEqualTo("rwx------");
  }

  @Test
  void serviceAccountKeysSignAndVerify() throws Exception {
    ClusterPki pki = pkiAt(T0);
    pki.ensure(CLUSTER.specs());
    var keys = pki.serviceAccountKeys();
    Signature s = Signature.getInstance(Keys.SIGNATURE_ALGORITHM);
    s.initSign(keys.getPrivate());
    s.update("token".getBytes());
    byte[] sig = s.sign();
    s.initVerify(keys.getPublic());
    s.update("token".getBytes());
    assertThat(s.verify(sig)).isTrue();
  }

  @Test
  void startingAgainIssuesNothingNew() {
    pkiAt(T0).ensure(CLUSTER.specs());
    assertThat(pkiAt(T0.plus(Duration.ofDays(100))).ensure(CLUSTER.specs())).isEmpty();
  }

  @Test
  void leavesNearExpiryAreRenewedAtStartAndTheCaIsKept() throws Exception {
    pkiAt(T0).ensure(CLUSTER.specs());
    byte[] caBefore = Files.readAllBytes(dir.resolve("pki/ca.crt"));
    byte[] caKeyBefore = Files.readAllBytes(dir.resolve("pki/ca.key"));
    Instant later = T0.plus(Duration.ofDays(300));
    ClusterPki pki = pkiAt(later);
    List<String> renewed = pki.ensure(CLUSTER.specs());
    assertThat(renewed).contains("apiserver", "admin", "kubelet-node-a", "kubelet-node-a-client");
    assertThat(Files.readAllBytes(pki.caFile())).isEqualTo(caBefore);
    assertThat(Files.readAllBytes(pki.keyFile("ca"))).isEqualTo(caKeyBefore);
    assertThat(pki.certificate("admin").getNotAfter().toInstant()).isEqualTo(later.plus(Duration.ofDays(365)));
    assertThat(pki.ca().signed(pki.certificate("admin"))).isTrue();
  }

  @Test
  void newNodeNamesReissueTheServingCertificate() {
    pkiAt(T0).ensure(CLUSTER.specs());
    ClusterCertificates grown = new ClusterCertificates(List.of(new ClusterCertificates.Node("node-a", List.of("192.168.7.10")),
        new ClusterCertificates.Node("node-b", List.of("192.168.7.11"))), "10.96.0.0/12", "cluster.local");
    assertThat(pkiAt(T0).ensure(grown.specs())).contains("apiserver", "kubelet-node-b", "kubelet-node-b-client")
        .doesNotContain("admin", "kubelet-node-a");
  }

  @Test
  void rotateRenewsEveryLeafWithTheSameNames() {
    pkiAt(T0).ensure(CLUSTER.specs());
    String sansBefore = Subjects.spec("apiserver", pkiAt(T0).certificate("apiserver")).toString();
    Instant later = T0.plus(Duration.ofDays(10));
    ClusterPki pki = pkiAt(later);
    assertThat(pki.rotate()).containsExactlyInAnyOrderElementsOf(pki.leafNames());
    assertThat(Subjects.spec("apiserver", pki.certificate("apiserver")).toString()).isEqualTo(sansBefore);
    assertThat(pki.certificate("kube-proxy").getNotAfter().toInstant()).isEqualTo(later.plus(Duration.ofDays(365)));
  }

  @Test
  void statusFlagsExpiringExpiredAndMissing() throws Exception {
    pkiAt(T0).ensure(CLUSTER.specs());
    Files.delete(dir.resolve("pki/kube-proxy.crt"));
    List<CertStatus> soon = pkiAt(T0.plus(Duration.ofDays(350))).status(List.of("kube-proxy"));
    assertThat(soon.get(0).name()).isEqualTo("ca");
    assertThat(soon.get(0).state()).isEqualTo(CertStatus.State.OK);
    assertThat(soon).filteredOn(s -> s.name().equals("admin")).singleElement()
        .satisfies(s -> {
          assertThat(s.state()).isEqualTo(CertStatus.State.EXPIRING);
          assertThat(s.daysLeft()).isEqualTo(15);
        });
    assertThat(soon).filteredOn(s -> s.name().equals("kube-proxy")).singleElement()
        .satisfies(s -> assertThat(s.state()).isEqualTo(CertStatus.State.MISSING));
    assertThat(pkiAt(T0.plus(Duration.ofDays(400))).status(List.of())).filteredOn(s -> s.name().equals("admin"))
        .singleElement().satisfies(s -> assertThat(s.state()).isEqualTo(CertStatus.State.EXPIRED));
  }

  @Test
  void kubeconfigsEmbedTheCaAndAreRefreshedAfterRotation() throws Exception {
    ClusterPki pki = pkiAt(T0);
    pki.ensure(CLUSTER.specs());
    Kubeconfigs.writeAll(dir, "https://127.0.0.1:6443", pki, List.of("node-a"));
    assertThat(dir.resolve("admin.kubeconfig")).exists();
    assertThat(dir.resolve("kubelet-node-a.kubeconfig")).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin.kubeconfig")))).isEqualTo("rw-------");
    JsonNode kc = Json.YAML.readTree(Files.readString(dir.resolve("scheduler.kubeconfig")));
    assertThat(kc.at("/users/0/name").asText()).isEqualTo("system:kube-scheduler");
    assertThat(kc.at("/clusters/0/cluster/server").asText()).isEqualTo("https://127.0.0.1:6443");
    assertThat(new String(Base64.getDecoder().decode(kc.at("/clusters/0/cluster/certificate-authority-data").asText())))
        .isEqualTo(Files.readString(pki.caFile()));
    String before = kc.at("/users/0/user/client-certificate-data").asText();

    pki.rotate();
    assertThat(Kubeconfigs.refresh(dir, pki)).hasSize(5);
    JsonNode after = Json.YAML.readTree(Files.readString(dir.resolve("scheduler.kubeconfig")));
    String cert = after.at("/users/0/user/client-certificate-data").asText();
    assertThat(cert).isNotEqualTo(before);
    assertThat(new String(Base64.getDecoder().decode(cert))).isEqualTo(Files.readString(pki.certFile("kube-scheduler")));
    assertThat(Kubeconfigs.status(dir, Clock.fixed(T0, ZoneOffset.UTC)))
        .extracting(CertStatus::name).contains("admin.kubeconfig", "proxy.kubeconfig");
  }

  @Test
  void firstServiceIp() {
    assertThat(ClusterCertificates.firstServiceIp("10.96.0.0/12")).isEqualTo("10.96.0.1");
    assertThat(ClusterCertificates.firstServiceIp("10.0.5.7/24")).isEqualTo("10.0.5.1");
    assertThat(ClusterCertificates.firstServiceIp("fd00:10:96::/112")).isEqualTo("fd00:10:96:0:0:0:0:1");
  }
}
