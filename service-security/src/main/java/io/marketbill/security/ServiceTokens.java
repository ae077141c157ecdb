package io.marketbill.security;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * This service's own token for its calls to the other services: OAuth 2.0 client credentials at the vendor's
 * identity provider (RFC 6749 §4.4; the client authenticates with HTTP Basic, §2.3.1). A token is reused until a
 * minute before it expires (or half its lifetime, when that is shorter), then a new one is asked for: the provider
 * issues them short-lived, so a rotated client secret or a revoked client takes effect within one lifetime. A call
 * answered 401 is made once more with a new token ({@link #send}, {@link #sendAsync}; a caller with its own client,
 * the gateway's reactive one, calls {@link #forget()} itself).
 */
public final class ServiceTokens {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ServiceSecurityProperties.Client client;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private String token;
    private Instant renewAt = Instant.MIN;

    public ServiceTokens(ServiceSecurityProperties.Client client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public boolean configured() {
        return client.configured();
    }

    /** {@code Bearer <token>}, for the Authorization header of a call to another service. */
    public String authorization() {
        return "Bearer " + token();
    }

    public synchronized String token() {
        if (!client.configured()) {
            throw new IllegalStateException("marketbill.security.client.token-uri (env SERVICE_TOKEN_URI) is not set: "
                    + "this service has no token of its own for calls to the other services");
        }
        Instant now = clock.instant();
        if (token == null || !now.isBefore(renewAt)) {
            fetch(now);
        }
        return token;
    }

    /**
     * Sends {@code request} with this service's token; answered 401 (the token was revoked, or its client's secret
     * rotated), asks for a new token and sends once more. For the services' calls with the JDK client.
     */
    public HttpResponse<String> send(HttpClient client, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request.setHeader("Authorization", authorization()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 401) {
            return r;
        }
        forget();
        return client.send(request.setHeader("Authorization", authorization()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@link #send}, without waiting. The token itself is got (or renewed) before the call, on the caller's thread. */
    public java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpClient client,
                                                                               HttpRequest.Builder request) {
        return client.sendAsync(request.setHeader("Authorization", authorization()).build(),
                HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
                    if (r.statusCode() != 401) {
                        return java.util.concurrent.CompletableFuture.completedFuture(r);
                    }
                    forget();
                    return client.sendAsync(request.setHeader("Authorization", authorization()).build(),
                            HttpResponse.BodyHandlers.ofString());
                });
    }

    /** The token was refused: the next call asks for a new one. */
    public synchronized void forget() {
        token = null;
    }

    private void fetch(Instant now) {
        String form = "grant_type=client_credentials" + (client.scope() == null || client.scope().isBlank() ? ""
                : "&scope=" + URLEncoder.encode(client.scope(), StandardCharsets.UTF_8));
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(client.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(java.net.URI.create(client.tokenUri())).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the identity provider's token endpoint " + client.tokenUri()
                    + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for a service token", e);
        }
        // never the body: a token endpoint's error may echo what it was sent
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the identity provider refused client " + client.clientId()
                    + " a token: HTTP " + r.statusCode());
        }
        JsonNode body = JSON.readTree(r.body());
        String accessToken = body.path("access_token").asString("");
        if (accessToken.isEmpty()) {
            throw new IllegalStateException("the identity provider's token answer has no access_token");
        }
        long lifetime = body.path("expires_in").asLong(300);
        long early = Math.min(60, lifetime / 2);
        token = accessToken;
        renewAt = now.plusSeconds(Math.max(0, lifetime - early));
    }
}
