package io.planet.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.pki.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestAuthenticationTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final CertificateAuthority CA = CertificateAuthority.create(NOW.minus(Duration.ofDays(1)), Duration.ofDays(3650));
  private static final CertificateAuthority OTHER_CA = CertificateAuthority.create(NOW.minus(Duration.ofDays(1)), Duration.ofDays(3650));

  @TempDir Path dir;

  private static X509Certificate client(CertificateAuthority ca, Instant issued, Duration validity) {
    return ca.issue(CertSpec.client("x", "jane", List.of("dev", "ops")), Keys.generate().getPublic(), issued, validity);
  }

  private RequestAuthentication chain(boolean anonymous) throws Exception {
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, """
        # token,user,uid,"groups"
        s3cr3t,alice,uid-1,"admins,devs"

        other,bob,uid-2
        """);
    return new RequestAuthentication(List.of(new X509Authenticator(List.of(CA.certificate()), Clock.fixed(NOW, ZoneOffset.UTC)),
        new BearerTokenAuthenticator(List.of(TokenFile.read(tokens)))), null, anonymous);
  }

  private static Credentials cert(X509Certificate c) {
    return new Credentials(List.of(c), "");
  }

  private static Credentials header(String authorization) {
    return new Credentials(List.of(), authorization);
  }

  @Test
  void clientCertificateNamesUserAndGroups() throws Exception {
    UserInfo u = chain(true).authenticate(cert(client(CA, NOW, Duration.ofDays(365))));
    assertThat(u.name()).isEqualTo("jane");
    assertThat(u.groups()).containsExactly("dev", "ops", "system:authenticated");
  }

  @Test
  void foreignExpiredAndServerCertificatesAreRefused() throws Exception {
    RequestAuthentication auth = chain(true);
    assertThatThrownBy(() -> auth.authenticate(cert(client(OTHER_CA, NOW, Duration.ofDays(365)))))
        .hasMessageContaining("unknown authority");
    assertThatThrownBy(() -> auth.authenticate(cert(client(CA, NOW.minus(Duration.ofDays(400)), Duration.ofDays(365)))))
        .hasMessageContaining("expired");
    X509Certificate serving = CA.issue(CertSpec.server("s", "kube-apiserver", List.of(), List.of("x"), List.of()),
        Keys.generate().getPublic(), NOW, Duration.ofDays(365));
    assertThatThrownBy(() -> auth.authenticate(cert(serving))).hasMessageContaining("key usage");
  }

  @Test
  void staticTokensAuthenticateAndUnknownOnesAreRefused() throws Exception {
    RequestAuthentication auth = chain(true);
    UserInfo alice = auth.authenticate(header("Bearer s3cr3t"));
    assertThat(alice).isEqualTo(new UserInfo("alice", "uid-1", List.of("admins", "devs", "system:authenticated"), java.util.Map.of()));
    assertThat(auth.authenticate(header("bearer other")).name()).isEqualTo("bob");
    assertThatThrownBy(() -> auth.authenticate(header("Bearer wrong"))).hasMessage("invalid bearer token");
  }

  @Test
  void noCredentialsIsAnonymousOnlyWhenAllowed() throws Exception {
    for (String h : List.of("", "Basic YWxpY2U6cHc=", "Bearer", "Bearer ", "Bearer  s3cr3t", "Negotiate x")) {
      assertThat(chain(true).authenticate(header(h))).as(h).isEqualTo(UserInfo.anonymous());
    }
    assertThatThrownBy(() -> chain(false).authenticate(header(""))).isInstanceOf(AuthenticationException.class);
  }

  @Test
  void aValidTokenWinsOverAForeignCertificate() throws Exception {
    UserInfo u = chain(true).authenticate(new Credentials(List.of(client(OTHER_CA, NOW, Duration.ofDays(30))), "Bearer s3cr3t"));
    assertThat(u.name()).isEqualTo("alice");
  }

  @Test
  void csvQuoting() {
    assertThat(TokenFile.csv("t,u,id,\"a,b\"")).containsExactly("t", "u", "id", "a,b");
    assertThat(TokenFile.csv("t,\"say \"\"hi\"\"\",id")).containsExactly("t", "say \"hi\"", "id");
  }
}
