package io.planet.node.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);

  @Test
  void normalizesAsContainerRuntimesDo() {
    assertThat(ImageReference.parse("busybox").toString()).isEqualTo("docker.io/library/busybox:latest");
    assertThat(ImageReference.parse("busybox:1.36").toString()).isEqualTo("docker.io/library/busybox:1.36");
    assertThat(ImageReference.parse("bitnami/nginx").toString()).isEqualTo("docker.io/bitnami/nginx:latest");
    assertThat(ImageReference.parse("index.docker.io/library/busybox").toString()).isEqualTo("docker.io/library/busybox:latest");
    assertThat(ImageReference.parse("localhost/app").toString()).isEqualTo("localhost/app:latest");
    assertThat(ImageReference.parse("127.0.0.1:5000/team/app:v2").toString()).isEqualTo("127.0.0.1:5000/team/app:v2");
    assertThat(ImageReference.parse("registry.k8s.io/pause:3.9").domain()).isEqualTo("registry.k8s.io");
    ImageReference pinned = ImageReference.parse("busybox@" + DIGEST);
    assertThat(pinned.tag()).isNull();
    assertThat(pinned.manifestReference()).isEqualTo(DIGEST);
    assertThat(ImageReference.parse("busybox:1.36@" + DIGEST).toString()).isEqualTo("docker.io/library/busybox:1.36@" + DIGEST);
    assertThat(ImageReference.parse("busybox").familiarRepository()).isEqualTo("busybox");
    assertThat(ImageReference.parse("planet.local/busybox:1.35.0").familiarRepository()).isEqualTo("planet.local/busybox");
  }

  @Test
  void refusesInvalidReferencesSayingWhy() {
    assertThatThrownBy(() -> ImageReference.parse("BusyBox")).hasMessageContaining("must be lowercase");
    assertThatThrownBy(() -> ImageReference.parse("busybox:-bad")).hasMessageContaining("invalid tag");
    assertThatThrownBy(() -> ImageReference.parse("busybox@sha256:abc")).hasMessageContaining("invalid sha256 digest");
    assertThatThrownBy(() -> ImageReference.parse("a//b")).hasMessageContaining("invalid repository name");
    assertThatThrownBy(() -> ImageReference.parse(" ")).hasMessageContaining("empty");
  }
}
