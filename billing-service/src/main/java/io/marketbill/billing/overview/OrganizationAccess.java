package io.marketbill.billing.overview;

import io.marketbill.security.ServiceTokens;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether a caller may see an organization's billing. The caller's token was verified by this service's API rules;
 * operators may see every organization; for anyone else binding-service, which owns the directory, is asked with
 * billing-service's own token ({@code GET /internal/organizations/{org}/members/{user}}: 200 for its members), never
 * with the caller's. Answers are kept for a short while per user and organization; billing-service keeps no copy of
 * the directory.
 */
@Component
class OrganizationAccess {

    /** The verdict, with the HTTP status to answer when access is denied. */
    enum Verdict { ALLOWED, NOT_VISIBLE, DIRECTORY_UNAVAILABLE }

    private record Seen(Verdict verdict, Instant until) {
    }

    private final URI bindingService;
    private final Duration remember;
    private final ServiceTokens tokens;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Clock wallClock = Clock.systemUTC();

    OrganizationAccess(@Value("${marketbill.billing.binding-service-url:${BINDING_SERVICE_URL:http://127.0.0.1:8082}}") URI bindingService,
                       @Value("${marketbill.billing.access-cache:30s}") Duration remember, ServiceTokens tokens) {
        this.bindingService = bindingService;
        this.remember = remember;
        this.tokens = tokens;
    }

    /** @param userId the verified token's subject; {@code operator}: the token has the operator role */
    Verdict check(String userId, boolean operator, String organizationId) {
        if (operator) {
            return Verdict.ALLOWED;
        }
        // the user id and the organization, exactly: no two callers share a verdict (security review, finding 12)
        String key = userId + "\u0000" + organizationId;
        Instant now = wallClock.instant();
        Seen s = seen.get(key);
        if (s != null && s.until().isAfter(now)) {
            return s.verdict();
        }
        Verdict v = ask(userId, organizationId);
        if (v != Verdict.DIRECTORY_UNAVAILABLE) {
            if (seen.size() > 10_000) {
                seen.clear();
            }
            seen.put(key, new Seen(v, now.plus(remember)));
        }
        return v;
    }

    private Verdict ask(String userId, String organizationId) {
        try {
            int status = tokens.send(http, HttpRequest.newBuilder(bindingService.resolve("/internal/organizations/"
                    + encode(organizationId) + "/members/" + encode(userId))).timeout(Duration.ofSeconds(5)).GET())
                    .statusCode();
            return status == 200 ? Verdict.ALLOWED : status == 404 ? Verdict.NOT_VISIBLE : Verdict.DIRECTORY_UNAVAILABLE;
        } catch (IOException | IllegalStateException e) { // binding-service or the token endpoint away
            return Verdict.DIRECTORY_UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.DIRECTORY_UNAVAILABLE;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
