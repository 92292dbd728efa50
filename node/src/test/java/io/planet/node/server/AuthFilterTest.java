package io.planet.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AuthFilterTest {
  @Test
  void bearerTokensComeFromTheAuthorizationHeader() {
    assertThat(AuthFilter.bearerToken(new DefaultHttpHeaders().add("Authorization", "Bearer abc"))).isEqualTo("abc");
    assertThat(AuthFilter.bearerToken(new DefaultHttpHeaders().add("Authorization", "bearer  abc "))).isEqualTo("abc");
    assertThat(AuthFilter.bearerToken(new DefaultHttpHeaders().add("Authorization", "Bearer "))).isNull();
    assertThat(AuthFilter.bearerToken(new DefaultHttpHeaders().add("Authorization", "Basic Zm9vOmJhcg=="))).isNull();
    assertThat(AuthFilter.bearerToken(new DefaultHttpHeaders())).isNull();
  }

  @Test
  void orFromAWebSocketSubprotocolWhichIsThenNotOffered() {
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString("tok-1".getBytes(StandardCharsets.UTF_8));
    HttpHeaders h = new DefaultHttpHeaders().add("Sec-WebSocket-Protocol",
        "v5.channel.k8s.io, base64url.bearer.authorization.k8s.io." + encoded + ", v4.channel.k8s.io");
    assertThat(AuthFilter.bearerToken(h)).isEqualTo("tok-1");
    assertThat(h.get("Sec-WebSocket-Protocol")).isEqualTo("v5.channel.k8s.io, v4.channel.k8s.io");
  }
}
