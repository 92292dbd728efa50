package io.planet.apiserver.auth.serviceaccount;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Upstream's service-account flags of the API server.
 *
 * @param issuer --service-account-issuer: the iss of tokens it issues and accepts
 * @param signingKeyFile --service-account-signing-key-file: the private key tokens are signed with (PEM)
 * @param keyFiles --service-account-key-file: public keys (PEM) tokens are verified with; the signing key's public
 *     half must be among them
 * @param apiAudiences --api-audiences: audiences a token must name one of to reach this API server; empty means
 *     the issuer, as upstream
 * @param maxExpiration --service-account-max-token-expiration: longer TokenRequests are cut to it; null: no limit
 * @param extendExpiration --service-account-extend-token-expiration: kubelet tokens asking for the admission
 *     default (3607 s) are valid a year and only warned about after 3607 s, as upstream's migration aid
 */
public record ServiceAccountTokenOptions(String issuer, Path signingKeyFile, List<Path> keyFiles,
    List<String> apiAudiences, Duration maxExpiration, boolean extendExpiration) {
  public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

  public ServiceAccountTokenOptions {
    if (issuer == null || issuer.isEmpty()) issuer = DEFAULT_ISSUER;
    keyFiles = List.copyOf(keyFiles);
    apiAudiences = apiAudiences == null || apiAudiences.isEmpty() ? List.of(issuer) : List.copyOf(apiAudiences);
  }

  /** The cluster PKI's sa.key/sa.pub with upstream's defaults. */
  public static ServiceAccountTokenOptions of(Path signingKeyFile, Path publicKeyFile) {
    return new ServiceAccountTokenOptions(DEFAULT_ISSUER, signingKeyFile, List.of(publicKeyFile), List.of(), null, true);
  }

  public ServiceAccountTokenOptions withIssuer(String i) {
    return new ServiceAccountTokenOptions(i, signingKeyFile, keyFiles, List.of(), maxExpiration, extendExpiration);
  }
}
