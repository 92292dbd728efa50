package io.planet.apiserver.handlers;

/** One health check behind a v1 ComponentStatus (upstream's componentstatus.Server). */
public interface ComponentProbe {

  /**
   * The Healthy condition's fields, as upstream's DoServerCheck returns them.
   *
   * @param status "True" (probe succeeded), "False" (it answered unhealthy) or "Unknown" (it could not be asked)
   * @param message what the component answered ("ok"), empty when it could not be asked
   * @param error why the probe failed, empty when it did not
   */
  record Result(String status, String message, String error) {
    public static Result healthy(String message) {
      return new Result("True", message, "");
    }

    public static Result unhealthy(String message, String error) {
      return new Result("False", message, error);
    }

    public static Result unknown(String error) {
      return new Result("Unknown", "", error);
    }
  }

  /** Asks the component once; never throws, and returns within the probe's timeout. */
  Result check();
}
