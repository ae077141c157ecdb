package io.marketbill.gateway.protection;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The browser's rules on every page the gateway serves, its own and the services' (the binding page, the ops
 * console, the opt-out page, free login and AWS registration; {@link #forBrowsers}): no framing, no sniffing, no Referer (free-login links
 * and login tickets ride in URLs), a content security policy that allows nothing but the page's own inline styles (the
 * pages have no scripts and load nothing), and, when the public address is https, HSTS. A header a service already
 * set stays as it set it (security review, finding 14).
 */
@Component
class BrowserHeaders implements WebFilter, Ordered {

    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'";

    private final boolean https;

    BrowserHeaders(@Value("${marketbill.public-base-url:}") String publicBaseUrl) {
        this.https = publicBaseUrl.startsWith("https://");
    }

    /**
     * Whether a browser is sent here: every page, and of the marketplace paths only the two a buyer's browser follows
     * (Alibaba free login, AWS registration). Not the JSON APIs nor the marketplaces' own callbacks (machines, and
     * the hottest path).
     */
    static boolean forBrowsers(String path) {
        if (path.startsWith("/marketplace/")) {
            return path.startsWith("/marketplace/aliyun/sso") || path.startsWith("/marketplace/aws/register");
        }
        return !path.startsWith("/api/");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!forBrowsers(exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders h = exchange.getResponse().getHeaders();
            setIfAbsent(h, "X-Content-Type-Options", "nosniff");
            setIfAbsent(h, "X-Frame-Options", "DENY");
            setIfAbsent(h, "Referrer-Policy", "no-referrer");
            setIfAbsent(h, "Content-Security-Policy", CSP);
            if (https) {
                setIfAbsent(h, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static void setIfAbsent(HttpHeaders h, String name, String value) {
        if (!h.containsHeader(name)) {
            h.set(name, value);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
