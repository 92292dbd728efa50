package io.planet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.node.server.KubeletServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The kubelet API's security flags: upstream's names, defaults that follow --client-ca-file. */
class KubeletCommandTest {
  private static KubeletServerConfig parse(String... extra) {
    KubeletCommand c = new KubeletCommand();
    String[] args = new String[extra.length + 4];
    System.arraycopy(new String[] {"--kubeconfig", "kc", "--node-name", "n1"}, 0, args, 0, 4);
    System.arraycopy(extra, 0, args, 4, extra.length);
    new CommandLine(c).parseArgs(args);
    return c.serverConfig();
  }

  @Test
  void withoutAClientCaTheApiIsOpenAsUpstreamsFlagDefaults() {
    KubeletServerConfig c = parse();
    assertThat(c.anonymousAuth()).isTrue();
    assertThat(c.tokenWebhook()).isFalse();
    assertThat(c.authorizationMode()).isEqualTo("AlwaysAllow");
    assertThat(c.tlsCertFile()).isNull();
  }

  @Test
  void aClientCaTurnsOnWebhookAuthenticationAndAuthorization() {
    KubeletServerConfig c = parse("--client-ca-file", "/pki/ca.crt", "--tls-cert-file", "/pki/kubelet-n1.crt",
        "--tls-private-key-file", "/pki/kubelet-n1.key");
    assertThat(c.clientCaFile()).isEqualTo(Path.of("/pki/ca.crt"));
    assertThat(c.tlsCertFile()).isEqualTo(Path.of("/pki/kubelet-n1.crt"));
    assertThat(c.anonymousAuth()).isFalse();
    assertThat(c.tokenWebhook()).isTrue();
    assertThat(c.authorizationMode()).isEqualTo("Webhook");
    assertThat(c.tokenCacheTtl()).hasMinutes(2);
    assertThat(c.authorizedTtl()).hasMinutes(5);
    assertThat(c.unauthorizedTtl()).hasSeconds(30);
  }

  @Test
  void explicitFlagsWin() {
    KubeletServerConfig c = parse("--client-ca-file", "/pki/ca.crt", "--anonymous-auth=true", "--authorization-mode",
        "AlwaysAllow", "--authentication-token-webhook=false");
    assertThat(c.anonymousAuth()).isTrue();
    assertThat(c.tokenWebhook()).isFalse();
    assertThat(c.authorizationMode()).isEqualTo("AlwaysAllow");
  }
}
