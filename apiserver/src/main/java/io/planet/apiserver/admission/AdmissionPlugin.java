package io.planet.apiserver.admission;

/**
 * One admission plugin, named as upstream. Mutating plugins change {@code attrs.object()} in {@link #mutate};
 * validating plugins refuse in {@link #validate} by throwing an ApiException (a Status with upstream's code).
 */
public interface AdmissionPlugin {
  String name();

  default void mutate(AdmissionAttributes attrs) {}

  default void validate(AdmissionAttributes attrs) {}
}
