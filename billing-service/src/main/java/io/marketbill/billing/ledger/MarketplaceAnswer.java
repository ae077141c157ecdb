package io.marketbill.billing.ledger;

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
record MarketplaceAnswer(Kind kind, int status, String code, String message, tools.jackson.databind.JsonNode body) {

    enum Kind { ACCEPTED, REFUSED, UNKNOWN }
}
