package io.marketbill.gateway.aws;

import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Asks subscription-service which subscription an AWS notification is about, when the notification does
 * not carry the account and license our ids are made of (SNS: only the legacy customer identifier).
 */
@Component
class SubscriptionLookup {

    private final WebClient web;
    private final tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();

    SubscriptionLookup(@Value("${marketbill.subscription-service-url:${SUBSCRIPTION_SERVICE_URL:http://127.0.0.1:8081}}")
                       String baseUrl) {
        this.web = WebClient.builder().baseUrl(baseUrl).build();
    }

    /** The most recently updated subscription matching, if any; errors if subscription-service cannot answer. */
    Mono<Optional<String>> find(String param, String value, String productCode) {
        return web.get().uri((UriBuilder b) -> b.path("/api/subscriptions").queryParam("marketplace", "aws")
                        .queryParam(param, value).queryParam("productCode", productCode).queryParam("limit", 1).build())
                .retrieve().bodyToMono(String.class).timeout(Duration.ofSeconds(5))
                .map(json::readTree)
                .map(list -> list.isArray() && !list.isEmpty() ? Optional.of(list.get(0).get("id").asString())
                        : Optional.<String>empty());
    }
}
