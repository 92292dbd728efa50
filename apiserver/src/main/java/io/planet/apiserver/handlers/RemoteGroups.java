package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** API groups that other servers serve behind this one (the aggregator's APIServices), for discovery. */
public interface RemoteGroups {
  /** Group → versions, preferred first; groups in priority order. */
  Map<String, List<String>> groups();

  /** The backend's APIResourceList of a group/version; null when it could not be fetched in time. */
  ObjectNode resourceList(String group, String version);

  RemoteGroups NONE = new RemoteGroups() {
    @Override
    public Map<String, List<String>> groups() {
      return Map.of();
    }

    @Override
    public ObjectNode resourceList(String group, String version) {
      return null;
    }
  };
}
