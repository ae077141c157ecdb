package io.marketbill.billing.ledger;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a marketplace said to one metering call.
 *
 * @param kind    ACCEPTED (the call went through; per-record results may still differ), REFUSED (the
 *                marketplace answered with an error code: nothing was taken), UNKNOWN (no answer: it may or
 *                may not have been taken)
 * @param code    the marketplace's error code, e.g. {@code Service.Flow.Control}
 * @param message its message, or the failure
 * @param body    the parsed answer of an accepted call
 */
record MarketplaceAnswer(Kind kind, int status, String code, String message, JsonNode body) {

    enum Kind { ACCEPTED, REFUSED, UNKNOWN }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Sends a call and lets the marketplace's client read its JSON answer; no answer, or one that is not JSON
     * (a proxy's error page), is UNKNOWN: we cannot tell whether the marketplace took it.
     */
    static MarketplaceAnswer call(HttpClient http, HttpRequest request,
                                  BiFunction<Integer, JsonNode, MarketplaceAnswer> read) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new MarketplaceAnswer(Kind.UNKNOWN, 0, "IOException", e.toString(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MarketplaceAnswer(Kind.UNKNOWN, 0, "Interrupted", e.toString(), null);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (RuntimeException e) {
            return new MarketplaceAnswer(Kind.UNKNOWN, response.statusCode(), "UnreadableAnswer",
                    LedgerSettlement.clip(response.body()), null);
        }
        return read.apply(response.statusCode(), body);
    }
}
