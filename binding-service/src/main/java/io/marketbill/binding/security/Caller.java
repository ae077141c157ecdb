package io.marketbill.binding.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** Who is calling the API: the token's subject (a user id of the vendor's directory) and whether an operator. */
public record Caller(String userId, boolean operator) {

    public static Caller of(Authentication authentication) {
        if (!(authentication instanceof JwtAuthenticationToken jwt)) {
            throw new IllegalStateException("the API needs a bearer token");
        }
        boolean operator = jwt.getAuthorities().stream().anyMatch(a -> "ROLE_OPERATOR".equals(a.getAuthority()));
        return new Caller(jwt.getToken().getSubject(), operator);
    }
}
