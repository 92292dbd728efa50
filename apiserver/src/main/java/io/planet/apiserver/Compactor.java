package io.planet.apiserver;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.planet.apiserver.storage.EtcdStorage;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic etcd compaction, as upstream's: each tick compacts to the revision seen at the previous tick, so at least
 * one interval of history stays. API servers coordinate through the version of {@code compact_rev_key}: only the
 * one whose transaction wins compacts.
 */
final class Compactor {
  private static final Logger logger = LoggerFactory.getLogger(Compactor.class);
  private static final ByteSequence KEY = ByteSequence.from("compact_rev_key", StandardCharsets.UTF_8);

  private final EtcdStorage storage;
  private long lastVersion;
  private long lastRevision;

  Compactor(EtcdStorage storage) {
    this.storage = storage;
  }

  void tick() {
    try {
      KV kv = storage.client().getKVClient();
      long version = kv.get(KEY).get(10, TimeUnit.SECONDS).getKvs().stream().findFirst().map(k -> k.getVersion()).orElse(0L);
      long current = storage.currentRevision();
      TxnResponse r = kv.txn()
          .If(new Cmp(KEY, Cmp.Op.EQUAL, CmpTarget.version(lastVersion == 0 ? version : lastVersion)))
          .Then(Op.put(KEY, ByteSequence.from(Long.toString(current), StandardCharsets.UTF_8), PutOption.DEFAULT))
          .Else(Op.get(KEY, GetOption.DEFAULT))
          .commit().get(10, TimeUnit.SECONDS);
      long compactTo = lastRevision;
      if (r.isSucceeded()) {
        lastVersion = (lastVersion == 0 ? version : lastVersion) + 1;
        lastRevision = current;
        if (compactTo > 0) {
          storage.compact(compactTo);
          logger.info("compacted etcd to revision {}", compactTo);
        }
      } else {
        // another API server compacted this round; follow its count
        lastVersion = r.getGetResponses().get(0).getKvs().get(0).getVersion();
        lastRevision = current;
      }
    } catch (Exception e) {
      if (String.valueOf(e.getMessage()).contains("compacted")) return;
      logger.warn("etcd compaction failed: {}", e.toString());
    }
  }
}
