package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiServerProcess;
import io.planet.apiserver.testing.EtcdTestServer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A kill -9 of the API server (or of etcd) during a write load loses no acknowledged write. */
class DurabilityIT {

  @Test
  void killingTheApiServerLosesNoAcknowledgedWrite() throws Exception {
    try (EtcdTestServer etcd = EtcdTestServer.started()) {
      int port = EtcdTestServer.freePort();
      ApiServerProcess first = ApiServerProcess.start(etcd.endpoint(), port);
      ApiClient api = new ApiClient("http://127.0.0.1:" + port);
      ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger counter = new AtomicInteger();
      List<Thread> writers = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread w = new Thread(() -> {
          while (!stop.get()) {
            String name = "c" + counter.incrementAndGet();
            try {
              ApiClient.Response r = api.post("/api/v1/namespaces/default/configmaps",
                  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}");
              if (r.code() == 201) acknowledged.add(name);
            } catch (RuntimeException connectionLost) {
              // not acknowledged: may or may not exist
            }
          }
        });
        w.start();
        writers.add(w);
      }
      while (acknowledged.size() < 200) Thread.onSpinWait();
      first.kill();
      stop.set(true);
      for (Thread w : writers) w.join();
      int acked = acknowledged.size();
      try (ApiServerProcess second = ApiServerProcess.start(etcd.endpoint(), port)) {
        for (String name : acknowledged) {
          assertThat(api.get("/api/v1/namespaces/default/configmaps/" + name).code()).as(name).isEqualTo(200);
        }
        assertThat(api.get("/api/v1/namespaces/default/configmaps").body().path("items").size()).isGreaterThanOrEqualTo(acked);
      }
    }
  }
}
