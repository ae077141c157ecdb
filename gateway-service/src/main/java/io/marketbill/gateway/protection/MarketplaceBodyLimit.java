package io.marketbill.gateway.protection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Marketplace callbacks are small: a declared body over {@code marketbill.max-callback-body} (64 KB) is
 * refused with 413 before it is read. A body without a declared length is bounded by the codec limit
 * ({@code spring.codec.max-in-memory-size}).
 *
 * <p>A moderately oversized body is read and discarded before the answer: closing a socket with unread
 * bytes in it makes the kernel send a reset, and the client may then never see the 413. Bodies declared
 * over {@link #DRAIN_FACTOR} times the limit are not worth reading; those connections are closed at once.
 */
@Component
class MarketplaceBodyLimit implements WebFilter, Ordered {

    static final int DRAIN_FACTOR = 16;

    private final long maxBytes;
    private final MeterRegistry meters;

    MarketplaceBodyLimit(@Value("${marketbill.max-callback-body:64KB}") DataSize max, MeterRegistry meters) {
        this.maxBytes = max.toBytes();
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (!path.startsWith("/marketplace/") || length <= maxBytes) {
            return chain.filter(exchange);
        }
        Counter.builder("marketbill.callbacks.rejected")
                .tag("marketplace", path.startsWith("/marketplace/aws") ? "aws" : "aliyun")
                .tag("reason", "payload_too_large").register(meters).increment();
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.PAYLOAD_TOO_LARGE);
        response.getHeaders().setConnection("close");
        Mono<Void> drained = length <= maxBytes * DRAIN_FACTOR
                ? exchange.getRequest().getBody().doOnNext(DataBufferUtils::release).then()
                : Mono.empty();
        return drained.then(Mono.defer(() -> JsonRefusal.write(response, HttpStatus.PAYLOAD_TOO_LARGE,
                "payload_too_large", "the body is over " + maxBytes + " bytes")));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 5;
    }
}
