package io.planet.api.table;

import com.google.gson.annotations.SerializedName;
import io.swagger.annotations.ApiModelProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field descriptions of the built-in types, read from the client-java model classes (generated from the same
 * OpenAPI documents as upstream's {@code SwaggerDoc()} maps), so column descriptions match upstream's.
 */
final class SwaggerDocs {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private SwaggerDocs() {}

  /** The description of JSON field {@code field} of model class {@code model} (e.g. "V1ObjectMeta"); "" if unknown. */
  static String of(String model, String field) {
    return CACHE.computeIfAbsent(model + "#" + field, k -> lookup(model, field));
  }

  private static String lookup(String model, String field) {
    try {
      Class<?> c = Class.forName(MODELS + model);
      for (Field f : c.getDeclaredFields()) {
        SerializedName sn = f.getAnnotation(SerializedName.class);
        if (sn == null || !sn.value().equals(field)) continue;
        String cap = Character.toUpperCase(f.getName().charAt(0)) + f.getName().substring(1);
        for (String getter : new String[] {"get" + cap, "is" + cap}) {
          try {
            Method m = c.getMethod(getter);
            ApiModelProperty p = m.getAnnotation(ApiModelProperty.class);
            if (p != null) return p.value();
          } catch (NoSuchMethodException e) {
            // try the next accessor form
          }
        }
      }
    } catch (ClassNotFoundException | LinkageError e) {
      // descriptions are informational: a missing model only leaves the description empty
    }
    return "";
  }

  static String meta(String field) {
    return of("V1ObjectMeta", field);
  }
}
