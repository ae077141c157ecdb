package io.marketbill.gateway.aliyun;

import io.marketbill.protocols.aliyun.AliyunSpiToken;

import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.gateway.login.BrowserErrorPage;
import io.marketbill.gateway.login.LoginTickets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code GET /marketplace/aliyun/sso}: the {@code authUrl} of free login (spec §1.6). The marketplace adds
 * {@code action=verify}, {@code instanceId}, {@code timeStamp} and {@code token}; a valid, fresh and unused
 * link redirects to the binding page with a short-lived signed ticket. Anything else: an HTML page, 403.
 */
@RestController
class AliyunFreeLoginController {

    private static final Logger log = LoggerFactory.getLogger(AliyunFreeLoginController.class);

    private final AliyunProperties props;
    private final LoginTickets tickets;
    private final MeterRegistry meters;
    private final Clock clock;
    /** Tokens already used, until they would be stale anyway (per gateway replica). */
    private final Map<String, Instant> used = new ConcurrentHashMap<>();

    AliyunFreeLoginController(AliyunProperties props, LoginTickets tickets, MeterRegistry meters, Clock clock) {
        this.props = props;
        this.tickets = tickets;
        this.meters = meters;
        this.clock = clock;
    }

    @GetMapping("/marketplace/aliyun/sso")
    ResponseEntity<String> sso(ServerWebExchange exchange) {
        MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (e.getValue().size() != 1) {
                return refuse("duplicate_parameter", "parameter " + e.getKey() + " given more than once");
            }
            params.put(e.getKey(), e.getValue().get(0) == null ? "" : e.getValue().get(0));
        }
        for (String required : List.of("action", "instanceId", "timeStamp", "token")) {
            if (params.getOrDefault(required, "").isBlank()) {
                return refuse("missing_parameter", "parameter " + required + " is missing");
            }
        }
        if (!AliyunSpiToken.verify(params, props.spiKey())) {
            return refuse("invalid_token", "token does not match");
        }
        if (!"verify".equals(params.get("action"))) {
            return refuse("unknown_action", "action must be verify");
        }
        Instant at;
        try {
            at = LocalDateTime.parse(params.get("timeStamp"), AliyunSpiController.DATE_TIME)
                    .atZone(props.timeZone()).toInstant();
        } catch (DateTimeParseException e) {
            return refuse("invalid_parameter", "timeStamp must be yyyy-MM-dd HH:mm:ss");
        }
        Instant now = clock.instant();
        Duration window = props.freeLoginWindow();
        if (Duration.between(at, now).abs().compareTo(window) > 0) {
            return refuse("stale_timestamp", "timeStamp " + params.get("timeStamp") + " is outside the "
                    + window.toMinutes() + "-minute window");
        }
        used.values().removeIf(expiry -> expiry.isBefore(now));
        if (used.putIfAbsent(params.get("token"), at.plus(window).plus(window)) != null) {
            return refuse("replayed", "this free-login link was already used");
        }
        String subscriptionId;
        try {
            subscriptionId = SubscriptionIds.aliyun(params.get("instanceId"));
        } catch (IllegalArgumentException e) {
            return refuse("invalid_parameter", e.getMessage());
        }
        Counter.builder("marketbill.callbacks").tag("marketplace", "aliyun").tag("action", "verify")
                .tag("outcome", "accepted").register(meters).increment();
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(URI.create(tickets.bindingPageFor(subscriptionId, null))).build();
    }

    private ResponseEntity<String> refuse(String reason, String detail) {
        Counter.builder("marketbill.callbacks.rejected").tag("marketplace", "aliyun").tag("reason", reason)
                .register(meters).increment();
        log.warn("refused Alibaba free login: {} ({})", reason, detail);
        return BrowserErrorPage.of(HttpStatus.FORBIDDEN, "免登链接无效或已过期，请从云市场控制台“已购买的服务”重新点击“免登”。",
                "This sign-in link is invalid or has expired. Open the service again from "
                        + "\"Purchased services\" in the Alibaba Cloud Marketplace console.");
    }
}
