package io.marketbill.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.util.StringUtils;

/**
 * The API rules of every servlet service (subscription-, binding-, billing- and notification-service), one copy:
 * JWTs of the vendor's identity provider ({@link TokenRules}: issuer, audience, expiry, subject; RS256 from its JWKS),
 * stateless, with the service's own {@link ApiAccess} for what users, other services and anyone may call; refusals
 * as JSON {@code {"error","message"}} like every other. And, for any application, the {@link ServiceTokens} a
 * service calls the others with.
 */
// before Boot's own: its decoder (no audience rule) and its default chain (everything authenticated) stay out
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration"})
@EnableConfigurationProperties(ServiceSecurityProperties.class)
public class ServiceSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ServiceTokens serviceTokens(ServiceSecurityProperties properties) {
        return new ServiceTokens(properties.client(), Clock.systemUTC());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(HttpSecurity.class)
    static class ServletApiSecurity {

        /**
         * Open on every service: the probes, {@code /livez} and {@code /readyz} on the service port, health on the
         * management port (its details only for operators, see marketbill-messaging.yml). The management port
         * shares this chain: Boot registers the application's security filter in its child context too.
         */
        static final List<String> PROBES = List.of("/livez", "/readyz", "/actuator/health", "/actuator/health/**",
                "/error");
        /**
         * Metrics and build information, served on the management port only, for the scraper inside the cluster
         * (NetworkPolicy: monitoring only).
         */
        static final List<String> METRICS = List.of("/actuator/prometheus", "/actuator/info");

        @Bean
        @ConditionalOnMissingBean(JwtDecoder.class)
        JwtDecoder jwtDecoder(OAuth2ResourceServerProperties resourceServer, ServiceSecurityProperties properties) {
            String issuer = resourceServer.getJwt().getIssuerUri();
            String jwks = resourceServer.getJwt().getJwkSetUri();
            if (!StringUtils.hasText(jwks)) {
                throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.jwk-set-uri (env "
                        + "IDENTITY_JWK_SET_URI) is required: where the identity provider publishes its keys");
            }
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwks).jwsAlgorithm(SignatureAlgorithm.RS256)
                    .build();
            decoder.setJwtValidator(TokenRules.validator(issuer, properties.audiences(),
                    properties.requireAccessTokenType()));
            return new VerifiedTokens(decoder, Clock.systemUTC());
        }

        @Bean
        @ConditionalOnMissingBean(SecurityFilterChain.class)
        SecurityFilterChain apiChain(HttpSecurity http, ObjectProvider<ApiAccess> serviceAccess) throws Exception {
            ApiAccess access = serviceAccess.getIfAvailable(ApiAccess::operatorsOnly);
            List<String> open = new ArrayList<>(PROBES);
            open.addAll(METRICS);
            open.addAll(access.publicPaths());
            http.authorizeHttpRequests(auth -> {
                        auth.requestMatchers(open.toArray(String[]::new)).permitAll();
                        // services' paths first: a user's wider pattern must not open them
                        if (!access.serviceApis().isEmpty()) {
                            auth.requestMatchers(access.serviceApis().toArray(String[]::new))
                                    .hasAnyRole(TokenRules.SERVICE, TokenRules.OPERATOR);
                        }
                        if (!access.userApis().isEmpty()) {
                            auth.requestMatchers(access.userApis().toArray(String[]::new)).authenticated();
                        }
                        auth.requestMatchers("/api", "/api/**", "/v3/api-docs", "/v3/api-docs/**")
                                .hasRole(TokenRules.OPERATOR)
                                .anyRequest().denyAll();
                    })
                    .oauth2ResourceServer(rs -> rs
                            .jwt(jwt -> jwt.jwtAuthenticationConverter(authenticationConverter()))
                            .authenticationEntryPoint(unauthorized())
                            .accessDeniedHandler(forbidden()))
                    .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized()).accessDeniedHandler(forbidden()))
                    .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                    // bearer-only APIs; the public pages check their own form tokens
                    .csrf(c -> c.disable())
                    .formLogin(f -> f.disable())
                    .httpBasic(b -> b.disable())
                    .logout(l -> l.disable())
                    .requestCache(c -> c.disable());
            return http.build();
        }

        static JwtAuthenticationConverter authenticationConverter() {
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(TokenRules::authorities);
            return converter;
        }

        /** 401 with the RFC 6750 {@code WWW-Authenticate} header, and a fixed message: no decoder detail leaks. */
        static AuthenticationEntryPoint unauthorized() {
            BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
            return (request, response, ex) -> {
                bearer.commence(request, response, ex);
                write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
                        ex instanceof OAuth2AuthenticationException
                                ? "the bearer token is not valid (issuer, audience, expiry, signature)"
                                : "a bearer token from the identity provider is required");
            };
        }

        static AccessDeniedHandler forbidden() {
            return (request, response, ex) -> write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden",
                    "the token's roles do not allow this call");
        }

        private static void write(HttpServletResponse response, int status, String error, String message)
                throws IOException {
            response.setStatus(status);
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}");
        }
    }
}
