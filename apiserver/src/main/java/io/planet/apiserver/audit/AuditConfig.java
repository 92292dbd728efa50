package io.planet.apiserver.audit;

import java.nio.file.Path;

/**
 * Upstream's audit log flags.
 *
 * @param logPath --audit-log-path: the log file, "-" for standard output, null (the default) for no audit log
 * @param maxSizeBytes --audit-log-maxsize (given in MB on the command line): the size at which the file is rotated;
 *     0 means upstream's (lumberjack's) 100 MB
 * @param maxBackups --audit-log-maxbackup: rotated files kept; 0 keeps all
 * @param maxAgeDays --audit-log-maxage: rotated files older than this many days are removed; 0 keeps them
 * @param policyFile --audit-policy-file; null audits every request at Metadata
 * @param bufferSize events waiting to be written before new ones are dropped (upstream's batch buffer: 10000)
 */
public record AuditConfig(String logPath, long maxSizeBytes, int maxBackups, int maxAgeDays, Path policyFile,
    int bufferSize) {
  public static final long DEFAULT_MAX_SIZE_BYTES = 100L * 1024 * 1024;

  public AuditConfig {
    if (maxSizeBytes <= 0) maxSizeBytes = DEFAULT_MAX_SIZE_BYTES;
    if (bufferSize <= 0) bufferSize = 10_000;
  }

  public static AuditConfig disabled() {
    return new AuditConfig(null, 0, 0, 0, null, 0);
  }

  /** Audit to {@code logPath} with upstream's defaults otherwise. */
  public static AuditConfig logTo(String logPath) {
    return new AuditConfig(logPath, 0, 0, 0, null, 0);
  }

  public boolean enabled() {
    return logPath != null && !logPath.isEmpty();
  }

  public AuditConfig withPolicyFile(Path p) {
    return new AuditConfig(logPath, maxSizeBytes, maxBackups, maxAgeDays, p, bufferSize);
  }

  public AuditConfig withRotation(long maxBytes, int backups, int ageDays) {
    return new AuditConfig(logPath, maxBytes, backups, ageDays, policyFile, bufferSize);
  }
}
