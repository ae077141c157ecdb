package io.marketbill.billing.overview;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether the caller may see an organization's billing: binding-service owns the directory, so it is asked,
 * with the caller's own token ({@code GET /api/bindings/organizations/{id}}: 200 for its members and
 * operators). Answers are kept for a short while per token and organization; billing-service keeps no copy
 * of the directory and does not verify tokens itself.
 */
@Component
class OrganizationAccess {

    /** The verdict, with the HTTP status to answer when access is denied. */
    enum Verdict { ALLOWED, NO_TOKEN, NOT_VISIBLE, DIRECTORY_UNAVAILABLE }

    private record Seen(Verdict verdict, Instant until) {
    }

    private final URI bindingService;
    private final Duration remember;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Clock wallClock = Clock.systemUTC();

    OrganizationAccess(@Value("${marketbill.billing.binding-service-url:${BINDING_SERVICE_URL:http://127.0.0.1:8082}}") URI bindingService,
                       @Value("${marketbill.billing.access-cache:30s}") Duration remember) {
        this.bindingService = bindingService;
        this.remember = remember;
    }

    Verdict check(String authorization, String organizationId) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Verdict.NO_TOKEN;
        }
        String key = Integer.toHexString(authorization.hashCode()) + authorization.length() + "|" + organizationId;
        Instant now = wallClock.instant();
        Seen s = seen.get(key);
        if (s != null && s.until().isAfter(now)) {
            return s.verdict();
        }
        Verdict v = ask(authorization, organizationId);
        if (v != Verdict.DIRECTORY_UNAVAILABLE) {
            if (seen.size() > 10_000) {
                seen.clear();
            }
            seen.put(key, new Seen(v, now.plus(remember)));
        }
        return v;
    }

    private Verdict ask(String authorization, String organizationId) {
        HttpRequest request = HttpRequest.newBuilder(bindingService.resolve("/api/bindings/organizations/"
                        + URLEncoder.encode(organizationId, StandardCharsets.UTF_8).replace("+", "%20")))
                .timeout(Duration.ofSeconds(5)).header("Authorization", authorization).GET().build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return Verdict.ALLOWED;
            }
            if (status == 401) {
                return Verdict.NO_TOKEN;
            }
            return status == 403 || status == 404 ? Verdict.NOT_VISIBLE : Verdict.DIRECTORY_UNAVAILABLE;
        } catch (IOException e) {
            return Verdict.DIRECTORY_UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.DIRECTORY_UNAVAILABLE;
        }
    }
}
