package io.planet.node.metrics;

import java.nio.file.Path;

/**
 * How metrics-server verifies kubelets' serving certificates, as upstream's metrics-server flags:
 * --kubelet-insecure-tls (not at all), --kubelet-certificate-authority (against that CA), neither (against the CA of
 * its kubeconfig, the cluster CA).
 */
public record KubeletScrapeTls(boolean insecure, Path certificateAuthorityFile) {
  public static final KubeletScrapeTls INSECURE = new KubeletScrapeTls(true, null);
  public static final KubeletScrapeTls KUBECONFIG_CA = new KubeletScrapeTls(false, null);
}
