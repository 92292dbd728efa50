package io.planet.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One resource's rules, in one place (upstream's {@code rest.RESTCreateStrategy} and friends): defaulting,
 * validation, what a write may change, and the fields it can be selected by. Every method operates on the
 * object as a JSON tree in the resource's served version.
 */
public interface ResourceStrategy {

  /** Fills defaults on create and update, as upstream's defaulting functions (after decoding). */
  default void applyDefaults(ResourceType type, ObjectNode obj) {}

  /** Clears what a create may not set (e.g. status when there is a status subresource). */
  default void prepareForCreate(ResourceType type, ObjectNode obj) {
    if (type.hasStatus()) obj.remove("status");
  }

  /** Create with the requesting user at hand: kinds that record who asked (CertificateSigningRequest) override this. */
  default void prepareForCreate(ResourceType type, ObjectNode obj, Requester requester) {
    prepareForCreate(type, obj);
  }

  /** Keeps what an update of the main resource may not change (status when it has its own subresource). */
  default void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    if (type.hasStatus()) {
      if (old.has("status")) obj.set("status", old.get("status").deepCopy());
      else obj.remove("status");
    }
  }

  /** An update through {@code /status}: only status changes; everything else stays as stored. */
  default void prepareForStatusUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ObjectNode merged = old.deepCopy();
    if (obj.has("status")) merged.set("status", obj.get("status"));
    else merged.remove("status");
    // metadata.resourceVersion carries the client's precondition
    String rv = Meta.resourceVersion(obj);
    obj.removeAll();
    obj.setAll(merged);
    if (!rv.isEmpty()) Meta.meta(obj).put("resourceVersion", rv);
  }

  /**
   * An update through a subresource other than scale (status, or e.g. certificatesigningrequests/approval): by
   * default only status changes.
   */
  default void prepareForSubresourceUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old) {
    prepareForStatusUpdate(type, obj, old);
  }

  /** Field errors of a new object. */
  default void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {}

  /** Field errors of an update (immutable fields and the rules of {@link #validate}). */
  default void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
  }

  /** Field errors of an update through {@code subresource} ("" for the resource itself). */
  default void validateUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      List<FieldError> errors) {
    validateUpdate(type, obj, old, errors);
  }

  /**
   * An object as read from storage, before it is served: custom resources get their schema's defaults (upstream
   * defaults on every read from etcd). Returns {@code stored} itself when nothing changes; never mutates it.
   */
  default ObjectNode defaultOnRead(ResourceType type, ObjectNode stored) {
    return stored;
  }

  /** Fields this resource can be selected by beyond metadata.name and metadata.namespace. */
  default Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of();
  }

  /** Whether deletes of this resource are graceful by default (pods). */
  default long defaultGracePeriodSeconds(ObjectNode obj) {
    return 0;
  }

  /** The verbs served, in discovery's order. */
  default List<String> verbs(ResourceType type) {
    return ResourceType.ALL_VERBS;
  }

  /** Upstream's "namespace is immutable / cluster-scoped" style extra checks happen in the server; this is per type. */
  default boolean allowCreateOnUpdate() {
    return false;
  }

  /** The strategy with no rules beyond the generic ones. */
  ResourceStrategy DEFAULT = new ResourceStrategy() {};
}
