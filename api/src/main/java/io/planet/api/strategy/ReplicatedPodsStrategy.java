package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;

/** What ReplicaSets and ReplicationControllers share: status starts at 0 replicas, generation tracks the spec. */
abstract class ReplicatedPodsStrategy implements ResourceStrategy {
  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.set("status", Json.object().put("replicas", 0));
    Generations.onCreate(obj);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    Generations.onUpdate(obj, old, Generations.specChanged(obj, old));
  }
}
