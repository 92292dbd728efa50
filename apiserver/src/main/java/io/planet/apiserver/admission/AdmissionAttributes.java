package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.apiserver.auth.UserInfo;
import java.util.List;

/**
 * What admission plugins decide on (upstream's admission.Attributes): who asks, the operation, the resource and
 * subresource, where, and the object before and after. {@code warnings} collects the response's Warning headers.
 *
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param object the incoming object (mutable in the mutating phase); null on DELETE
 * @param oldObject the stored object on UPDATE and DELETE, else null
 */
public record AdmissionAttributes(UserInfo user, String operation, ResourceType type, String subresource,
    String namespace, String name, ObjectNode object, ObjectNode oldObject, boolean dryRun, List<String> warnings) {
  public static final String CREATE = "CREATE";
  public static final String UPDATE = "UPDATE";
  public static final String DELETE = "DELETE";
  public static final String CONNECT = "CONNECT";

  /** Whether this is about {@code group/plural} itself (not a subresource). */
  public boolean isResource(String group, String plural) {
    return type.group().equals(group) && type.plural().equals(plural) && subresource.isEmpty();
  }

  /** Adds a Warning header once (an update retried after a conflict runs the plugins again). */
  public void warn(String message) {
    if (!warnings.contains(message)) warnings.add(message);
  }

  public boolean isPod() {
    return isResource("", "pods");
  }

  /** Upstream's Forbidden for this request: {@code <resource> "<name>" is forbidden: <why>}, code 403. */
  public io.planet.api.ApiException forbidden(String why) {
    return io.planet.api.ApiException.forbidden(type.group(), type.plural(), name, why);
  }

  static String nameOf(ObjectNode obj, ObjectNode old) {
    if (obj != null && !Meta.name(obj).isEmpty()) return Meta.name(obj);
    if (old != null) return Meta.name(old);
    return obj == null ? "" : Meta.generateName(obj);
  }
}
