package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.planet.controllers.podautoscaler.Autoscaler;
import io.planet.controllers.podautoscaler.AutoscalerSettings;
import io.planet.controllers.podautoscaler.Selector;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HorizontalPodAutoscaler (autoscaling/v2), as upstream's podautoscaler controller: every HPA is reconciled when it
 * is created or its spec changes and again every sync period (15 s by default), because the metrics it follows
 * change without any watch event. The work is in {@link Autoscaler}.
 */
public final class HorizontalPodAutoscalerController extends Controller {
  private final KubernetesClient client;
  private final AutoscalerSettings settings;
  private SharedIndexInformer<HorizontalPodAutoscaler> hpas;
  private SharedIndexInformer<Pod> pods;
  private Autoscaler autoscaler;
  private ScheduledExecutorService resync;

  public HorizontalPodAutoscalerController(KubernetesClient client) {
    this(client, AutoscalerSettings.defaults());
  }

  public HorizontalPodAutoscalerController(KubernetesClient client, AutoscalerSettings settings) {
    super("horizontal-pod-autoscaler", 2);
    this.client = client;
    this.settings = settings;
  }

  /** Upstream's source.component for the autoscaler's events. */
  @Override
  protected String eventSource() {
    return "horizontal-pod-autoscaler";
  }

  @Override
  protected void register(Informers informers) {
    hpas = informers.informer(HorizontalPodAutoscaler.class);
    pods = informers.informer(Pod.class);
    autoscaler = new Autoscaler(client, this::selectPods, settings, Clock.systemUTC(), events());
    hpas.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(HorizontalPodAutoscaler hpa) {
        enqueue(key(hpa));
      }

      @Override
      public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
        // our own status writes come back as updates: only a spec change needs a look before the next sync
        if (!Objects.equals(old.getSpec(), hpa.getSpec())) enqueue(key(hpa));
      }

      @Override
      public void onDelete(HorizontalPodAutoscaler hpa, boolean unknown) {
        enqueue(key(hpa));
      }
    });
    resync = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "horizontal-pod-autoscaler-resync");
      t.setDaemon(true);
      return t;
    });
    long period = settings.syncPeriod().toMillis();
    resync.scheduleAtFixedRate(this::enqueueAll, period, period, TimeUnit.MILLISECONDS);
    informers.onStop(resync::shutdownNow);
  }

  private void enqueueAll() {
    try {
      for (HorizontalPodAutoscaler hpa : hpas.getStore().list()) enqueue(key(hpa));
    } catch (RuntimeException e) {
      log.debug("resync skipped: {}", e.toString());
    }
  }

  private List<Pod> selectPods(String namespace, Selector selector) {
    return pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
        .filter(p -> selector.matches(p.getMetadata().getLabels())).toList();
  }

  @Override
  protected void reconcile(String key) {
    HorizontalPodAutoscaler hpa = hpas.getStore().getByKey(key);
    if (hpa == null) {
      autoscaler.forget(key);
      return;
    }
    try {
      autoscaler.reconcile(hpa, key);
    } catch (Autoscaler.Failed e) {
      // upstream logs and tries again at the next sync, not with back-off: the status already says what is wrong
      log.info("{}: {}", key, e.getMessage());
    }
  }
}
