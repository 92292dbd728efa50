package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.planet.node.runtime.Runc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Runs one probe once, as the kubelet's prober: exec through {@code runc exec} (exit 0 passes), httpGet to the pod IP
 * (2xx/3xx passes), tcpSocket (a connection passes). A probe that cannot run (no pod IP, unknown named port) fails,
 * with the reason.
 */
final class Prober {
  private final Runc runc;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(10)).build();

  Prober(Runc runc) {
    this.runc = runc;
  }

  /** {@code exitCode}: an exec probe's (-1 for the other kinds). */
  record Result(boolean success, String message, int exitCode) {
    Result(boolean success, String message) {
      this(success, message, -1);
    }
  }

  Result probe(Probe p, Container c, String containerId, String podIp) {
    Duration timeout = Duration.ofSeconds(p.getTimeoutSeconds() == null ? 1 : Math.max(1, p.getTimeoutSeconds()));
    try {
      if (p.getExec() != null) {
        Runc.ExecResult r = runc.exec(containerId, p.getExec().getCommand(), timeout);
        if (r.timedOut()) return new Result(false, "command timed out after " + timeout.toSeconds() + "s");
        return new Result(r.exitCode() == 0, r.exitCode() == 0 ? "" : r.output().trim(), r.exitCode());
      }
      if (p.getHttpGet() != null) {
        var g = p.getHttpGet();
        String host = g.getHost() != null && !g.getHost().isEmpty() ? g.getHost() : podIp;
        if (host == null) return new Result(false, "the pod has no IP address");
        int port = port(g.getPort(), c);
        String scheme = g.getScheme() == null ? "http" : g.getScheme().toLowerCase();
        String path = g.getPath() == null || g.getPath().isEmpty() ? "/" : g.getPath().startsWith("/") ? g.getPath() : "/" + g.getPath();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + port + path)).timeout(timeout)
            .header("User-Agent", "kube-probe/1.32");
        if (g.getHttpHeaders() != null) {
          for (HTTPHeader h : g.getHttpHeaders()) b.header(h.getName(), h.getValue());
        }
        int status = http.send(b.GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        return new Result(status >= 200 && status < 400, "HTTP probe failed with statuscode: " + status);
      }
      if (p.getTcpSocket() != null) {
        String host = p.getTcpSocket().getHost() != null && !p.getTcpSocket().getHost().isEmpty() ? p.getTcpSocket().getHost() : podIp;
        if (host == null) return new Result(false, "the pod has no IP address");
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(host, port(p.getTcpSocket().getPort(), c)), (int) timeout.toMillis());
        }
        return new Result(true, "");
      }
      return new Result(false, "probe type not supported");
    } catch (IOException e) {
      return new Result(false, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, "interrupted");
    } catch (IllegalArgumentException e) {
      return new Result(false, e.getMessage());
    }
  }

  /** A port number, or a container port's name. */
  static int port(IntOrString port, Container c) {
    if (port.getIntVal() != null) return port.getIntVal();
    String name = port.getStrVal();
    if (c.getPorts() != null) {
      for (ContainerPort p : c.getPorts()) {
        if (name.equals(p.getName())) return p.getContainerPort();
      }
    }
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unknown port name \"" + name + "\"");
    }
  }
}
