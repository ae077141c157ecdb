package io.marketbill.gateway.protection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A token bucket per caller address ({@link ClientAddress}: the peer, or behind the vendor's trusted proxies the
 * address they forwarded) on the marketplace routes ({@code /marketplace/**}): a burst of
 * {@code marketbill.rate-limit.burst} calls, refilled at {@code marketbill.rate-limit.per-second}. Over it:
 * 429 with a JSON error, counted as a rejection. Per gateway replica; the marketplaces call from few
 * addresses and retry, so this only stops floods.
 */
@Component
class MarketplaceRateLimit implements WebFilter, Ordered {

    private static final int MAX_SOURCES = 100_000;

    private final TokenBuckets buckets;
    private final MeterRegistry meters;
    private final ClientAddress clients;

    MarketplaceRateLimit(@Value("${marketbill.rate-limit.per-second:200}") double perSecond,
                         @Value("${marketbill.rate-limit.burst:400}") double burst,
                         @Value("${marketbill.rate-limit.trusted-proxies:}") java.util.List<String> trustedProxies,
                         MeterRegistry meters) {
        this.buckets = new TokenBuckets(perSecond, burst, MAX_SOURCES);
        this.meters = meters;
        this.clients = new ClientAddress(trustedProxies);
    }

    boolean tryAcquire(String source, long now) {
        return buckets.tryAcquire(source, now);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/marketplace/")) {
            return chain.filter(exchange);
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        String source = clients.of(remote == null ? null : remote.getAddress(),
                exchange.getRequest().getHeaders().get("X-Forwarded-For"));
        if (tryAcquire(source, System.nanoTime())) {
            return chain.filter(exchange);
        }
        String marketplace = path.startsWith("/marketplace/aws") ? "aws" : "aliyun";
        Counter.builder("marketbill.callbacks.rejected").tag("marketplace", marketplace).tag("reason", "rate_limited")
                .register(meters).increment();
        exchange.getResponse().getHeaders().set("Retry-After", "1");
        return JsonRefusal.write(exchange.getResponse(), HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                "too many calls from this address; retry later");
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
