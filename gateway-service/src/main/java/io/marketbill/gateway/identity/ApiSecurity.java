package io.marketbill.gateway.identity;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import io.marketbill.security.ServiceSecurityProperties;
import io.marketbill.security.TokenRules;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who may call what. {@code /api/**} needs a JWT from the vendor's identity provider: {@code /api/bindings/**}
 * and an organization's billing overview any user (the services check organization membership), every other
 * API (the metering ledger, reconciliation, closing hours, ...) an
 * operator; {@code /api/usage} ({@link #API_KEY_APIS}) takes a usage producer's API key instead, in a chain of
 * its own (package {@code usage}). The public paths ({@link #PUBLIC_PATHS}: marketplace callbacks, the binding
 * page, probes) match no security chain, and marketplace callbacks do not even enter Spring Security's filter; anything else is
 * refused. Stateless: no session, no CSRF, no login form. The Authorization header goes downstream unchanged, and the services check it again.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurity {

    /**
     * Open to anyone; each verifies its callers itself (marketplace signatures, binding-service's cookie, the
     * signed opt-out link of a mail).
     */
    static final String[] PUBLIC_PATHS = {"/marketplace/**", "/binding", "/binding/**", "/ops", "/ops/**",
            "/notifications/opt-out", "/livez", "/readyz"};

    /**
     * Served on the management port only (GATEWAY_MANAGEMENT_PORT), which no ingress routes; the same filters
     * guard it (Boot builds its handler from the application's WebFilters), so these alone are open there.
     */
    static final String[] ACTUATOR_OPEN = {"/actuator/health", "/actuator/health/**", "/actuator/prometheus",
            "/actuator/info"};

    /** Any signed-in user; the services behind check the organization. Every other API is for operators. */
    static final String[] USER_APIS = {"/api/bindings", "/api/bindings/**", "/api/billing/organizations/*/overview"};

    /**
     * Not for users: usage producers post usage with an API key (their own chain, {@code usage.UsageSecurity}).
     * Left out here so that a JWT can never open them; without that chain they fall to "everything else".
     */
    static final String[] API_KEY_APIS = {"/api/usage"};

    @Bean
    @Order(1)
    SecurityWebFilterChain apiChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder) {
        stateless(http.securityMatcher(new AndServerWebExchangeMatcher(
                ServerWebExchangeMatchers.pathMatchers("/api", "/api/**"),
                new NegatedServerWebExchangeMatcher(ServerWebExchangeMatchers.pathMatchers(API_KEY_APIS)))));
        http.authorizeExchange(a -> a.pathMatchers(USER_APIS).authenticated().anyExchange().hasRole("OPERATOR"))
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> jwt.jwtDecoder(decoder).jwtAuthenticationConverter(authenticationConverter()))
                        .authenticationEntryPoint(JsonSecurityErrors.unauthorized())
                        .accessDeniedHandler(JsonSecurityErrors.forbidden()))
                .exceptionHandling(e -> e.authenticationEntryPoint(JsonSecurityErrors.unauthorized())
                        .accessDeniedHandler(JsonSecurityErrors.forbidden()));
        return http.build();
    }

    /**
     * Actuator, which the management port alone serves: health, Prometheus and info to anyone who reaches that port
     * (the NetworkPolicies: Prometheus only), the health details to an operator's token, the rest to nobody.
     */
    @Bean
    @Order(0)
    SecurityWebFilterChain actuatorChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder) {
        stateless(http.securityMatcher(ServerWebExchangeMatchers.pathMatchers("/actuator", "/actuator/**")));
        http.authorizeExchange(a -> a.pathMatchers(ACTUATOR_OPEN).permitAll().anyExchange().denyAll())
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> jwt.jwtDecoder(decoder).jwtAuthenticationConverter(authenticationConverter()))
                        .authenticationEntryPoint(JsonSecurityErrors.unauthorized())
                        .accessDeniedHandler(JsonSecurityErrors.forbidden()))
                // what no token opens is refused as on any other path that is not public
                .exceptionHandling(e -> e.authenticationEntryPoint(JsonSecurityErrors.notPublic())
                        .accessDeniedHandler(JsonSecurityErrors.forbidden()));
        return http.build();
    }

    /** Whatever is neither an API nor public: refused, whoever asks. */
    @Bean
    @Order(2)
    SecurityWebFilterChain everythingElseDenied(ServerHttpSecurity http) {
        stateless(http.securityMatcher(new NegatedServerWebExchangeMatcher(
                ServerWebExchangeMatchers.pathMatchers(PUBLIC_PATHS))));
        http.authorizeExchange(a -> a.anyExchange().denyAll())
                .exceptionHandling(e -> e.authenticationEntryPoint(JsonSecurityErrors.notPublic())
                        .accessDeniedHandler(JsonSecurityErrors.forbidden()));
        return http.build();
    }

    private static void stateless(ServerHttpSecurity http) {
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()));
    }

    /**
     * Marketplace callbacks skip Spring Security altogether, its firewall included: they are verified by their
     * own signatures, and passing through its filter (even matching no chain) cost {@code /marketplace/ping}
     * about a third more CPU per request (measured ~135 against ~95 µs). Safe because a path under
     * {@code /marketplace/} can only reach the marketplace handlers: routes match whole segments from the root.
     */
    @Bean
    static BeanPostProcessor marketplaceCallbacksBypassSecurity() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof WebFilterChainProxy && !(bean instanceof MarketplaceBypass)
                        ? new MarketplaceBypass((WebFilterChainProxy) bean) : bean;
            }
        };
    }

    /** The security filter for everything but {@code /marketplace/**}. */
    static final class MarketplaceBypass extends WebFilterChainProxy {

        private final WebFilterChainProxy security;

        MarketplaceBypass(WebFilterChainProxy security) {
            super(List.of());
            this.security = security;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            return exchange.getRequest().getPath().value().startsWith("/marketplace/") ? chain.filter(exchange)
                    : security.filter(exchange, chain);
        }
    }

    /**
     * RS256 only, signed by the identity provider's key (its JWKS at {@code jwk-set-uri}, or a fixed
     * {@code public-key-location}, which wins when set, as in tests), issued by {@code issuer-uri} (always
     * checked; no discovery call), for marketbill's audience, with an expiry, within its lifetime, with a subject:
     * the rules every service applies ({@link TokenRules}).
     */
    @Bean
    ReactiveJwtDecoder jwtDecoder(OAuth2ResourceServerProperties properties, ServiceSecurityProperties security)
            throws Exception {
        OAuth2ResourceServerProperties.Jwt jwt = properties.getJwt();
        String issuer = jwt.getIssuerUri();
        OAuth2TokenValidator<Jwt> rules = TokenRules.validator(issuer, security.audiences(),
                security.requireAccessTokenType());
        NimbusReactiveJwtDecoder decoder;
        if (jwt.getPublicKeyLocation() != null) {
            decoder = NimbusReactiveJwtDecoder.withPublicKey(rsaPublicKey(jwt.readPublicKey()))
                    .signatureAlgorithm(SignatureAlgorithm.RS256).build();
        } else if (StringUtils.hasText(jwt.getJwkSetUri())) {
            decoder = NimbusReactiveJwtDecoder.withJwkSetUri(jwt.getJwkSetUri())
                    .jwsAlgorithm(SignatureAlgorithm.RS256).build();
        } else {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.jwk-set-uri (env "
                    + "IDENTITY_JWK_SET_URI) is required: where the identity provider publishes its keys");
        }
        decoder.setJwtValidator(rules);
        return new VerifiedTokens(decoder, java.time.Clock.systemUTC());
    }

    private static RSAPublicKey rsaPublicKey(String pem) throws Exception {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    }

    /** Principal: {@code sub}. Authorities: {@code ROLE_} + each of {@code roles}, upper-cased. */
    static ReactiveJwtAuthenticationConverter authenticationConverter() {
        ReactiveJwtAuthenticationConverter converter = new ReactiveJwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(ApiSecurity::authorities);
        return converter;
    }

    static Flux<GrantedAuthority> authorities(Jwt jwt) {
        return Flux.fromIterable(TokenRules.authorities(jwt));
    }
}
