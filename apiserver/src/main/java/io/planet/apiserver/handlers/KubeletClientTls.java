package io.planet.apiserver.handlers;

import java.nio.file.Path;

/**
 * How the API server connects to kubelets, as upstream's flags: the client certificate it presents
 * (--kubelet-client-certificate / --kubelet-client-key; with the cluster PKI, apiserver-kubelet-client in
 * system:masters) and the CA the kubelets' serving certificates are verified against
 * (--kubelet-certificate-authority). Without a CA, serving certificates are not verified (upstream's default);
 * without a client certificate, none is presented.
 */
public record KubeletClientTls(Path clientCertFile, Path clientKeyFile, Path certificateAuthorityFile) {
  public static final KubeletClientTls NONE = new KubeletClientTls(null, null, null);

  public KubeletClientTls {
    if ((clientCertFile == null) != (clientKeyFile == null)) {
      throw new IllegalArgumentException("--kubelet-client-certificate and --kubelet-client-key go together");
    }
  }
}
