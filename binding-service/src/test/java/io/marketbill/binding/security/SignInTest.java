package io.marketbill.binding.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.Cookie;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * The sign-in's own part, without a server: the authorization request, the state-and-nonce cookie (SameSite=None and
 * Secure over https, Lax over http), the checks of the form_post in their order, and the settings' start-up checks.
 * The ID-token rules are {@code TokenRulesTest}'s; the whole flow is {@code BindingPageTest}'s and
 * {@code OpsConsoleTest}'s.
 */
class SignInTest {

    static final SignIn.Flow FLOW = new SignIn.Flow("mb_state", "/binding");
    static final SignInSettings SETTINGS = new SignInSettings("https://login.vendor.example/authorize", "marketbill",
            List.of("scope"));

    /** Decodes anything to a token whose nonce is the text after "nonce:" (or none), like a provider's would. */
    static final JwtDecoder DECODER = token -> {
        if (token.startsWith("bad")) {
            throw new BadJwtException("signature");
        }
        Jwt.Builder b = Jwt.withTokenValue(token).header("alg", "RS256").subject("u-1")
                .expiresAt(Instant.now().plusSeconds(600));
        if (token.startsWith("nonce:")) {
            b.claim("nonce", token.substring(6));
        }
        return b.build();
    };

    static String param(String name, String url) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&]*)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    @Test
    void overHttpsTheStateCookieIsSameSiteNoneAndSecureForTheCrossSiteFormPost() {
        MockHttpServletResponse response = new MockHttpServletResponse();
        String url = new SignIn(SETTINGS, DECODER).start(response, FLOW, "https://billing.example.com/binding/login",
                true);
        assertThat(response.getHeader("Set-Cookie")).startsWith("mb_state=").contains("; Path=/binding")
                .contains("; Max-Age=600").contains("; Secure").contains("; HttpOnly").contains("; SameSite=None");
        assertThat(url).startsWith("https://login.vendor.example/authorize?redirect_uri=");
        assertThat(param("redirect_uri", url)).isEqualTo("https://billing.example.com/binding/login");
        assertThat(param("client_id", url)).isEqualTo("marketbill");
        assertThat(param("response_type", url)).isEqualTo("id_token");
        assertThat(param("response_mode", url)).isEqualTo("form_post");
        assertThat(param("scope", url)).isEqualTo("openid");
        // 256 bits each, URL-safe: state and nonce, both in the cookie
        assertThat(param("nonce", url)).matches("[A-Za-z0-9_-]{43}");
        assertThat(response.getHeader("Set-Cookie"))
                .startsWith("mb_state=" + param("state", url) + "." + param("nonce", url) + ";");
    }

    @Test
    void overPlainHttpItStaysLaxBecauseNoneNeedsSecure() {
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SignIn(SETTINGS, DECODER).start(response, FLOW, "http://127.0.0.1:8080/binding/login", false);
        assertThat(response.getHeader("Set-Cookie")).contains("; SameSite=Lax").doesNotContain("Secure");
    }

    @Test
    void whatTheLoginUrlAlreadyAsksForIsNotAskedTwice() {
        SignInSettings given = new SignInSettings("https://login.vendor.example/authorize?client_id=marketbill"
                + "&response_type=id_token&scope=openid%20profile", "marketbill", List.of());
        String url = new SignIn(given, DECODER).start(new MockHttpServletResponse(), FLOW, "https://b.example/binding/login",
                true);
        assertThat(url.split("client_id=", -1)).hasSize(2);
        assertThat(url.split("response_type=", -1)).hasSize(2);
        assertThat(url.split("scope=", -1)).hasSize(2);
        assertThat(param("scope", url)).isEqualTo("openid profile");
        assertThat(param("response_mode", url)).isEqualTo("form_post");
    }

    @Test
    void theFormPostNeedsThePendingStateAndTheNonceAndEndsThePendingSignIn() {
        SignIn signIn = new SignIn(SETTINGS, DECODER);
        MockHttpServletResponse started = new MockHttpServletResponse();
        String url = signIn.start(started, FLOW, "https://b.example/binding/login", true);
        String state = param("state", url);
        String nonce = param("nonce", url);
        Cookie pending = new Cookie("mb_state", state + "." + nonce);

        assertThat(post(signIn, null, "nonce:" + nonce, state).refusal()).contains("no sign-in pending");
        assertThat(post(signIn, pending, "nonce:" + nonce, "other-state").refusal()).contains("state");
        assertThat(post(signIn, pending, null, state).refusal()).contains("no id_token");
        assertThat(post(signIn, pending, "bad", state).refusal()).contains("not verified");
        assertThat(post(signIn, pending, "no-nonce", state).refusal()).contains("has no nonce");
        assertThat(post(signIn, pending, "nonce:" + nonce + "x", state).refusal()).contains("nonce is not");
        assertThat(post(signIn, new Cookie("mb_state", state), "nonce:" + nonce, state).refusal()).contains("malformed");
        SignIn.Outcome ok = post(signIn, pending, "nonce:" + nonce, state);
        assertThat(ok.signedIn()).isTrue();
        assertThat(ok.user().getSubject()).isEqualTo("u-1");
    }

    /** Every post clears the pending sign-in, refused or not: the same form cannot be posted twice. */
    @Test
    void everyPostClearsThePendingSignIn() {
        SignIn signIn = new SignIn(SETTINGS, DECODER);
        for (String token : new String[] {"nonce:n", "bad"}) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/binding/login");
            request.setCookies(new Cookie("mb_state", "s.n"));
            MockHttpServletResponse response = new MockHttpServletResponse();
            signIn.finish(request, response, FLOW, true, token, "s");
            assertThat(response.getHeader("Set-Cookie")).as(token).startsWith("mb_state=;").contains("Max-Age=0")
                    .contains("SameSite=None").contains("Secure").contains("Path=/binding");
        }
    }

    @Test
    void theSettingsRefuseNoClientIdOrALoginUrlForAnotherClient() {
        assertThatThrownBy(() -> new SignInSettings("https://login.vendor.example/authorize", " ", List.of()))
                .hasMessageContaining("marketbill.identity.client-id (env IDENTITY_CLIENT_ID) is required");
        assertThatThrownBy(() -> new SignInSettings("https://login.vendor.example/authorize?client_id=other",
                "marketbill", List.of())).hasMessageContaining("names client_id=other");
        assertThatThrownBy(() -> new SignInSettings("https://login.vendor.example/authorize?scope=openid profile",
                "marketbill", List.of())).hasMessageContaining("not an encoded URL");
        assertThatThrownBy(() -> new SignInSettings("", "marketbill", List.of()))
                .hasMessageContaining("marketbill.identity.login-url");
        assertThat(new SignInSettings("https://l.example/a", "marketbill", null).accessTokenClaims()).isEmpty();
    }

    private static SignIn.Outcome post(SignIn signIn, Cookie pending, String idToken, String state) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/binding/login");
        if (pending != null) {
            request.setCookies(pending);
        }
        return signIn.finish(request, new MockHttpServletResponse(), FLOW, true, idToken, state);
    }
}
