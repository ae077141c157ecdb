package io.marketbill.gateway.subscriptions;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import io.marketbill.security.ServiceTokens;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.util.UriBuilder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's one way to subscription-service, for what a stateless gateway cannot know itself: which subscription
 * an AWS notification is about when it does not carry the account and license our ids are made of (SNS: only the
 * legacy customer identifier; "Purchase Agreement Ended": only the agreement), whether a subscription is registered
 * yet, and whether a free-login link was already used on any replica. Every call errors when subscription-service
 * cannot answer; callers then refuse with a status that makes the caller retry, never guess. Every call carries the
 * gateway's own token (client credentials, role {@code service}), never a caller's.
 */
@Component
public class SubscriptionServiceClient {

    /** An AWS agreement, the subscription of its license, and that subscription's state (null: not registered). */
    public record Agreement(String agreementId, String subscriptionId, String licenseArn, String subscriptionState) {
        public boolean registered() {
            return subscriptionState != null;
        }
    }

    record RecordAgreement(String agreementId, String subscriptionId, String licenseArn) {
    }

    record Claim(String tokenSha256, Instant expiresAt) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebClient web;
    // tolerant: subscription-service may answer more than the gateway reads
    private final JsonMapper json = JsonMapper.builder()
            .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    SubscriptionServiceClient(@Value("${marketbill.subscription-service-url:${SUBSCRIPTION_SERVICE_URL:http://127.0.0.1:8081}}")
                              String baseUrl, ServiceTokens tokens) {
        this.web = WebClient.builder().baseUrl(baseUrl).filter(withOwnToken(tokens)).build();
    }

    /**
     * Adds the gateway's token (asked for off the event loop: the token endpoint is a blocking call, made once per
     * token lifetime); a 401 means the token was revoked or rotated, so a new one is asked for and the call made once
     * more.
     */
    static ExchangeFilterFunction withOwnToken(ServiceTokens tokens) {
        return (request, next) -> call(tokens, request, next).flatMap(response -> {
            if (response.statusCode().value() != 401) {
                return Mono.just(response);
            }
            tokens.forget();
            return response.releaseBody().then(call(tokens, request, next));
        });
    }

    private static Mono<ClientResponse> call(ServiceTokens tokens, ClientRequest request,
                                             org.springframework.web.reactive.function.client.ExchangeFunction next) {
        return Mono.fromCallable(tokens::authorization).subscribeOn(Schedulers.boundedElastic())
                .flatMap(authorization -> next.exchange(ClientRequest.from(request)
                        .headers(h -> h.set(HttpHeaders.AUTHORIZATION, authorization)).build()));
    }

    /** The most recently updated AWS subscription matching, if any. */
    public Mono<Optional<String>> find(String param, String value, String productCode) {
        return web.get().uri((UriBuilder b) -> b.path("/api/subscriptions").queryParam("marketplace", "aws")
                        .queryParam(param, value).queryParam("productCode", productCode).queryParam("limit", 1).build())
                .retrieve().bodyToMono(String.class).timeout(TIMEOUT)
                .map(json::readTree)
                .map(list -> list.isArray() && !list.isEmpty() ? Optional.of(list.get(0).get("id").asString())
                        : Optional.<String>empty());
    }

    /** Whether the subscription was opened (a SubscriptionOpened applied), in any state. */
    public Mono<Boolean> exists(String subscriptionId) {
        return web.get().uri("/api/subscriptions/{id}", subscriptionId).retrieve().toBodilessEntity().timeout(TIMEOUT)
                .map(r -> true)
                .onErrorResume(WebClientResponseException.NotFound.class, e -> Mono.just(false));
    }

    /** The product code of the subscription, if it was opened. */
    public Mono<Optional<String>> productOf(String subscriptionId) {
        return web.get().uri("/api/subscriptions/{id}", subscriptionId).retrieve().bodyToMono(String.class)
                .timeout(TIMEOUT)
                .map(body -> Optional.ofNullable(json.readTree(body).get("productCode")).map(JsonNode::asString))
                .onErrorResume(WebClientResponseException.NotFound.class, e -> Mono.just(Optional.empty()));
    }

    /** Records which license the agreement bought; answers the agreement as subscription-service now has it. */
    public Mono<Agreement> recordAgreement(String agreementId, String subscriptionId, String licenseArn) {
        return web.post().uri("/internal/aws-agreements").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.writeValueAsString(new RecordAgreement(agreementId, subscriptionId, licenseArn)))
                .retrieve().bodyToMono(String.class).timeout(TIMEOUT)
                .map(body -> json.readValue(body, Agreement.class));
    }

    /** The agreement, if a License event recorded it. */
    public Mono<Optional<Agreement>> agreement(String agreementId) {
        return web.get().uri(b -> b.path("/internal/aws-agreements").queryParam("agreementId", "{id}").build(agreementId))
                .retrieve().bodyToMono(String.class).timeout(TIMEOUT)
                .map(body -> Optional.of(json.readValue(body, Agreement.class)))
                .onErrorResume(WebClientResponseException.NotFound.class, e -> Mono.just(Optional.empty()));
    }

    /**
     * Claims a free-login link for every replica: true the first time, false when it was claimed before.
     *
     * @param tokenSha256 the SHA-256 (lowercase hex) of the link's lower-cased token
     */
    public Mono<Boolean> claimFreeLogin(String tokenSha256, Instant expiresAt) {
        return web.post().uri("/internal/free-login-claims").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.writeValueAsString(new Claim(tokenSha256, expiresAt)))
                .retrieve().toBodilessEntity().timeout(TIMEOUT)
                .map(r -> true)
                .onErrorResume(WebClientResponseException.class, e -> e.getStatusCode().isSameCodeAs(HttpStatus.CONFLICT)
                        ? Mono.just(false) : Mono.error(e));
    }
}
