package io.marketbill.binding.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import io.marketbill.security.ServiceTokens;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The other services, called with binding-service's own token (client credentials; its client has the operator role
 * at the identity provider) once the console has checked that its caller is an operator: never with the operator's
 * ID token, which is meant for the console alone. A short timeout, and never an exception: a service that is down or
 * refuses gives a {@link Result} with the problem, shown as "unavailable". A 401 (the token was revoked or its secret
 * rotated) gets a new token and one more try.
 */
@Component
class OpsServices {

    static final String SUBSCRIPTION = "subscription-service";
    static final String BILLING = "billing-service";
    static final String NOTIFICATION = "notification-service";

    /** The answer, or why there is none. */
    record Result(Object body, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Duration timeout;
    private final HttpClient http;
    private final ServiceTokens tokens;

    OpsServices(ServiceTokens tokens, @Value("${marketbill.ops.subscription-service-url}") String subscription,
                @Value("${marketbill.ops.billing-service-url}") String billing,
                @Value("${marketbill.ops.notification-service-url}") String notification,
                @Value("${marketbill.ops.timeout:3s}") Duration timeout) {
        urls.put(SUBSCRIPTION, subscription.replaceAll("/+$", ""));
        urls.put(BILLING, billing.replaceAll("/+$", ""));
        urls.put(NOTIFICATION, notification.replaceAll("/+$", ""));
        this.timeout = timeout;
        this.tokens = tokens;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The remote services by name (binding-service itself is local). */
    Iterable<String> names() {
        return urls.keySet();
    }

    boolean known(String service) {
        return urls.containsKey(service);
    }

    CompletableFuture<Result> get(String service, String path) {
        return send(service, path, "GET");
    }

    CompletableFuture<Result> post(String service, String path) {
        return send(service, path, "POST");
    }

    private CompletableFuture<Result> send(String service, String path, String method) {
        String base = urls.get(service);
        if (base == null) {
            return CompletableFuture.completedFuture(new Result(null, "unknown service " + service));
        }
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                    .header("Accept", "application/json").method(method, HttpRequest.BodyPublishers.noBody());
            return tokens.sendAsync(http, request).handle(OpsServices::answer);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(null, "bad address: " + e.getMessage()));
        } catch (IllegalStateException e) { // no token of its own: not configured, or the provider refused
            return CompletableFuture.completedFuture(new Result(null, e.getMessage()));
        }
    }

    private static Result answer(HttpResponse<String> r, Throwable e) {
        if (e != null) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Result(null, cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        if (r.statusCode() / 100 != 2) {
            return new Result(null, "HTTP " + r.statusCode());
        }
        try {
            return new Result(OpsTable.parse(r.body()), null);
        } catch (RuntimeException parse) {
            return new Result(null, "not JSON: " + parse.getMessage());
        }
    }
}
