package io.marketbill.binding.security;

import io.marketbill.security.TokenRules;
import io.marketbill.security.VerifiedTokens;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.http.ResponseCookie;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The browser sign-ins of the binding page and the ops console at the vendor's OpenID provider: an ID token posted
 * back to the page ({@code response_type=id_token}, {@code response_mode=form_post}: OpenID Connect Core 1.0
 * section 3.2, https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth, and
 * https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html). Nothing is kept on the server: each sign-in's
 * {@code state} and {@code nonce} live in one HttpOnly cookie of the page's path, so any replica can take the post.
 * <ul>
 * <li>{@code state} (RFC 6749 section 10.12) ties the post to the browser that started the sign-in: no one else's
 * sign-in can be pushed into it.</li>
 * <li>{@code nonce} (section 3.1.2.1, https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest; REQUIRED
 * when the ID token comes in the response, section 3.2.2.1) ties the ID token to that sign-in: a token issued for
 * another sign-in, captured or replayed, carries another nonce (section 3.1.3.7 (11)), and a token without one was
 * not issued for a sign-in at all.</li>
 * <li>The token must be an ID token for this client ({@link TokenRules#idTokenValidator}, section 3.1.3.7): not
 * an access token, nor another client's ID token, which share the provider's keys and may share marketbill's
 * audience.</li>
 * </ul>
 * Each pending sign-in is used once: whatever is posted back, the cookie is cleared, so the same post (or a replay of
 * the token) finds nothing to match.
 */
@Component
public class SignIn {

    /**
     * One sign-in: the cookie that holds its state and nonce, and the path the cookie is for (the page's, which the
     * provider posts back to).
     */
    public record Flow(String cookie, String path) {
    }

    /** The provider's post, verified: the user's ID token, or why nobody is signed in (for the log, never shown). */
    public record Outcome(Jwt user, String refusal) {
        public boolean signedIn() {
            return user != null;
        }
    }

    /** How long a browser may take at the provider before it must start over. */
    static final Duration PENDING = Duration.ofMinutes(10);
    private static final Logger log = LoggerFactory.getLogger(SignIn.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SignInSettings settings;
    private final JwtDecoder idTokens;

    @Autowired
    SignIn(SignInSettings settings, OAuth2ResourceServerProperties resourceServer) {
        this(settings, decoder(settings, resourceServer));
    }

    SignIn(SignInSettings settings, JwtDecoder idTokens) {
        this.settings = settings;
        this.idTokens = idTokens;
    }

    /**
     * The provider's keys and issuer, as the APIs use them, with the ID-token rules instead of the APIs' (the
     * audience is this client, not marketbill's API): a decoder of its own, which is no bean, so that the APIs keep
     * theirs.
     */
    private static JwtDecoder decoder(SignInSettings settings, OAuth2ResourceServerProperties resourceServer) {
        String jwks = resourceServer.getJwt().getJwkSetUri();
        if (!StringUtils.hasText(jwks)) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.jwk-set-uri (env "
                    + "IDENTITY_JWK_SET_URI) is required: where the identity provider publishes its keys");
        }
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwks).jwsAlgorithm(SignatureAlgorithm.RS256).build();
        decoder.setJwtValidator(TokenRules.idTokenValidator(resourceServer.getJwt().getIssuerUri(), settings.clientId(),
                settings.accessTokenClaims()));
        return new VerifiedTokens(decoder, Clock.systemUTC());
    }

    /**
     * Starts a sign-in: a fresh state and nonce in the flow's cookie, and the authorization request to send the
     * browser to. {@code secure}: the page is served over https.
     */
    public String start(HttpServletResponse response, Flow flow, String redirectUri, boolean secure) {
        String state = random();
        String nonce = random();
        setCookie(response, flow, secure, state + "." + nonce, PENDING);
        // the login URL is taken as it is written (encoded: SignInSettings checks), and only what is added here is
        // encoded, so that a provider's own authorize link (scope=openid%20profile) keeps its meaning
        UriComponentsBuilder authorize = UriComponentsBuilder.fromUriString(settings.loginUrl());
        // it may carry some of the request already: not twice
        MultiValueMap<String, String> given = authorize.build(true).getQueryParams();
        add(authorize, "redirect_uri", redirectUri);
        add(authorize, "state", state);
        add(authorize, "nonce", nonce);
        addUnlessGiven(authorize, given, "client_id", settings.clientId());
        addUnlessGiven(authorize, given, "response_type", "id_token");
        addUnlessGiven(authorize, given, "response_mode", "form_post");
        addUnlessGiven(authorize, given, "scope", "openid");
        return authorize.build(true).toUriString();
    }

    private static void add(UriComponentsBuilder b, String name, String value) {
        b.queryParam(name, UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8));
    }

    private static void addUnlessGiven(UriComponentsBuilder b, MultiValueMap<String, String> given, String name,
                                       String value) {
        if (!given.containsKey(name)) {
            add(b, name, value);
        }
    }

    /**
     * The provider's form_post: the ID token if it is this browser's pending sign-in's (state, then the token's
     * rules, then its nonce), else a refusal. Either way the pending sign-in is over.
     */
    public Outcome finish(HttpServletRequest request, HttpServletResponse response, Flow flow, boolean secure,
                          String idToken, String state) {
        Optional<String> pending = cookie(request, flow.cookie());
        clearCookie(response, flow, secure);
        if (pending.isEmpty()) {
            return refused(flow, "no sign-in pending in this browser");
        }
        int dot = pending.get().indexOf('.');
        if (dot < 0) {
            return refused(flow, "the pending sign-in's cookie is malformed");
        }
        if (idToken == null || state == null) {
            return refused(flow, "no id_token or no state posted");
        }
        if (!same(pending.get().substring(0, dot), state)) {
            return refused(flow, "the state is not this browser's sign-in's");
        }
        Jwt jwt;
        try {
            jwt = idTokens.decode(idToken);
        } catch (JwtValidationException e) {
            // the rules' descriptions name claims, never their values
            return refused(flow, "not an ID token for this sign-in: " + e.getErrors().stream()
                    .map(OAuth2Error::getDescription).collect(Collectors.joining("; ")));
        } catch (JwtException e) {
            return refused(flow, "the ID token is not verified (" + e.getClass().getSimpleName() + ")");
        }
        String nonce = jwt.getClaimAsString("nonce");
        if (nonce == null) {
            return refused(flow, "the ID token has no nonce");
        }
        if (!same(pending.get().substring(dot + 1), nonce)) {
            return refused(flow, "the ID token's nonce is not this sign-in's");
        }
        return new Outcome(jwt, null);
    }

    /**
     * A session cookie's ID token, verified again (signature, issuer, this client, lifetime, no access token); its
     * nonce was checked when it was posted.
     */
    public Optional<Jwt> verify(String idToken) {
        try {
            return Optional.of(idTokens.decode(idToken));
        } catch (JwtException e) {
            return Optional.empty();
        }
    }

    private static Outcome refused(Flow flow, String why) {
        log.info("sign-in refused at {}: {}", flow.path(), why);
        return new Outcome(null, why);
    }

    /** Constant-time, so that the comparison's time tells nothing about how much of the secret was guessed. */
    private static boolean same(String expected, String actual) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    /** 256 random bits, URL-safe (the nonce needs 128 or more to be unguessable). */
    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Optional<String> cookie(HttpServletRequest request, String name) {
        Cookie[] all = request.getCookies();
        return all == null ? Optional.empty() : Arrays.stream(all).filter(c -> c.getName().equals(name))
                .map(Cookie::getValue).filter(v -> !v.isEmpty()).findFirst();
    }

    /**
     * SameSite=None over https: the provider's form_post is a cross-site POST when the provider is on another site
     * (registrable domain) than the page, and browsers send no SameSite=Lax cookie with that (RFC 6265bis,
     * "Lax" allows top-level navigations with safe methods only), so every sign-in would fail for want of its state.
     * None is safe here: the cookie holds only the pending sign-in's secrets, which a forged post cannot know; the
     * session cookies stay Lax. Browsers refuse None without Secure (https://www.chromestatus.com/feature/5633521622188032),
     * so over plain http (development on localhost, where provider and page share the site 127.0.0.1) it is Lax.
     */
    private static void setCookie(HttpServletResponse response, Flow flow, boolean secure, String value,
                                  Duration maxAge) {
        response.addHeader("Set-Cookie", ResponseCookie.from(flow.cookie(), value).httpOnly(true).secure(secure)
                .sameSite(secure ? "None" : "Lax").path(flow.path()).maxAge(maxAge).build().toString());
    }

    private static void clearCookie(HttpServletResponse response, Flow flow, boolean secure) {
        setCookie(response, flow, secure, "", Duration.ZERO);
    }
}
