package io.marketbill.binding.page;

import io.marketbill.testsupport.Http;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.contracts.LoginTicket;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.testsupport.TestTokens;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The browser flow: ticket, sign-in at the identity provider (form_post), the choice, the confirmation. */
class BindingPageTest extends BindingServiceTestBase {

    static final byte[] SECRET = "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        return Http.postForm(browser, port, path, form);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A parameter of a URL's query, decoded; null when it has none. */
    static String param(String name, String url) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&]*)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    /** The right ID token for {@code user}: the one the provider makes for the sign-in's nonce. */
    static Function<String, String> idTokenOf(String user) {
        return nonce -> TestTokens.idToken(user, List.of(), nonce);
    }

    /** Arrives with a ticket for the subscription: the ticket cookie is set. */
    private void arrive(String subscriptionId) throws Exception {
        String ticket = new LoginTicket(subscriptionId, "", Instant.now().plusSeconds(300)).sign(SECRET);
        HttpResponse<String> first = get("/binding?ticket=" + enc(ticket));
        assertThat(first.statusCode()).isEqualTo(302);
        // relative: through the gateway the browser stays on the gateway's address, not binding-service's own
        assertThat(first.headers().firstValue("Location").orElseThrow()).isEqualTo("/binding");
    }

    /** Not signed in, the page sends the browser to the identity provider: the authorization request. */
    private String toSignIn() throws Exception {
        HttpResponse<String> toLogin = get("/binding");
        assertThat(toLogin.statusCode()).isEqualTo(302);
        String login = toLogin.headers().firstValue("Location").orElseThrow();
        assertThat(login).startsWith(TestTokens.loginUrl() + "?redirect_uri=");
        return login;
    }

    /** The provider's form_post of {@code idToken} for the sign-in that {@code login} asked for. */
    private HttpResponse<String> formPost(String login, String idToken) throws Exception {
        return post("/binding/login", "id_token=" + enc(idToken) + "&state=" + enc(param("state", login)));
    }

    /** Arrives with a ticket and signs in as the user; returns the page. */
    private HttpResponse<String> arriveAndSignIn(String subscriptionId, Function<String, String> idTokenForNonce,
                                                 String... headers) throws Exception {
        arrive(subscriptionId);
        String login = toSignIn();
        HttpResponse<String> back = formPost(login, idTokenForNonce.apply(param("nonce", login)));
        assertThat(back.statusCode()).isEqualTo(302);
        return get("/binding", headers);
    }

    /** Refused with the page's sign-in refusal, and nobody signed in: the page asks for a sign-in again. */
    private void assertRefused(HttpResponse<String> back, String what) throws Exception {
        assertThat(back.statusCode()).as(what).isEqualTo(403);
        assertThat(back.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("text/html");
        assertThat(back.body()).as(what).contains("id=\"problem\"").contains("登录未能验证");
        assertThat(back.headers().allValues("Set-Cookie")).as(what)
                .noneMatch(c -> c.startsWith(BindingPage.USER_COOKIE + "=") && !c.startsWith(BindingPage.USER_COOKIE + "=;"));
        assertThat(get("/binding").statusCode()).as(what + ": still not signed in").isEqualTo(302);
    }

    @Test
    void aUserChoosesAmongTheirOrganizationsAndBinds() throws Exception {
        String alice = unique("u-alice");
        String mine = organization("Alice 的组织", alice);
        String theirs = organization("Someone else's", unique("u-admin"));
        member(theirs, alice, "MEMBER");
        String sub = opened(ZILLIZ, unique("ali"));

        HttpResponse<String> page = arriveAndSignIn(sub, idTokenOf(alice));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("绑定云市场订阅").contains("Zilliz Cloud").contains("Alice 的组织")
                .contains("权限不足").contains("确认绑定").contains("lang=\"zh-CN\"");
        // the member-only organization cannot be chosen
        assertThat(page.body()).containsPattern("value=\"" + theirs + "\"\\s+disabled");

        HttpResponse<String> english = get("/binding?lang=en");
        assertThat(english.body()).contains("Bind your marketplace subscription").contains("Insufficient permission")
                .contains("Confirm binding").contains("lang=\"en\"");

        String formToken = Http.find("name=\"form_token\" value=\"([^\"]+)\"", english.body());
        HttpResponse<String> forged = post("/binding/confirm", "organizationId=" + mine + "&form_token=forged");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(bindings.activeBindingsOf(sub)).isEmpty();

        HttpResponse<String> done = post("/binding/confirm", "organizationId=" + mine + "&form_token=" + formToken);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("id=\"bound\"").contains("This subscription now pays for Alice 的组织");
        assertThat(bindings.activeBindingsOf(sub)).singleElement()
                .satisfies(b -> assertThat(b.boundBy()).isEqualTo(alice));

        // R9: coming back shows the binding
        assertThat(get("/binding").body()).contains("id=\"already\"");
    }

    @Test
    void freeLoginAgainForABoundSubscriptionGoesStraightToTheConsole() throws Exception {
        String alice = unique("u-alice");
        String org = organization("EMQX", alice);
        String sub = opened(EMQX, unique("ali"));
        bindings.bind(alice, sub, org, io.marketbill.binding.bindings.Bindings.Proof.LOGIN_TICKET, null);
        String ticket = new LoginTicket(sub, "", Instant.now().plusSeconds(300)).sign(SECRET);
        get("/binding?ticket=" + enc(ticket));
        HttpResponse<String> r = get("/binding");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains("https://cloud.emqx.example/console");
    }

    @Test
    void aMemberWithoutAnyAdministeredOrganizationCannotConfirm() throws Exception {
        String bob = unique("u-bob");
        String org = organization("Team", unique("u-admin"));
        member(org, bob, "MEMBER");
        String sub = opened(ZILLIZ, unique("ali"));

        HttpResponse<String> page = arriveAndSignIn(sub, idTokenOf(bob), "Accept-Language", "en-US,en;q=0.9");

        assertThat(page.body()).contains("Insufficient permission").containsPattern("id=\"confirm\"\\s+disabled")
                .contains("No organization can be bound");
        String formToken = Http.find("name=\"form_token\" value=\"([^\"]+)\"", page.body());
        HttpResponse<String> refused = post("/binding/confirm", "organizationId=" + org + "&form_token=" + formToken);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("id=\"refusal\"").contains("请联系该组织的管理员绑定");
    }

    @Test
    void aSubscriptionStillOnItsWayIsAnnouncedAndThePageLooksAgainByItself() throws Exception {
        String alice = unique("u-alice");
        organization("Early Bird", alice);
        String account = unique("ali");
        String sub = "aliyun:" + UUID.randomUUID();
        HttpResponse<String> early = arriveAndSignIn(sub, idTokenOf(alice), "Accept-Language", "en");
        assertThat(early.statusCode()).isEqualTo(202);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(early.body()).contains("This subscription is not known yet").contains("every few seconds")
                .contains("<meta http-equiv=\"refresh\" content=\"3\">");
        lifecycle(sub, new SubscriptionOpened(ZILLIZ, "payg", false, account, "o-" + sub, null, Map.of(), null, null));
        HttpResponse<String> ready = get("/binding", "Accept-Language", "en");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("Early Bird").contains("Confirm binding").doesNotContain("http-equiv=\"refresh\"");
    }

    /**
     * A user who registers on the way (free login, no vendor account yet) has no organization until the vendor's
     * platform has made it: the page waits for it and looks again by itself, and still says what to do if none comes.
     */
    @Test
    void aUserWhoseOrganizationIsStillBeingCreatedWaitsOnThePageWhichLooksAgainByItself() throws Exception {
        String sub = opened(ZILLIZ, unique("ali"));
        String carol = unique("u-new");
        HttpResponse<String> page = arriveAndSignIn(sub, idTokenOf(carol));
        assertThat(page.statusCode()).isEqualTo(202);
        assertThat(page.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(page.body()).contains("<meta http-equiv=\"refresh\" content=\"5\">")
                .contains("您的组织正在创建中，本页会自动刷新")
                .contains("您不属于任何组织").contains("请先创建组织");
        HttpResponse<String> english = get("/binding?lang=en");
        assertThat(english.statusCode()).isEqualTo(202);
        assertThat(english.body()).contains("Your organization is being created; this page refreshes by itself")
                .contains("Create an organization");

        organization("Carol 的组织", carol);
        HttpResponse<String> ready = get("/binding");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("Carol 的组织").contains("Confirm binding")
                .doesNotContain("http-equiv=\"refresh\"").doesNotContain("organization-creating");
        assertThat(bindings.activeBindingsOf(sub)).isEmpty();
    }

    @Test
    void aBadOrExpiredTicketOrIdTokenGetsAnHtmlErrorPage() throws Exception {
        HttpResponse<String> bad = get("/binding?ticket=not-a-ticket");
        assertThat(bad.statusCode()).isEqualTo(403);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(bad.body()).contains("链接无效或已过期").contains("已购买的服务").contains("再点击一次“免登”")
                .doesNotContain("前台地址");
        String expired = new LoginTicket("aliyun:x", "", Instant.now().minusSeconds(1)).sign(SECRET);
        assertThat(get("/binding?ticket=" + enc(expired)).statusCode()).isEqualTo(403);
        assertThat(get("/binding").statusCode()).isEqualTo(403);

        String sub = opened(ZILLIZ, unique("ali"));
        String ticket = new LoginTicket(sub, "", Instant.now().plusSeconds(300)).sign(SECRET);
        get("/binding?ticket=" + enc(ticket));
        String state = Http.find("state=([^&]+)", get("/binding").headers().firstValue("Location").orElseThrow());
        assertThat(post("/binding/login", "id_token=garbage&state=" + state).statusCode()).isEqualTo(403);
        assertThat(post("/binding/login", "id_token=" + enc(TestTokens.user("u-a")) + "&state=wrong").statusCode())
                .isEqualTo(403);
    }

    /**
     * OpenID Connect Core 1.0 section 3.1.2.1 (and 3.2.2.1: required for an ID token in the response): the sign-in
     * sends a fresh nonce of 128 bits or more, URL-safe, and keeps it with state in one HttpOnly cookie (SameSite=Lax
     * here, over http; over https SameSite=None and Secure, {@code SignInTest}).
     */
    @Test
    void theSignInAsksTheProviderForAnIdTokenWithAFreshNonceKeptWithState() throws Exception {
        arrive(opened(ZILLIZ, unique("ali")));
        HttpResponse<String> toLogin = get("/binding");
        String login = toLogin.headers().firstValue("Location").orElseThrow();
        assertThat(param("response_type", login)).isEqualTo("id_token");
        assertThat(param("response_mode", login)).isEqualTo("form_post");
        assertThat(param("scope", login)).isEqualTo("openid");
        assertThat(param("client_id", login)).isEqualTo(TestTokens.SIGN_IN_CLIENT_ID);
        assertThat(param("redirect_uri", login)).endsWith("/binding/login");
        assertThat(param("nonce", login)).matches("[A-Za-z0-9_-]{22,}");
        assertThat(toLogin.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(BindingPage.STATE_COOKIE + "=").contains("HttpOnly").contains("SameSite=Lax")
                .contains("Path=/binding").contains("Max-Age=600"));
        String again = toSignIn();
        assertThat(param("nonce", again)).isNotEqualTo(param("nonce", login));
        assertThat(param("state", again)).isNotEqualTo(param("state", login));
    }

    /** Section 3.1.3.7 (11): the ID token's nonce is the one this browser's sign-in sent, once. */
    @Test
    void anIdTokenWithoutTheSignInsNonceOrWithAnotherOrReplayedSignsNobodyIn() throws Exception {
        String alice = unique("u-alice");
        organization("Nonce Lab", alice);
        arrive(opened(ZILLIZ, unique("ali")));

        assertRefused(formPost(toSignIn(), TestTokens.idToken(alice, List.of(), null)), "no nonce");
        assertRefused(formPost(toSignIn(), TestTokens.idToken(alice, List.of(), "not-the-sign-ins-nonce-0123")),
                "another nonce");
        String login = toSignIn();
        String lost = TestTokens.idToken(alice, List.of(), param("nonce", login));
        assertThat(post("/binding/login", "id_token=" + enc(lost) + "&state=" + enc("not-the-state")).statusCode())
                .as("the right nonce, the wrong state").isEqualTo(403);
        assertRefused(formPost(login, lost), "the right post after a failed one: the nonce went with it (one use)");

        // the good path; then the same form_post again, and the same token in someone else's sign-in
        login = toSignIn();
        String good = TestTokens.idToken(alice, List.of(), param("nonce", login));
        assertThat(formPost(login, good).statusCode()).isEqualTo(302);
        assertThat(get("/binding").body()).contains("Nonce Lab");
        assertThat(formPost(login, good).statusCode()).as("the same post again").isEqualTo(403);

        HttpClient other = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String ticket = new LoginTicket(opened(ZILLIZ, unique("ali")), "", Instant.now().plusSeconds(300)).sign(SECRET);
        other.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/binding?ticket=" + enc(ticket)))
                .build(), HttpResponse.BodyHandlers.ofString());
        String theirs = other.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/binding")).build(),
                HttpResponse.BodyHandlers.ofString()).headers().firstValue("Location").orElseThrow();
        HttpResponse<String> replayed = Http.postForm(other, port, "/binding/login",
                "id_token=" + enc(good) + "&state=" + enc(param("state", theirs)));
        assertThat(replayed.statusCode()).as("alice's token replayed in another browser's sign-in").isEqualTo(403);
        assertThat(replayed.headers().allValues("Set-Cookie"))
                .noneMatch(c -> c.startsWith(BindingPage.USER_COOKIE + "=") && !c.startsWith(BindingPage.USER_COOKIE + "=;"));
    }

    /**
     * Section 3.1.3.7 (3-5): issued to this sign-in's client; and no access token (RFC 9068's typ at+jwt, or a claim
     * of access tokens), even one that carries the sign-in's nonce.
     */
    @Test
    void anAccessTokenOrATokenForAnotherClientIsNoSignIn() throws Exception {
        String alice = unique("u-alice");
        organization("Client Lab", alice);
        arrive(opened(ZILLIZ, unique("ali")));

        String login = toSignIn();
        assertRefused(formPost(login, TestTokens.accessToken(alice, List.of(), "vendor-console", param("nonce", login))),
                "an RFC 9068 access token");
        login = toSignIn();
        Map<String, Object> claims = TestTokens.claims(alice, List.of(), List.of(TestTokens.AUDIENCE),
                java.time.Duration.ofMinutes(5));
        claims.put("nonce", param("nonce", login));
        claims.put("scope", "openid");
        claims.put("client_id", "vendor-console");
        assertRefused(formPost(login, TestTokens.jwt(TestTokens.header("JWT"), claims)),
                "an access token typed JWT, with scope and client_id");
        login = toSignIn();
        assertRefused(formPost(login, TestTokens.idToken(alice, List.of(), List.of(TestTokens.AUDIENCE, "vendor-console"),
                "vendor-console", param("nonce", login))), "another client's ID token (azp)");
        login = toSignIn();
        assertRefused(formPost(login, TestTokens.idToken(alice, List.of(), List.of(TestTokens.AUDIENCE, "vendor-console"),
                null, param("nonce", login))), "several audiences and no azp");
        login = toSignIn();
        assertRefused(formPost(login, TestTokens.idToken(alice, List.of(), List.of("vendor-console"), "vendor-console",
                param("nonce", login))), "for another client only");

        login = toSignIn();
        assertThat(formPost(login, TestTokens.idToken(alice, List.of(), param("nonce", login))).statusCode())
                .isEqualTo(302);
        assertThat(get("/binding").body()).contains("Client Lab");
    }
}
