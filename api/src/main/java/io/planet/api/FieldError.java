package io.planet.api;

/**
 * One invalid field, rendered as a {@code details.causes[]} entry of a 422 Status. The message follows
 * upstream's {@code field.Error.Error()}: "{field}: {type}: {detail}".
 */
public record FieldError(Type type, String field, String message) {

  /** Upstream's field.ErrorType values (k8s.io/apimachinery/pkg/util/validation/field). */
  public enum Type {
    REQUIRED("FieldValueRequired", "Required value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    TOO_MANY("FieldValueTooMany", "Too many"),
    NOT_FOUND("FieldValueNotFound", "Not found"),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value"),
    INTERNAL("InternalError", "Internal error");

    private final String causeType;
    private final String text;

    Type(String causeType, String text) {
      this.causeType = causeType;
      this.text = text;
    }

    public String causeType() { return causeType; }
    public String text() { return text; }
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, field + ": Required value" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
  }

  /** {@code value} is rendered as upstream does: strings quoted, numbers and booleans bare. */
  public static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, field + ": Invalid value: " + render(value) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, field + ": Forbidden: " + detail);
  }

  public static FieldError notSupported(String field, Object value, java.util.Collection<String> valid) {
    StringBuilder b = new StringBuilder(field).append(": Unsupported value: ").append(render(value));
    if (valid != null && !valid.isEmpty()) {
      b.append(": supported values: ");
      int i = 0;
      for (String v : valid) {
        if (i++ > 0) b.append(", ");
        b.append('"').append(v).append('"');
      }
    }
    return new FieldError(Type.NOT_SUPPORTED, field, b.toString());
  }

  public static FieldError duplicate(String field, Object value) {
    return new FieldError(Type.DUPLICATE, field, field + ": Duplicate value: " + render(value));
  }

  public static FieldError tooLong(String field, int max) {
    return new FieldError(Type.TOO_LONG, field, field + ": Too long: may not be more than " + max + " bytes");
  }

  public static FieldError notFound(String field, Object value) {
    return new FieldError(Type.NOT_FOUND, field, field + ": Not found: " + render(value));
  }

  static String render(Object value) {
    if (value == null) return "null";
    if (value instanceof com.fasterxml.jackson.databind.JsonNode n) {
      if (n.isTextual()) return "\"" + n.asText() + "\"";
      return n.toString();
    }
    if (value instanceof String s) return "\"" + s + "\"";
    return String.valueOf(value);
  }
}
