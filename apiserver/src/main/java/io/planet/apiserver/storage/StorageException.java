package io.planet.apiserver.storage;

/** A storage-level failure; the registry maps it to the API error of the resource at hand. */
public class StorageException extends RuntimeException {
  public enum Code { KEY_EXISTS, NOT_FOUND, CONFLICT, COMPACTED, UNAVAILABLE, TOO_LARGE_REVISION }

  private final Code code;
  private final String key;
  private final long revision;

  public StorageException(Code code, String key, long revision, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.key = key;
    this.revision = revision;
  }

  public StorageException(Code code, String key, String message) {
    this(code, key, 0, message, null);
  }

  public Code code() { return code; }
  public String key() { return key; }
  /** For COMPACTED: the compacted revision when known. */
  public long revision() { return revision; }
}
