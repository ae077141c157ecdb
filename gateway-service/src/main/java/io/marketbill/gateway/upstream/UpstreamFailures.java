package io.marketbill.gateway.upstream;

import io.marketbill.gateway.login.BrowserErrorPage;
import io.marketbill.gateway.protection.JsonRefusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * A service behind a route that cannot be reached is answered 503 with {@code Retry-After} (the request never reached
 * it, so a retry is safe), and one that dropped the connection before answering 502 (the request may have been
 * processed). Spring Cloud Gateway itself answers both with a bare 500 (spring-cloud-gateway#4208), which tells a
 * client nothing about whether to retry. Browser routes get the bilingual HTML page, the APIs JSON like every other
 * refusal. Counted as {@code marketbill.gateway.upstream.failures} by route and status.
 */
@Component
class UpstreamFailures implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamFailures.class);
    /** Seconds a client should wait before retrying: a restarting service is usually back within seconds. */
    static final String RETRY_AFTER = "2";

    private final MeterRegistry meters;

    UpstreamFailures(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorResume(e -> {
            HttpStatus status = statusFor(e);
            return status == null || exchange.getResponse().isCommitted() ? Mono.error(e) : answer(exchange, status, e);
        });
    }

    /** 503 when no connection could be made, 502 when the connection closed before a response; else not ours. */
    static HttpStatus statusFor(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return HttpStatus.SERVICE_UNAVAILABLE;
            }
            if (t instanceof PrematureCloseException) {
                return HttpStatus.BAD_GATEWAY;
            }
        }
        return null;
    }

    private Mono<Void> answer(ServerWebExchange exchange, HttpStatus status, Throwable error) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        String routeId = route == null ? "none" : route.getId();
        Counter.builder("marketbill.gateway.upstream.failures")
                .description("Requests the service behind a route could not answer (503 unreachable, 502 connection lost)")
                .tag("route", routeId).tag("status", String.valueOf(status.value())).register(meters).increment();
        // the message of a connect exception names host and port only: no secret in it
        log.warn("{} {}: route {} {} ({})", exchange.getRequest().getMethod(), exchange.getRequest().getPath().value(),
                routeId, status == HttpStatus.SERVICE_UNAVAILABLE ? "unreachable" : "lost the connection",
                error.getMessage());
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        }
        if (!browserRoute(exchange.getRequest().getPath().value())) {
            return JsonRefusal.write(response, status,
                    status == HttpStatus.SERVICE_UNAVAILABLE ? "service_unavailable" : "bad_gateway",
                    status == HttpStatus.SERVICE_UNAVAILABLE
                            ? "the service behind " + routeId + " cannot be reached right now; retry shortly"
                            : "the service behind " + routeId + " closed the connection before answering; the request"
                                    + " may or may not have taken effect", Map.of("route", routeId));
        }
        response.getHeaders().setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
        byte[] page = BrowserErrorPage.html("服务暂时不可用，请稍后刷新重试。",
                "This page is briefly unavailable. Please reload it in a moment.").getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(page)));
    }

    /** The server-rendered pages behind the gateway: the binding page, the ops console and the opt-out page. */
    static boolean browserRoute(String path) {
        return path.equals("/binding") || path.startsWith("/binding/") || path.equals("/ops") || path.startsWith("/ops/")
                || path.equals("/notifications/opt-out");
    }
}
