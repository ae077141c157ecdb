package io.marketbill.gateway.aliyun;

import io.marketbill.gateway.protection.LogText;
import io.marketbill.protocols.aliyun.AliyunSpiToken;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.gateway.login.BindingLinks;
import io.marketbill.gateway.products.ProductCatalog;
import io.marketbill.gateway.protection.CallbackRejection;
import io.marketbill.gateway.publishing.LifecycleEventPublisher;
import io.marketbill.gateway.subscriptions.SubscriptionServiceClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET|POST /marketplace/aliyun/spi}: the Alibaba Cloud Marketplace SPI (spec §1.4). Every call is
 * verified, turned into a lifecycle event and answered only once that event is durable on Kafka.
 */
@RestController
class AliyunSpiController {

    private static final Logger log = LoggerFactory.getLogger(AliyunSpiController.class);
    static final String MARKETPLACE = "aliyun";
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final AliyunProperties props;
    private final ProductCatalog products;
    private final LifecycleEventPublisher publisher;
    private final SubscriptionServiceClient subscriptions;
    private final MeterRegistry meters;
    private final Clock clock;
    private final String publicBaseUrl;
    private final BindingLinks tickets;

    AliyunSpiController(AliyunProperties props, ProductCatalog products, LifecycleEventPublisher publisher,
                        SubscriptionServiceClient subscriptions, MeterRegistry meters, Clock clock,
                        @Value("${marketbill.public-base-url}") String publicBaseUrl, BindingLinks tickets) {
        this.tickets = tickets;
        this.props = props;
        this.products = products;
        this.publisher = publisher;
        this.subscriptions = subscriptions;
        this.meters = meters;
        this.clock = clock;
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
    }

    @RequestMapping(path = "/marketplace/aliyun/spi", method = {RequestMethod.GET, RequestMethod.POST},
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Map<String, Object>>> spi(ServerWebExchange exchange) {
        return exchange.getFormData()
                .map(form -> merge(exchange.getRequest().getQueryParams(), form))
                .flatMap(this::handle)
                .onErrorMap(org.springframework.core.io.buffer.DataBufferLimitException.class,
                        e -> new CallbackRejection(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large",
                                "the request body is over the limit"))
                .onErrorResume(CallbackRejection.class, this::rejected);
    }

    private Mono<ResponseEntity<Map<String, Object>>> handle(Map<String, String> params) {
        String action = params.get("action");
        if (action == null || action.isBlank()) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter 'action' is required");
        }
        if (!params.containsKey("token")) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter 'token' is required");
        }
        if (!AliyunSpiToken.verify(params, props.spiKey())) {
            throw new CallbackRejection(HttpStatus.FORBIDDEN, "invalid_token",
                    "token does not match the parameters signed with the SPI key");
        }
        return switch (action) {
            case "createInstance" -> createInstance(params);
            case "renewInstance" -> renewInstance(params);
            case "upgradeInstance" -> upgradeInstance(params);
            case "refundRenewInstance" -> refundRenewInstance(params);
            case "expiredInstance" -> expiredInstance(params);
            case "releaseInstance" -> releaseInstance(params);
            default -> throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_action", "unknown action '" + action + "'");
        };
    }

    private Mono<ResponseEntity<Map<String, Object>>> createInstance(Map<String, String> p) {
        String orderBizId = required(p, "orderBizId");
        String subscriptionId = subscriptionId(orderBizId, "orderBizId");
        String productCode = required(p, "productCode");
        ProductCatalog.Product product = products.find(productCode).orElseThrow(() -> new CallbackRejection(
                HttpStatus.BAD_REQUEST, "unknown_product", "product code '" + productCode + "' is not configured"));
        SubscriptionOpened opened = new SubscriptionOpened(productCode, required(p, "skuId"),
                bool(p, "trial", true), required(p, "aliUid"), required(p, "orderId"), dateTime(p, "expiredOn"),
                billableItems(p, product), null, null);
        EventEnvelope event = EventEnvelope.of(EventIds.fromNaturalKey(MARKETPLACE, "createInstance", orderBizId),
                clock.instant(), "gateway-service", subscriptionId, opened);
        return publisher.publish(event)
                .then(Mono.fromSupplier(() -> {
                    outcome("createInstance", "accepted", subscriptionId);
                    Map<String, Object> appInfo = new LinkedHashMap<>();
                    appInfo.put("authUrl", publicBaseUrl + "/marketplace/aliyun/sso");
                    appInfo.put("frontEndUrl", frontEndUrl(orderBizId));
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("instanceId", orderBizId);
                    body.put("appInfo", appInfo);
                    return ResponseEntity.ok(body);
                }))
                .onErrorResume(e -> !(e instanceof CallbackRejection), e -> {
                    // "0" makes the marketplace call again (up to 120 times): nothing is lost
                    outcome("createInstance", "unavailable", subscriptionId);
                    log.warn("createInstance for {} not durable, answering instanceId 0: {}", subscriptionId,
                            e.toString());
                    return Mono.just(ResponseEntity.ok(Map.of("instanceId", "0")));
                });
    }

    /**
     * The 前台地址: the marketplace stores it once, here, and shows it to the buyer for the life of the instance, so it
     * is signed (it cannot be guessed for another instance) but never expires; binding-service's front-end page
     * tells from it how the instance stands and never binds anything with it alone.
     */
    private String frontEndUrl(String orderBizId) {
        return publicBaseUrl + "/binding/front?instance=" + URLEncoder.encode(orderBizId, StandardCharsets.UTF_8)
                + "&sig=" + tickets.frontEndLinkSignature(orderBizId);
    }

    /**
     * Neutral: only subscription-service knows whether the subscription was frozen, and turns this into
     * SubscriptionResumed when it was (event-contracts README, "Who decides"). The page lists {@code orderId} as
     * required (https://help.aliyun.com/document_detail/147367.htm), but renewInstance also unfreezes a pay-as-you-go
     * instance whose arrears were paid, and whether that call has an order is not documented: without one the event
     * is keyed on the instance and its new expiry, so a retry is still the same event.
     */
    private Mono<ResponseEntity<Map<String, Object>>> renewInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        String orderId = p.get("orderId") == null || p.get("orderId").isBlank() ? null : p.get("orderId");
        Instant expiresAt = requiredDateTime(p, "expiredOn");
        return acknowledge("renewInstance", instanceId, EventIds.fromNaturalKey(MARKETPLACE, "renewInstance",
                instanceId, orderId, p.get("expiredOn")), new SubscriptionChanged("RENEWED", orderId, null, expiresAt,
                Map.of()));
    }

    /**
     * The marketplace sends the new SKU and the changed billable items; expiry is unchanged. Billable items are
     * the instance's product's only: a parameter named like another product's item is not this instance's. The
     * call names the instance, not the product, so subscription-service says which product it is; until it knows the
     * instance (its createInstance not applied yet) the marketplace is asked to retry.
     */
    private Mono<ResponseEntity<Map<String, Object>>> upgradeInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        String skuId = required(p, "skuId");
        // the Chinese page lists orderId as required, the English one omits it: accept both
        String orderId = p.get("orderId");
        String subscriptionId = subscriptionId(instanceId, "instanceId");
        return subscriptions.productOf(subscriptionId)
                .flatMap(code -> code.flatMap(products::find).map(Mono::just).orElseGet(() -> Mono.error(
                        new IllegalStateException("subscription-service does not know " + subscriptionId
                                + "'s product yet"))))
                .flatMap(product -> {
                    Map<String, String> items = billableItems(p, product);
                    EventEnvelope event = EventEnvelope.of(EventIds.fromNaturalKey(MARKETPLACE, "upgradeInstance",
                            instanceId, orderId, skuId, items.toString()), clock.instant(), "gateway-service",
                            subscriptionId, new SubscriptionChanged("UPGRADED", orderId, skuId, null, items));
                    return acknowledge("upgradeInstance", subscriptionId, event);
                })
                .onErrorResume(e -> !(e instanceof CallbackRejection), e -> unavailable("upgradeInstance",
                        subscriptionId, e));
    }

    private Mono<ResponseEntity<Map<String, Object>>> refundRenewInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        Instant expiresAt = requiredDateTime(p, "expiredOn");
        return acknowledge("refundRenewInstance", instanceId, EventIds.fromNaturalKey(MARKETPLACE,
                "refundRenewInstance", instanceId, p.get("expiredOn")),
                new SubscriptionChanged("RENEWAL_REFUNDED", null, null, expiresAt, Map.of()));
    }

    /**
     * expiredInstance carries nothing but the instance id (https://help.aliyun.com/document_detail/159858.htm), so a
     * retry, a replay and a second expiry (after a renewal) look the same here: each call gets its own event id. The
     * state machine ignores a freeze of a frozen subscription (retries have one effect) and one during the term a
     * renewal paid for (a replay has none: subscription-service's ReplayedExpiry).
     */
    private Mono<ResponseEntity<Map<String, Object>>> expiredInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        return acknowledge("expiredInstance", instanceId, UUID.randomUUID(), new SubscriptionFrozen("EXPIRED", null));
    }

    private Mono<ResponseEntity<Map<String, Object>>> releaseInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        return acknowledge("releaseInstance", instanceId, EventIds.fromNaturalKey(MARKETPLACE, "releaseInstance",
                instanceId), new SubscriptionClosed(bool(p, "isRefund", true), p.get("orderId"), "RELEASED"));
    }

    private Mono<ResponseEntity<Map<String, Object>>> acknowledge(String action, String instanceId, UUID eventId,
                                                                 EventPayload payload) {
        String subscriptionId = subscriptionId(instanceId, "instanceId");
        EventEnvelope event = EventEnvelope.of(eventId, clock.instant(), "gateway-service", subscriptionId, payload);
        return acknowledge(action, subscriptionId, event);
    }

    /** The product's configured extra billable items present in the call (others are signed but not kept). */
    private static Map<String, String> billableItems(Map<String, String> p, ProductCatalog.Product product) {
        Map<String, String> items = new TreeMap<>();
        for (String key : product.billableItems()) {
            if (p.containsKey(key)) {
                items.put(key, p.get(key));
            }
        }
        return items;
    }

    private Mono<ResponseEntity<Map<String, Object>>> acknowledge(String action, String subscriptionId,
                                                                 EventEnvelope event) {
        return publisher.publish(event)
                .then(Mono.fromSupplier(() -> {
                    outcome(action, "accepted", subscriptionId);
                    return ResponseEntity.ok(Map.<String, Object>of("success", success(true)));
                }))
                .onErrorResume(e -> !(e instanceof CallbackRejection), e -> unavailable(action, subscriptionId, e));
    }

    private Mono<ResponseEntity<Map<String, Object>>> unavailable(String action, String subscriptionId, Throwable e) {
        outcome(action, "unavailable", subscriptionId);
        log.warn("{} for {} not durable, asking the marketplace to retry: {}", action, subscriptionId, e.toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", success(false));
        body.put("error", "unavailable");
        body.put("message", "the event could not be made durable; retry later");
        return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(body));
    }

    private Object success(boolean ok) {
        return props.successAsString() ? Boolean.toString(ok) : ok;
    }

    private Mono<ResponseEntity<Map<String, Object>>> rejected(CallbackRejection r) {
        log.warn("rejected Alibaba SPI call: {} ({})", r.reason(), LogText.printable(r.getMessage()));
        return Mono.just(r.respond(meters, MARKETPLACE));
    }

    private void outcome(String action, String outcome, String subscriptionId) {
        counters.computeIfAbsent(action + "|" + outcome, k -> Counter.builder("marketbill.callbacks")
                .description("Marketplace calls by marketplace, action and outcome")
                .tag("marketplace", MARKETPLACE).tag("action", action).tag("outcome", outcome)
                .register(meters)).increment();
        // accepted calls are on Kafka already; a line each only when asked for (DEBUG), problems always
        if (!outcome.equals("accepted") || log.isDebugEnabled()) {
            MDC.put("subscriptionId", subscriptionId);
            try {
                if (outcome.equals("accepted")) {
                    log.debug("{} {}", action, outcome);
                } else {
                    log.warn("{} {}", action, outcome);
                }
            } finally {
                MDC.remove("subscriptionId");
            }
        }
    }

    private final java.util.Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();

    /** Query and form parameters together; a name given twice is refused (which value was signed?). */
    private static Map<String, String> merge(MultiValueMap<String, String> query, MultiValueMap<String, String> form) {
        Map<String, String> params = new LinkedHashMap<>();
        for (MultiValueMap<String, String> source : List.of(query, form)) {
            for (Map.Entry<String, List<String>> e : source.entrySet()) {
                if (e.getValue().size() != 1 || params.containsKey(e.getKey())) {
                    throw new CallbackRejection(HttpStatus.BAD_REQUEST, "duplicate_parameter",
                            "parameter '" + e.getKey() + "' is given more than once");
                }
                params.put(e.getKey(), e.getValue().get(0) == null ? "" : e.getValue().get(0));
            }
        }
        return params;
    }

    private static String required(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v == null || v.isBlank()) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter '" + name + "' is required");
        }
        return v;
    }

    private static String subscriptionId(String instanceId, String name) {
        try {
            return SubscriptionIds.aliyun(instanceId);
        } catch (IllegalArgumentException e) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_parameter", "parameter '" + name + "': "
                    + e.getMessage());
        }
    }

    private static boolean bool(Map<String, String> p, String name, boolean required) {
        String v = required ? required(p, name) : p.getOrDefault(name, "false");
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_parameter",
                    "parameter '" + name + "' must be true or false");
        };
    }

    private Instant requiredDateTime(Map<String, String> p, String name) {
        required(p, name);
        return dateTime(p, name);
    }

    private Instant dateTime(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(v, DATE_TIME).atZone(props.timeZone()).toInstant();
        } catch (DateTimeParseException e) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_parameter",
                    "parameter '" + name + "' must be yyyy-MM-dd HH:mm:ss");
        }
    }
}
