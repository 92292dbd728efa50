package io.planet.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class BinderTest {
  @Test
  void theBindingBodyIsAV1BindingToTheNode() {
    Binding b = new KubernetesSerialization().unmarshal(Binder.body("ns-1", "web-\"0\"", "uid-1", "node-7"), Binding.class);
    assertThat(b.getApiVersion()).isEqualTo("v1");
    assertThat(b.getKind()).isEqualTo("Binding");
    assertThat(b.getMetadata().getNamespace()).isEqualTo("ns-1");
    assertThat(b.getMetadata().getName()).isEqualTo("web-\"0\"");
    assertThat(b.getMetadata().getUid()).isEqualTo("uid-1");
    assertThat(b.getTarget().getKind()).isEqualTo("Node");
    assertThat(b.getTarget().getApiVersion()).isEqualTo("v1");
    assertThat(b.getTarget().getName()).isEqualTo("node-7");
  }
}
