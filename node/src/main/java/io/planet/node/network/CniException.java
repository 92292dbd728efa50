package io.planet.node.network;

import java.io.IOException;

/**
 * A CNI plugin's failure: the error result it printed ({@code code}, {@code msg}, {@code details} per the CNI
 * spec; codes 1-99 are the spec's, 100+ the plugin's own), or a failure to run it at all (code 0).
 */
public final class CniException extends IOException {
  /** Well-known CNI error codes (spec section "Error codes"). */
  public static final int INCOMPATIBLE_VERSION = 1;
  public static final int UNSUPPORTED_FIELD = 2;
  public static final int CONTAINER_UNKNOWN = 3;
  public static final int INVALID_ENVIRONMENT = 4;
  public static final int IO_FAILURE = 5;
  public static final int DECODE_FAILURE = 6;
  public static final int INVALID_CONFIG = 7;
  public static final int TRY_AGAIN_LATER = 11;

  private final String plugin;
  private final String command;
  private final int code;
  private final String msg;
  private final String details;

  public CniException(String plugin, String command, int code, String msg, String details) {
    super(describe(plugin, command, code, msg, details));
    this.plugin = plugin;
    this.command = command;
    this.code = code;
    this.msg = msg;
    this.details = details;
  }

  private static String describe(String plugin, String command, int code, String msg, String details) {
    StringBuilder s = new StringBuilder("CNI plugin " + plugin + " " + command + " failed");
    if (code != 0) s.append(" (code ").append(code).append(')');
    s.append(": ").append(msg);
    if (details != null && !details.isEmpty()) s.append(" (").append(details).append(')');
    return s.toString();
  }

  /** The plugin type (binary name). */
  public String plugin() {
    return plugin;
  }

  /** ADD, DEL, CHECK or VERSION. */
  public String command() {
    return command;
  }

  /** The CNI error code; 0 when the plugin could not be run or printed no error result. */
  public int code() {
    return code;
  }

  public String msg() {
    return msg;
  }

  public String details() {
    return details;
  }
}
