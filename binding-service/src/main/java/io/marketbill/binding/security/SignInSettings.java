package io.marketbill.binding.security;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * {@code marketbill.identity}: the browser sign-ins of the binding page and the ops console at the vendor's OpenID
 * provider ({@link SignIn}). Checked at start: a missing client id, or a login URL that already names another client,
 * stops the service (every sign-in would be refused otherwise, or worse, checked against the wrong client).
 *
 * @param loginUrl          where a browser is sent to sign in: the provider's authorization endpoint (env
 *                          {@code IDENTITY_LOGIN_URL}); the sign-in adds its parameters to those it may already have
 * @param clientId          the sign-ins' client id at the provider (env {@code IDENTITY_CLIENT_ID}): sent as
 *                          {@code client_id}; an ID token must name it in {@code aud}, and in {@code azp} when it has
 *                          one. The redirect URIs {@code <public url>/binding/login} and {@code /ops/signed-in} are
 *                          registered for it
 * @param accessTokenClaims claims that make a token an access token, not an ID token, at this provider: a sign-in
 *                          refuses a token with any of them (one typed {@code at+jwt} always). Provider-specific:
 *                          empty it, or leave out one, for a provider that puts it in ID tokens too
 */
@ConfigurationProperties("marketbill.identity")
public record SignInSettings(String loginUrl, String clientId,
                             @DefaultValue({"scope", "scp", "client_id"}) List<String> accessTokenClaims) {

    public SignInSettings {
        if (!StringUtils.hasText(loginUrl)) {
            throw new IllegalStateException("marketbill.identity.login-url (env IDENTITY_LOGIN_URL) is required: "
                    + "where the binding page and the ops console send a browser to sign in");
        }
        if (!StringUtils.hasText(clientId)) {
            throw new IllegalStateException("marketbill.identity.client-id (env IDENTITY_CLIENT_ID) is required: "
                    + "the sign-ins' client id at the identity provider, which their ID tokens name in aud");
        }
        clientId = clientId.strip();
        String named;
        try {
            named = UriComponentsBuilder.fromUriString(loginUrl).build(true).getQueryParams().getFirst("client_id");
            named = named == null ? null : UriUtils.decode(named, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("marketbill.identity.login-url (env IDENTITY_LOGIN_URL) is not an "
                    + "encoded URL (a space is %20)", e);
        }
        if (named != null && !named.equals(clientId)) {
            throw new IllegalStateException("marketbill.identity.login-url (env IDENTITY_LOGIN_URL) names client_id="
                    + named + " but marketbill.identity.client-id (env IDENTITY_CLIENT_ID) is " + clientId
                    + ": ID tokens are checked against the latter, so they must be the same");
        }
        accessTokenClaims = accessTokenClaims == null ? List.of()
                : accessTokenClaims.stream().filter(StringUtils::hasText).map(String::strip).toList();
    }
}
