package io.planet.apiserver.auth.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import io.planet.apiserver.auth.TokenAuthenticator;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.auth.serviceaccount.ObjectGetter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bootstrap tokens (upstream's --enable-bootstrap-token-auth): {@code <id>.<secret>} is valid while the Secret
 * kube-system/bootstrap-token-&lt;id&gt; of type bootstrap.kubernetes.io/token holds that secret, allows
 * authentication (usage-bootstrap-authentication=true), is not expired and not being deleted. The user is
 * system:bootstrap:&lt;id&gt; in system:bootstrappers plus the secret's auth-extra-groups. Any mismatch means "not a
 * token I know", as upstream, so the caller gets the usual 401.
 */
public final class BootstrapTokenAuthenticator implements TokenAuthenticator {
  public static final String NAMESPACE = "kube-system";
  public static final String SECRET_PREFIX = "bootstrap-token-";
  public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
  public static final String GROUP = "system:bootstrappers";
  public static final String USER_PREFIX = "system:bootstrap:";
  public static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
  private static final Pattern EXTRA_GROUP = Pattern.compile("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$");

  private final ObjectGetter objects;
  private final Clock clock;

  public BootstrapTokenAuthenticator(ObjectGetter objects, Clock clock) {
    this.objects = objects;
    this.clock = clock;
  }

  @Override
  public Optional<UserInfo> authenticateToken(String token) {
    Matcher m = TOKEN.matcher(token);
    if (!m.matches()) return Optional.empty();
    String id = m.group(1);
    ObjectNode secret = objects.get("secrets", NAMESPACE, SECRET_PREFIX + id);
    if (secret == null || Meta.isDeleting(secret)) return Optional.empty();
    if (!SECRET_TYPE.equals(secret.path("type").asText())) return Optional.empty();
    JsonNode data = secret.path("data");
    byte[] want = m.group(2).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(want, value(data, "token-secret").getBytes(StandardCharsets.US_ASCII))) return Optional.empty();
    if (!value(data, "token-id").equals(id)) return Optional.empty();
    if (expired(value(data, "expiration"), clock.instant())) return Optional.empty();
    if (!value(data, "usage-bootstrap-authentication").equals("true")) return Optional.empty();
    List<String> groups = new ArrayList<>(List.of(GROUP));
    for (String g : value(data, "auth-extra-groups").split(",")) {
      g = g.trim();
      if (g.isEmpty()) continue;
      if (!EXTRA_GROUP.matcher(g).matches()) return Optional.empty();
      if (!groups.contains(g)) groups.add(g);
    }
    return Optional.of(new UserInfo(USER_PREFIX + id, "", groups, Map.of()));
  }

  /** An RFC 3339 expiration in the past; an unparsable one counts as expired, as upstream. */
  public static boolean expired(String expiration, Instant now) {
    if (expiration.isEmpty()) return false;
    try {
      return !now.isBefore(java.time.OffsetDateTime.parse(expiration).toInstant());
    } catch (DateTimeParseException e) {
      return true;
    }
  }

  /** A Secret's data value (base64) as text; stringData never reaches storage. */
  private static String value(JsonNode data, String key) {
    String b64 = data.path(key).asText("");
    if (b64.isEmpty()) return "";
    try {
      return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
