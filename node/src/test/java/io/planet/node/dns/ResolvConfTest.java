package io.planet.node.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ResolvConfTest {
  @Test
  void readsNameserversSearchAndOptionsSkippingComments() {
    ResolvConf c = ResolvConf.parse("# generated\nnameserver 10.0.0.2\n; old\nsearch a.example b.example.\n"
        + "nameserver 10.0.0.3\noptions ndots:2 timeout:1\nsortlist 1.2.3.4\n");
    assertThat(c.nameservers()).containsExactly("10.0.0.2", "10.0.0.3");
    assertThat(c.searches()).containsExactly("a.example", "b.example");
    assertThat(c.options()).containsExactly("ndots:2", "timeout:1");
  }

  @Test
  void lastSearchOrDomainLineWins() {
    assertThat(ResolvConf.parse("search a.example\ndomain b.example\n").searches()).containsExactly("b.example");
  }

  @Test
  void rendersWhatItRead() {
    String text = "nameserver 10.0.0.2\nsearch a.example\noptions ndots:5\n";
    assertThat(ResolvConf.parse(text).render()).isEqualTo(text);
    assertThat(ResolvConf.empty().render()).isEmpty();
  }

  @Test
  void upstreamsAreTheNameserversOnPort53ExceptOurselves() {
    ResolvConf c = ResolvConf.parse("nameserver 10.0.0.2\nnameserver 127.0.0.1\n");
    assertThat(Forwarder.upstreams(c, new InetSocketAddress("127.0.0.1", 53)))
        .containsExactly(new InetSocketAddress("10.0.0.2", 53));
  }
}
