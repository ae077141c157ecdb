package io.marketbill.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code marketbill.security}: what the services' shared API rules need beyond the identity provider's issuer and
 * keys ({@code spring.security.oauth2.resourceserver.jwt.*}).
 *
 * @param audiences the audiences of tokens meant for marketbill (env {@code IDENTITY_AUDIENCE}, comma-separated); a
 *                  token must name one of them in {@code aud}
 * @param client    this service's own identity at the provider, for its calls to the other services
 * @param requireAccessTokenType only RFC 9068 access tokens ({@code typ: at+jwt}) are API tokens (env
 *                  {@code IDENTITY_REQUIRE_ACCESS_TOKEN_TYPE}): an ID token, typed {@code JWT} or not at all, is then
 *                  refused even for marketbill's audience. Off by default: many providers type their access tokens
 *                  {@code JWT} too, and those would all be refused; the development login and the tests' provider
 *                  type theirs, so it can be on wherever the provider does
 */
@ConfigurationProperties("marketbill.security")
public record ServiceSecurityProperties(@DefaultValue("marketbill") List<String> audiences, Client client,
                                        @DefaultValue("false") boolean requireAccessTokenType) {

    public ServiceSecurityProperties {
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        client = client == null ? new Client(null, null, null, null) : client;
    }

    /**
     * OAuth 2.0 client credentials (RFC 6749 §4.4). No token URI: the service calls no other (the gateway and
     * binding-service do, and require it under prod; the local stack points them at the simulator's development
     * clients).
     *
     * @param tokenUri     the identity provider's token endpoint (env {@code SERVICE_TOKEN_URI})
     * @param clientId     this service's client id there (env {@code SERVICE_CLIENT_ID}; by default the service's
     *                     name)
     * @param clientSecret its client secret (env {@code SERVICE_CLIENT_SECRET})
     * @param scope        the scope to ask for (none: the client's default)
     */
    public record Client(String tokenUri, String clientId, String clientSecret, String scope) {

        public boolean configured() {
            return tokenUri != null && !tokenUri.isBlank();
        }

        @Override
        public String toString() {
            return "Client[tokenUri=" + tokenUri + ", clientId=" + clientId + ", clientSecret="
                    + (clientSecret == null ? "null" : "(hidden)") + ", scope=" + scope + "]";
        }
    }
}
