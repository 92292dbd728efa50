package io.planet.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime side of CNI for network configuration lists, as the spec's "Attaching / checking / deleting an
 * attachment" sections describe: ADD runs the plugins in order, each getting the previous one's result as
 * prevResult; CHECK runs them in order with the cached ADD result; DEL runs them in reverse with it. DEL succeeds
 * again after DEL and for attachments never added, because plugins must tolerate missing resources.
 */
public final class CniClient {
  private static final Logger log = LoggerFactory.getLogger(CniClient.class);

  private final CniExec exec;
  private final CniResultCache cache;

  /** {@code cacheDir} keeps the ADD results (one small file per attachment) until DEL. */
  public CniClient(CniExec exec, Path cacheDir) {
    this.exec = exec;
    this.cache = new CniResultCache(cacheDir);
  }

  public CniExec exec() {
    return exec;
  }

  /** Attaches the container; on failure undoes what the plugins already did (DEL) and throws the ADD error. */
  public CniResult addNetworkList(CniConfigList net, CniRuntimeConf rt) throws IOException {
    ObjectNode prevResult = null;
    try {
      for (ObjectNode plugin : net.plugins()) {
        ObjectNode config = pluginConfig(net, plugin, rt, prevResult);
        Optional<ObjectNode> result = exec.run("ADD", config, rt);
        // a plugin that only acts (and prints nothing) passes the previous result on
        if (result.isPresent()) prevResult = result.get();
      }
      if (prevResult == null) {
        throw new CniException(net.plugins().get(0).path("type").asText(), "ADD", CniException.DECODE_FAILURE,
            "network " + net.name() + " produced no result", null);
      }
      cache.put(net.name(), rt, prevResult);
      return CniResult.parse(prevResult);
    } catch (IOException | RuntimeException e) {
      try {
        delete(net, rt, prevResult, rt.capabilityArgs());
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Asks every plugin whether the attachment is still as ADD left it (with the ADD's capability arguments when
   * {@code rt} has none); throws the first plugin's complaint.
   */
  public void checkNetworkList(CniConfigList net, CniRuntimeConf rt) throws IOException {
    Optional<CniResultCache.Entry> cached = cache.get(net.name(), rt);
    if (cached.isEmpty() || cached.get().result() == null) {
      throw new CniException(net.plugins().get(0).path("type").asText(), "CHECK", CniException.CONTAINER_UNKNOWN,
          "no cached ADD result for container " + rt.containerId() + " in network " + net.name(), null);
    }
    Map<String, Object> capabilityArgs = rt.capabilityArgs().isEmpty() ? cached.get().capabilityArgs() : rt.capabilityArgs();
    CniRuntimeConf checkRt = new CniRuntimeConf(rt.containerId(), rt.netns(), rt.ifName(), rt.args(), capabilityArgs);
    for (ObjectNode plugin : net.plugins()) {
      exec.run("CHECK", pluginConfig(net, plugin, checkRt, cached.get().result()), checkRt);
    }
  }

  /**
   * Detaches the container. The cached ADD result goes to the plugins as prevResult, and when {@code rt} carries no
   * capability arguments the ADD's are used (portmap needs the mappings to find its rules).
   */
  public void delNetworkList(CniConfigList net, CniRuntimeConf rt) throws IOException {
    Optional<CniResultCache.Entry> cached = cache.get(net.name(), rt);
    ObjectNode prevResult = cached.map(CniResultCache.Entry::result).orElse(null);
    Map<String, Object> capabilityArgs = rt.capabilityArgs();
    if (capabilityArgs.isEmpty() && cached.isPresent()) capabilityArgs = cached.get().capabilityArgs();
    delete(net, rt, prevResult, capabilityArgs);
  }

  /** Whether an ADD result for this attachment is cached (it was added and not deleted). */
  public boolean isAttached(CniConfigList net, CniRuntimeConf rt) throws IOException {
    return cache.get(net.name(), rt).isPresent();
  }

  private void delete(CniConfigList net, CniRuntimeConf rt, ObjectNode prevResult, Map<String, Object> capabilityArgs)
      throws IOException {
    CniRuntimeConf delRt = new CniRuntimeConf(rt.containerId(), rt.netns(), rt.ifName(), rt.args(), capabilityArgs);
    List<ObjectNode> plugins = net.plugins();
    for (int i = plugins.size() - 1; i >= 0; i--) {
      exec.run("DEL", pluginConfig(net, plugins.get(i), delRt, prevResult), delRt);
    }
    cache.remove(net.name(), rt);
    log.debug("CNI DEL {} {} {}", net.name(), rt.containerId(), rt.ifName());
  }

  /** The spec's "derive execution configuration": the plugin object plus name, cniVersion, prevResult, runtimeConfig. */
  static ObjectNode pluginConfig(CniConfigList net, ObjectNode plugin, CniRuntimeConf rt, ObjectNode prevResult) {
    ObjectNode c = plugin.deepCopy();
    c.put("cniVersion", net.cniVersion());
    c.put("name", net.name());
    if (prevResult != null) c.set("prevResult", prevResult);
    ObjectNode runtimeConfig = CniExec.JSON.createObjectNode();
    JsonNode capabilities = plugin.path("capabilities");
    for (Iterator<Map.Entry<String, JsonNode>> it = capabilities.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> cap = it.next();
      Object arg = rt.capabilityArgs().get(cap.getKey());
      if (cap.getValue().asBoolean(false) && arg != null) runtimeConfig.set(cap.getKey(), CniExec.JSON.valueToTree(arg));
    }
    if (!runtimeConfig.isEmpty()) c.set("runtimeConfig", runtimeConfig);
    return c;
  }
}
