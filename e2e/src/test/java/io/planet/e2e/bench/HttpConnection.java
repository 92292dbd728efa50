package io.planet.e2e.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket, used by one load-generator thread at a time. Deliberately
 * minimal (no pooling, no async machinery) so the client's own cost stays small next to the server's.
 */
final class HttpConnection implements AutoCloseable {
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String host;
  private final int port;
  private final byte[] hostHeader;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpConnection(String host, int port) {
    this.host = host;
    this.port = port;
    this.hostHeader = ("Host: " + host + ":" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Connects now, so that connection setup is not part of the first timed request. */
  HttpConnection open() throws IOException {
    if (socket == null) {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.setSoTimeout(60_000);
      s.connect(new InetSocketAddress(host, port), 5_000);
      socket = s;
      in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      out = s.getOutputStream();
    }
    return this;
  }

  Response get(String path) throws IOException {
    return exchange("GET", path, null);
  }

  Response post(String path, byte[] json) throws IOException {
    return exchange("POST", path, json);
  }

  /** Sends one request and reads the whole response; after an I/O error the next call reconnects. */
  Response exchange(String method, String path, byte[] body) throws IOException {
    open();
    try {
      ByteArrayOutputStream req = new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
      req.write((method + " " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
      req.write(hostHeader);
      req.write("Accept: application/json\r\nUser-Agent: planet-bench\r\n".getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        req.write(("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
      }
      req.write('\r');
      req.write('\n');
      if (body != null) req.write(body);
      req.writeTo(out);
      out.flush();
      return readResponse();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Response readResponse() throws IOException {
    String statusLine = readLine();
    if (statusLine == null) throw new IOException("connection closed before the status line");
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
    int status = Integer.parseInt(parts[1]);
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    String line;
    while ((line = readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
      else if (name.equalsIgnoreCase("Transfer-Encoding")) chunked = value.toLowerCase().contains("chunked");
      else if (name.equalsIgnoreCase("Connection")) close = value.equalsIgnoreCase("close");
    }
    byte[] body;
    if (chunked) {
      body = readChunked();
    } else if (length >= 0) {
      body = in.readNBytes((int) length);
      if (body.length != length) throw new IOException("short body");
    } else {
      body = in.readAllBytes();
      close = true;
    }
    if (close) close();
    return new Response(status, body);
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      String size = readLine();
      if (size == null) throw new IOException("connection closed inside a chunked body");
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        String trailer;
        while ((trailer = readLine()) != null && !trailer.isEmpty()) {
          // trailers are ignored
        }
        return b.toByteArray();
      }
      b.write(in.readNBytes(n));
      readLine();
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
        return sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    socket = null;
    in = null;
    out = null;
  }
}
