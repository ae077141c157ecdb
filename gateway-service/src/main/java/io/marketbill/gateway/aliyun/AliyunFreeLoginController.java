package io.marketbill.gateway.aliyun;

import io.marketbill.gateway.protection.LogText;
import io.marketbill.protocols.aliyun.AliyunSpiToken;

import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.gateway.login.BrowserErrorPage;
import io.marketbill.gateway.login.BindingLinks;
import io.marketbill.gateway.subscriptions.SubscriptionServiceClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /marketplace/aliyun/sso}: the {@code authUrl} of free login (spec §1.6). The marketplace adds
 * {@code action=verify}, {@code instanceId}, {@code timeStamp} and {@code token}; a valid, fresh and unused
 * link redirects to the binding page with a short-lived signed ticket. Anything else: an HTML page, 403 (503 when
 * subscription-service cannot say whether the link was used).
 */
@RestController
class AliyunFreeLoginController {

    private static final Logger log = LoggerFactory.getLogger(AliyunFreeLoginController.class);

    private final AliyunProperties props;
    private final BindingLinks tickets;
    private final MeterRegistry meters;
    private final Clock clock;
    private final SubscriptionServiceClient subscriptions;

    AliyunFreeLoginController(AliyunProperties props, BindingLinks tickets, MeterRegistry meters, Clock clock,
                              SubscriptionServiceClient subscriptions) {
        this.props = props;
        this.tickets = tickets;
        this.meters = meters;
        this.clock = clock;
        this.subscriptions = subscriptions;
    }

    @GetMapping("/marketplace/aliyun/sso")
    Mono<ResponseEntity<String>> sso(ServerWebExchange exchange) {
        return checked(exchange.getRequest().getQueryParams());
    }

    private Mono<ResponseEntity<String>> checked(MultiValueMap<String, String> query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (e.getValue().size() != 1) {
                return Mono.just(refuse("duplicate_parameter", "parameter " + e.getKey() + " given more than once"));
            }
            params.put(e.getKey(), e.getValue().get(0) == null ? "" : e.getValue().get(0));
        }
        for (String required : List.of("action", "instanceId", "timeStamp", "token")) {
            if (params.getOrDefault(required, "").isBlank()) {
                return Mono.just(refuse("missing_parameter", "parameter " + required + " is missing"));
            }
        }
        if (!AliyunSpiToken.verify(params, props.spiKey())) {
            return Mono.just(refuse("invalid_token", "token does not match"));
        }
        if (!"verify".equals(params.get("action"))) {
            return Mono.just(refuse("unknown_action", "action must be verify"));
        }
        Instant at;
        try {
            at = LocalDateTime.parse(params.get("timeStamp"), AliyunSpiController.DATE_TIME)
                    .atZone(props.timeZone()).toInstant();
        } catch (DateTimeParseException e) {
            return Mono.just(refuse("invalid_parameter", "timeStamp must be yyyy-MM-dd HH:mm:ss"));
        }
        Instant now = clock.instant();
        Duration window = props.freeLoginWindow();
        if (Duration.between(at, now).abs().compareTo(window) > 0) {
            return Mono.just(refuse("stale_timestamp", "timeStamp " + params.get("timeStamp") + " is outside the "
                    + window.toMinutes() + "-minute window"));
        }
        String subscriptionId;
        try {
            subscriptionId = SubscriptionIds.aliyun(params.get("instanceId"));
        } catch (IllegalArgumentException e) {
            return Mono.just(refuse("invalid_parameter", e.getMessage()));
        }
        // Once per link on every replica: the claim lives in subscription-service, which all replicas share. The
        // token is compared case-insensitively (AliyunSpiToken), so the claim is of its lower-cased form: a link
        // with its hex letters' case changed is the same link. Only its hash leaves the gateway.
        String claim = sha256Hex(params.get("token").toLowerCase(Locale.ROOT));
        return subscriptions.claimFreeLogin(claim, at.plus(window).plus(window))
                .map(first -> {
                    if (!first) {
                        return refuse("replayed", "this free-login link was already used");
                    }
                    Counter.builder("marketbill.callbacks").tag("marketplace", "aliyun").tag("action", "verify")
                            .tag("outcome", "accepted").register(meters).increment();
                    return ResponseEntity.status(HttpStatus.FOUND)
                            .location(URI.create(tickets.bindingPageFor(subscriptionId, null))).<String>build();
                })
                // cannot tell whether the link was used: refuse it for now, the buyer may click again
                .onErrorResume(e -> {
                    Counter.builder("marketbill.callbacks.rejected").tag("marketplace", "aliyun")
                            .tag("reason", "claim_unavailable").register(meters).increment();
                    log.warn("Alibaba free login not checked: subscription-service did not answer ({})", e.toString());
                    return Mono.just(BrowserErrorPage.of(HttpStatus.SERVICE_UNAVAILABLE,
                            "暂时无法完成免登，请稍后从云市场控制台重新点击“免登”。",
                            "Sign-in is not possible right now. Please open the service again from the Alibaba "
                                    + "Cloud Marketplace console in a minute."));
                });
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private ResponseEntity<String> refuse(String reason, String detail) {
        Counter.builder("marketbill.callbacks.rejected").tag("marketplace", "aliyun").tag("reason", reason)
                .register(meters).increment();
        log.warn("refused Alibaba free login: {} ({})", reason, LogText.printable(detail));
        return BrowserErrorPage.of(HttpStatus.FORBIDDEN, "免登链接无效或已过期，请从云市场控制台“已购买的服务”重新点击“免登”。",
                "This sign-in link is invalid or has expired. Open the service again from "
                        + "\"Purchased services\" in the Alibaba Cloud Marketplace console.");
    }
}
