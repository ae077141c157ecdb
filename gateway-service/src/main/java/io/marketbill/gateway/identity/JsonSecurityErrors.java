package io.marketbill.gateway.identity;

import io.marketbill.gateway.protection.JsonRefusal;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.server.BearerTokenServerAuthenticationEntryPoint;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import reactor.core.publisher.Mono;

/** 401 and 403 as JSON {@code {"error":"unauthorized"|"forbidden","message":...}}, like every other refusal. */
final class JsonSecurityErrors {

    private JsonSecurityErrors() {
    }

    /**
     * 401 with the {@code WWW-Authenticate: Bearer ...} header the bearer-token entry point computes (RFC 6750),
     * and a JSON body instead of its empty one.
     */
    static ServerAuthenticationEntryPoint unauthorized() {
        BearerTokenServerAuthenticationEntryPoint bearer = new BearerTokenServerAuthenticationEntryPoint();
        return (exchange, ex) -> {
            // a fixed message: the decoder's own (Nimbus's parse errors, a JWKS address) is not for the caller
            String message = ex instanceof OAuth2AuthenticationException
                    ? "the bearer token is not valid (issuer, audience, expiry, signature)"
                    : "a bearer token from the identity provider is required";
            ServerHttpResponse withBody = new ServerHttpResponseDecorator(exchange.getResponse()) {
                @Override
                public Mono<Void> setComplete() {
                    return write(getDelegate(), null, "unauthorized", message);
                }
            };
            return bearer.commence(exchange.mutate().response(withBody).build(), ex);
        };
    }

    static ServerAccessDeniedHandler forbidden() {
        return (exchange, denied) -> write(exchange.getResponse(), HttpStatus.FORBIDDEN, "forbidden",
                "this API is for operators");
    }

    /** Outside the APIs and the public paths: nothing a token could open. */
    static ServerAuthenticationEntryPoint notPublic() {
        return (exchange, ex) -> write(exchange.getResponse(), HttpStatus.FORBIDDEN, "forbidden",
                "not a public path");
    }

    private static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String error, String message) {
        return JsonRefusal.write(response, status, error, message);
    }
}
