package io.marketbill.gateway.aliyun;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.gateway.publishing.LifecycleEventPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    /** createInstance parameters with a meaning of their own; any other one is an extra billable item. */
    private static final Set<String> CREATE_PARAMS = Set.of("action", "token", "aliUid", "orderBizId", "orderId",
            "productCode", "skuId", "trial", "expiredOn", "template", "ecsInstanceId");

    private final AliyunProperties props;
    private final LifecycleEventPublisher publisher;
    private final MeterRegistry meters;
    private final Clock clock;
    private final String publicBaseUrl;

    AliyunSpiController(AliyunProperties props, LifecycleEventPublisher publisher, MeterRegistry meters,
                        @Value("${marketbill.public-base-url}") String publicBaseUrl) {
        this.props = props;
        this.publisher = publisher;
        this.meters = meters;
        this.clock = Clock.systemUTC();
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
    }

    @RequestMapping(path = "/marketplace/aliyun/spi", method = {RequestMethod.GET, RequestMethod.POST},
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Map<String, Object>>> spi(ServerWebExchange exchange) {
        return exchange.getFormData()
                .map(form -> merge(exchange.getRequest().getQueryParams(), form))
                .flatMap(this::handle)
                .onErrorResume(SpiRejection.class, this::rejected);
    }

    private Mono<ResponseEntity<Map<String, Object>>> handle(Map<String, String> params) {
        String action = params.get("action");
        if (action == null || action.isBlank()) {
            throw new SpiRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter 'action' is required");
        }
        if (!params.containsKey("token")) {
            throw new SpiRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter 'token' is required");
        }
        if (!AliyunSpiToken.verify(params, props.spiKey())) {
            throw new SpiRejection(HttpStatus.FORBIDDEN, "invalid_token",
                    "token does not match the parameters signed with the SPI key");
        }
        return switch (action) {
            case "createInstance" -> createInstance(params);
            case "releaseInstance" -> releaseInstance(params);
            default -> throw new SpiRejection(HttpStatus.BAD_REQUEST, "unknown_action", "unknown action '" + action + "'");
        };
    }

    private Mono<ResponseEntity<Map<String, Object>>> createInstance(Map<String, String> p) {
        String orderBizId = required(p, "orderBizId");
        String subscriptionId = subscriptionId(orderBizId, "orderBizId");
        Map<String, String> items = new TreeMap<>();
        p.forEach((k, v) -> {
            if (!CREATE_PARAMS.contains(k)) {
                items.put(k, v);
            }
        });
        SubscriptionOpened opened = new SubscriptionOpened(required(p, "productCode"), required(p, "skuId"),
                bool(p, "trial", true), required(p, "aliUid"), required(p, "orderId"), dateTime(p, "expiredOn"),
                items, null, null);
        EventEnvelope event = EventEnvelope.of(EventIds.fromNaturalKey(MARKETPLACE, "createInstance", orderBizId),
                clock.instant(), "gateway-service", subscriptionId, opened);
        return publisher.publish(event)
                .then(Mono.fromSupplier(() -> {
                    outcome("createInstance", "accepted", subscriptionId);
                    Map<String, Object> appInfo = new LinkedHashMap<>();
                    appInfo.put("authUrl", publicBaseUrl + "/marketplace/aliyun/sso");
                    appInfo.put("frontEndUrl", publicBaseUrl + "/binding");
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("instanceId", orderBizId);
                    body.put("appInfo", appInfo);
                    return ResponseEntity.ok(body);
                }))
                .onErrorResume(e -> !(e instanceof SpiRejection), e -> {
                    // "0" makes the marketplace call again (up to 120 times): nothing is lost
                    outcome("createInstance", "unavailable", subscriptionId);
                    log.warn("createInstance for {} not durable, answering instanceId 0: {}", subscriptionId,
                            e.toString());
                    return Mono.just(ResponseEntity.ok(Map.of("instanceId", "0")));
                });
    }

    private Mono<ResponseEntity<Map<String, Object>>> releaseInstance(Map<String, String> p) {
        String instanceId = required(p, "instanceId");
        String subscriptionId = subscriptionId(instanceId, "instanceId");
        SubscriptionClosed closed = new SubscriptionClosed(bool(p, "isRefund", true), p.get("orderId"), "RELEASED");
        EventEnvelope event = EventEnvelope.of(EventIds.fromNaturalKey(MARKETPLACE, "releaseInstance", instanceId),
                clock.instant(), "gateway-service", subscriptionId, closed);
        return acknowledge("releaseInstance", subscriptionId, event);
    }

    private Mono<ResponseEntity<Map<String, Object>>> acknowledge(String action, String subscriptionId,
                                                                 EventEnvelope event) {
        return publisher.publish(event)
                .then(Mono.fromSupplier(() -> {
                    outcome(action, "accepted", subscriptionId);
                    return ResponseEntity.ok(Map.<String, Object>of("success", success(true)));
                }))
                .onErrorResume(e -> !(e instanceof SpiRejection), e -> {
                    outcome(action, "unavailable", subscriptionId);
                    log.warn("{} for {} not durable, asking the marketplace to retry: {}", action, subscriptionId,
                            e.toString());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("success", success(false));
                    body.put("error", "unavailable");
                    body.put("message", "the event could not be made durable; retry later");
                    return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(body));
                });
    }

    private Object success(boolean ok) {
        return props.successAsString() ? Boolean.toString(ok) : ok;
    }

    private Mono<ResponseEntity<Map<String, Object>>> rejected(SpiRejection r) {
        Counter.builder("marketbill.callbacks.rejected")
                .description("Marketplace calls refused, by reason")
                .tag("marketplace", MARKETPLACE).tag("reason", r.reason).register(meters).increment();
        log.warn("rejected Alibaba SPI call: {} ({})", r.reason, r.getMessage());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", r.reason);
        body.put("message", r.getMessage());
        return Mono.just(ResponseEntity.status(r.status).contentType(MediaType.APPLICATION_JSON).body(body));
    }

    private void outcome(String action, String outcome, String subscriptionId) {
        Counter.builder("marketbill.callbacks")
                .description("Marketplace calls by marketplace, action and outcome")
                .tag("marketplace", MARKETPLACE).tag("action", action).tag("outcome", outcome)
                .register(meters).increment();
        MDC.put("subscriptionId", subscriptionId);
        try {
            log.info("{} {}", action, outcome);
        } finally {
            MDC.remove("subscriptionId");
        }
    }

    /** Query and form parameters together; a name given twice is refused (which value was signed?). */
    private static Map<String, String> merge(MultiValueMap<String, String> query, MultiValueMap<String, String> form) {
        Map<String, String> params = new LinkedHashMap<>();
        for (MultiValueMap<String, String> source : List.of(query, form)) {
            for (Map.Entry<String, List<String>> e : source.entrySet()) {
                if (e.getValue().size() != 1 || params.containsKey(e.getKey())) {
                    throw new SpiRejection(HttpStatus.BAD_REQUEST, "duplicate_parameter",
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
            throw new SpiRejection(HttpStatus.BAD_REQUEST, "missing_parameter", "parameter '" + name + "' is required");
        }
        return v;
    }

    private static String subscriptionId(String instanceId, String name) {
        try {
            return SubscriptionIds.aliyun(instanceId);
        } catch (IllegalArgumentException e) {
            throw new SpiRejection(HttpStatus.BAD_REQUEST, "invalid_parameter", "parameter '" + name + "': "
                    + e.getMessage());
        }
    }

    private static boolean bool(Map<String, String> p, String name, boolean required) {
        String v = required ? required(p, name) : p.getOrDefault(name, "false");
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SpiRejection(HttpStatus.BAD_REQUEST, "invalid_parameter",
                    "parameter '" + name + "' must be true or false");
        };
    }

    private Instant dateTime(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(v, DATE_TIME).atZone(props.timeZone()).toInstant();
        } catch (DateTimeParseException e) {
            throw new SpiRejection(HttpStatus.BAD_REQUEST, "invalid_parameter",
                    "parameter '" + name + "' must be yyyy-MM-dd HH:mm:ss");
        }
    }
}
