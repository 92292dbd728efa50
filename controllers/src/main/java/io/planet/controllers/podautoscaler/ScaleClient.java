package io.planet.controllers.podautoscaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The scale subresource of any scalable kind (client-go's scale client): apiVersion + kind resolve through discovery
 * to a resource, whose {@code /scale} is read and written as autoscaling/v1 Scale.
 */
final class ScaleClient {
  /** A target's Scale: spec and status replicas, the pod selector, and the object to write back. */
  record Scale(int specReplicas, int statusReplicas, String selector, ObjectNode object, String path) {}

  /** Reading or writing the scale failed; the message is what the FailedGetScale/FailedUpdateScale texts carry. */
  static final class ScaleFailure extends Exception {
    ScaleFailure(String message) {
      super(message, null, false, false);
    }
  }

  private final ApiRequests api;
  private final ApiResources resources;

  ScaleClient(ApiRequests api, ApiResources resources) {
    this.api = api;
    this.resources = resources;
  }

  Scale get(String namespace, String apiVersion, String kind, String name) throws ScaleFailure {
    ApiResources.Resource r;
    try {
      r = resources.resolve(apiVersion, kind);
    } catch (IllegalArgumentException e) {
      throw new ScaleFailure(e.getMessage());
    }
    String path = r.collection(namespace) + "/" + name + "/scale";
    JsonNode s;
    try {
      s = api.get(path, Map.of());
    } catch (ApiRequests.Failure e) {
      throw new ScaleFailure(e.getMessage());
    }
    return new Scale(s.path("spec").path("replicas").asInt(0), s.path("status").path("replicas").asInt(0),
        s.path("status").path("selector").asText(""), (ObjectNode) s, path);
  }

  /** Writes spec.replicas with the resourceVersion read, so a concurrent change conflicts instead of being lost. */
  void update(Scale scale, int replicas) throws ScaleFailure {
    ObjectNode body = scale.object().deepCopy();
    ObjectNode spec = body.get("spec") instanceof ObjectNode o ? o : body.putObject("spec");
    spec.put("replicas", replicas);
    try {
      api.put(scale.path(), body);
    } catch (ApiRequests.Failure e) {
      throw new ScaleFailure(e.getMessage());
    }
  }
}
