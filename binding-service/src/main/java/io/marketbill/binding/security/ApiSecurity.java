package io.marketbill.binding.security;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.util.StringUtils;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The JSON API takes the vendor identity provider's JWTs (issuer and keys from
 * {@code spring.security.oauth2.resourceserver.jwt.*}); the {@code roles} claim gives {@code ROLE_OPERATOR}.
 * The binding page and the ops console run their own flows (ID-token cookies, see the page and ops packages), so
 * they are open here,
 * as are health and metrics.
 */
@Configuration
class ApiSecurity {

    @Bean
    SecurityFilterChain apiChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/binding", "/binding/**", "/ops", "/ops/**", "/actuator/health/**",
                                "/actuator/prometheus", "/actuator/info", "/v3/api-docs", "/v3/api-docs/**", "/error").permitAll()
                        .requestMatchers("/api/directory/**", "/api/dead-letters/**").hasRole("OPERATOR")
                        .requestMatchers("/api/**").authenticated()
                        .anyRequest().denyAll())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(rolesConverter())))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // the API is bearer-only; the page checks its own form token
                .csrf(c -> c.disable())
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable());
        return http.build();
    }

    /**
     * RS256 tokens signed with a key of the identity provider's JWKS, issued by {@code issuer-uri} (always checked;
     * no discovery call), within their lifetime, with a subject; verified ones are remembered until they expire.
     */
    @Bean
    JwtDecoder jwtDecoder(OAuth2ResourceServerProperties properties, Clock clock) {
        String issuer = properties.getJwt().getIssuerUri();
        String jwks = properties.getJwt().getJwkSetUri();
        if (!StringUtils.hasText(issuer) || !StringUtils.hasText(jwks)) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.jwk-set-uri and issuer-uri "
                    + "(env IDENTITY_JWK_SET_URI, IDENTITY_ISSUER) are required: the identity provider's keys and name");
        }
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwks).jwsAlgorithm(SignatureAlgorithm.RS256).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer),
                new JwtClaimValidator<String>("sub", StringUtils::hasText)));
        return new VerifiedTokens(decoder, clock);
    }

    static JwtAuthenticationConverter rolesConverter() {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(ApiSecurity::roles);
        return converter;
    }

    static Collection<GrantedAuthority> roles(Jwt jwt) {
        List<String> roles = jwt.getClaimAsStringList("roles");
        return roles == null ? List.of() : roles.stream()
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + r.toUpperCase(Locale.ROOT)))
                .toList();
    }
}
