package io.marketbill.gateway.usage;

import io.marketbill.gateway.protection.JsonRefusal;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code /api/usage} is called by the vendor's platform, not by users: it authenticates with a producer's API key
 * ({@code X-Api-Key: <key>}, else {@code Authorization: Bearer <key>}), never with the identity provider's JWT.
 * Its own chain, ahead of {@code identity.ApiSecurity}'s {@code /api/**} chain (which leaves this path out, so
 * without this chain it would be refused). Stateless; the key is never logged or echoed.
 */
@Configuration(proxyBeanMethods = false)
class UsageSecurity {

    static final String PATH = "/api/usage";
    static final String KEY_HEADER = "X-Api-Key";

    @Bean
    @Order(0)
    SecurityWebFilterChain usageChain(ServerHttpSecurity http, UsageProducers producers, UsageCounts counts) {
        AuthenticationWebFilter apiKeys = new AuthenticationWebFilter(producers);
        apiKeys.setServerAuthenticationConverter(UsageSecurity::presentedKey);
        // the default would keep the authentication in a web session
        apiKeys.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        apiKeys.setAuthenticationFailureHandler((filterExchange, ex) -> {
            counts.rejected(UsageCounts.UNKNOWN_PRODUCER, "unauthorized", 1);
            return unauthorized(filterExchange.getExchange(), "the API key is not known");
        });
        http.securityMatcher(ServerWebExchangeMatchers.pathMatchers(PATH))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .addFilterAt(apiKeys, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(a -> a.anyExchange().hasAuthority(UsageProducers.ROLE))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((exchange, ex) -> {
                            counts.rejected(UsageCounts.UNKNOWN_PRODUCER, "unauthorized", 1);
                            return unauthorized(exchange, "a usage producer's API key is required: "
                                    + "X-Api-Key: <key> or Authorization: Bearer <key>");
                        })
                        .accessDeniedHandler((exchange, denied) -> write(exchange.getResponse(), HttpStatus.FORBIDDEN,
                                "forbidden", "only usage producers may post usage")));
        return http.build();
    }

    /** The key as credentials, to be found by {@link UsageProducers}; no key: not authenticated (401). */
    static Mono<Authentication> presentedKey(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String key = headers.getFirst(KEY_HEADER);
        if (key == null) {
            String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = authorization.substring(7);
            }
        }
        key = key == null ? "" : key.strip();
        return key.isEmpty() ? Mono.empty() : Mono.just(new PreAuthenticatedAuthenticationToken("api-key", key));
    }

    private static Mono<Void> unauthorized(ServerWebExchange exchange, String message) {
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"usage\"");
        return write(exchange.getResponse(), HttpStatus.UNAUTHORIZED, "unauthorized", message);
    }

    private static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String error, String message) {
        return JsonRefusal.write(response, status, error, message);
    }
}
