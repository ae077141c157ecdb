package io.marketbill.binding.ops;

import io.marketbill.testsupport.Http;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.OpsStubs;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.testsupport.TestTokens;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ops console: sign-in for operators only, binding-service's own data, the other services (stubbed or down). */
class OpsConsoleTest extends BindingServiceTestBase {

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        return Http.postForm(browser, port, path, form);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Opens the console without a session: the authorization request it sends the browser to. */
    private String toSignIn() throws Exception {
        HttpResponse<String> first = get("/ops");
        assertThat(first.statusCode()).isEqualTo(302);
        String login = first.headers().firstValue("Location").orElseThrow();
        assertThat(login).startsWith(TestTokens.loginUrl() + "?redirect_uri=")
                .contains(enc("/ops/signed-in").replace("%2F", "/"));
        return login;
    }

    private HttpResponse<String> formPost(String login, String idToken) throws Exception {
        return post("/ops/signed-in", "id_token=" + enc(idToken) + "&state=" + enc(param("state", login)));
    }

    static String param(String name, String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]" + name + "=([^&]*)").matcher(url);
        return m.find() ? java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    /** Opens the console, goes to the identity provider, and comes back with its ID token for the nonce (form_post). */
    private HttpResponse<String> signIn(java.util.function.Function<String, String> idTokenForNonce) throws Exception {
        String login = toSignIn();
        return formPost(login, idTokenForNonce.apply(param("nonce", login)));
    }

    static java.util.function.Function<String, String> operatorIdToken(String user) {
        return nonce -> TestTokens.idToken(user, List.of("operator"), nonce);
    }

    /** Refused with the console's sign-in refusal, no session cookie, and the console asks for a sign-in again. */
    private void assertRefused(HttpResponse<String> back, String what) throws Exception {
        assertThat(back.statusCode()).as(what).isEqualTo(403);
        assertThat(back.body()).as(what).contains("The sign-in could not be verified");
        assertThat(back.headers().allValues("Set-Cookie")).as(what)
                .noneMatch(c -> c.startsWith(OpsConsole.SESSION_COOKIE + "="));
        assertThat(get("/ops").statusCode()).as(what + ": still not signed in").isEqualTo(302);
    }

    @Test
    void withoutASessionTheConsoleSendsTheBrowserToSignIn() throws Exception {
        for (String path : new String[] {"/ops", "/ops/metering", "/ops/subscriptions/aliyun:X"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith(TestTokens.loginUrl())
                    .contains("/ops/signed-in");
            assertThat(r.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                    .startsWith(OpsConsole.STATE_COOKIE + "=").contains("HttpOnly").contains("SameSite=Lax")
                    .contains("Path=/ops"));
        }
        // a forged sign-in (no state cookie) is refused
        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/ops/signed-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("id_token=" + enc(TestTokens.operator("u-ops"))
                        + "&state=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
    }

    @Test
    void aUserWithoutTheOperatorRoleIsRefused() throws Exception {
        HttpResponse<String> back = signIn(nonce -> TestTokens.idToken(unique("u-user"), List.of(), nonce));
        assertThat(back.statusCode()).isEqualTo(403);
        assertThat(back.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(back.body()).contains("The ops console is for operators.");
        assertThat(back.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(OpsConsole.SESSION_COOKIE + "="));
        assertThat(get("/ops").statusCode()).isEqualTo(302);
    }

    @Test
    void anOperatorSeesTheOverviewAndASubscriptionWithItsBindingsAndAudit() throws Exception {
        String alice = unique("u-alice");
        String org = organization("Ops Test Org", alice);
        String sub = opened(ZILLIZ, unique("ali"));
        assertThat(bindings.bind(alice, sub, org, Proof.LOGIN_TICKET, null).bound()).isTrue();
        HttpResponse<String> back = signIn(operatorIdToken(unique("u-ops")));
        assertThat(back.statusCode()).isEqualTo(302);
        assertThat(back.headers().firstValue("Location").orElseThrow()).endsWith("/ops");
        assertThat(back.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(OpsConsole.SESSION_COOKIE + "=").contains("HttpOnly").contains("SameSite=Lax"));

        HttpResponse<String> overview = get("/ops");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("<h1>Ops console</h1>").contains("href=\"/ops/metering\"")
                .contains("href=\"/ops/mails\"").contains("href=\"/ops/dead-letters\"")
                .contains("action=\"/ops/subscriptions\"");

        HttpResponse<String> lookUp = get("/ops/subscriptions?id=" + enc(sub));
        assertThat(lookUp.statusCode()).isEqualTo(302);
        HttpResponse<String> page = get(URI.create(lookUp.headers().firstValue("Location").orElseThrow()).getRawPath());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Subscription " + sub)
                // subscription-service (stub), called with binding-service's own token
                .contains("SubscriptionActivated").contains("<th>state</th>")
                // binding-service's own tables: the subscription, its binding and the audit
                .contains("id=\"bindings\"").contains(org).contains(ZILLIZ).contains("BIND").contains("BOUND")
                .contains(alice);
        assertCalledWithOwnToken("GET /api/subscriptions/" + enc(sub));
    }

    @Test
    void meteringShowsBillingAndMailsShowUnavailableWhenNotificationServiceIsDown() throws Exception {
        assertThat(signIn(operatorIdToken(unique("u-ops"))).statusCode()).isEqualTo(302);

        HttpResponse<String> metering = get("/ops/metering");
        assertThat(metering.statusCode()).isEqualTo(200);
        assertThat(metering.body()).contains("Ledger summary").contains("InvalidInstance.NotFound")
                .contains("<th>deadline</th>").contains("<th>lastError</th>").contains("VALUE_MISMATCH")
                .doesNotContain("unavailable (");
        assertCalledWithOwnToken("GET /api/billing/ledger?limit=100");
        assertThat(OpsStubs.RECEIVED).containsKey("GET /api/billing/ledger/summary").containsKey("GET /api/billing/reconciliation");

        HttpResponse<String> balance = get("/ops/balance?organizationId=org-stub");
        assertThat(balance.statusCode()).isEqualTo(200);
        assertThat(balance.body()).contains("Balance of org-stub").contains("<th>billedReported</th>")
                .contains("UNBOUND").doesNotContain("unavailable (");
        assertCalledWithOwnToken("GET /api/billing/balance?organizationId=org-stub");

        HttpResponse<String> mails = get("/ops/mails");
        assertThat(mails.statusCode()).isEqualTo(200);
        assertThat(mails.body()).contains("Mails by state").contains("unavailable (");
    }

    @Test
    void deadLettersOfEveryServiceWithAReplayButtonThatNeedsTheFormToken() throws Exception {
        assertThat(signIn(operatorIdToken(unique("u-ops"))).statusCode()).isEqualTo(302);

        HttpResponse<String> page = get("/ops/dead-letters");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Dead letters of binding-service").contains("stub failure")
                .contains("action=\"/ops/dead-letters/subscription-service/7/replay\"");
        assertThat(Http.find("id=\"dead-letters-notification-service\">(.*?)</section>",
                page.body().replace("\n", " "))).contains("unavailable (");
        String formToken = Http.find("name=\"form_token\" value=\"([^\"]+)\"", page.body());

        HttpResponse<String> forged = post("/ops/dead-letters/subscription-service/7/replay", "form_token=forged");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(OpsStubs.RECEIVED).doesNotContainKey("POST /api/dead-letters/7/replay");

        HttpResponse<String> replay = post("/ops/dead-letters/subscription-service/7/replay",
                "form_token=" + enc(formToken));
        assertThat(replay.statusCode()).isEqualTo(302);
        assertThat(replay.headers().firstValue("Location").orElseThrow()).contains("replayed=");
        assertCalledWithOwnToken("POST /api/dead-letters/7/replay");
        assertThat(get(URI.create(replay.headers().firstValue("Location").orElseThrow()).getRawPath() + "?"
                + URI.create(replay.headers().firstValue("Location").orElseThrow()).getRawQuery()).body())
                .contains("Replayed dead letter subscription-service/7.");
    }

    /**
     * The other services were called with binding-service's own token (client credentials at the identity provider),
     * not with the operator's ID token, which is meant for the console alone.
     */
    private static void assertCalledWithOwnToken(String call) {
        assertThat(OpsStubs.RECEIVED).containsKey(call);
        String claims = TestTokens.claimsOf(OpsStubs.RECEIVED.get(call));
        assertThat(claims).contains("\"sub\":\"" + TestTokens.CLIENT_ID + "\"").contains("\"roles\":[\"service\"]");
    }

    /** The console's sign-in asks for an ID token with a fresh nonce (OpenID Connect Core 1.0 section 3.1.2.1). */
    @Test
    void theSignInSendsANonceAndTheClientId() throws Exception {
        String login = toSignIn();
        assertThat(param("nonce", login)).matches("[A-Za-z0-9_-]{22,}");
        assertThat(param("client_id", login)).isEqualTo(TestTokens.SIGN_IN_CLIENT_ID);
        assertThat(param("response_type", login)).isEqualTo("id_token");
        assertThat(param("response_mode", login)).isEqualTo("form_post");
        assertThat(param("nonce", toSignIn())).isNotEqualTo(param("nonce", login));
    }

    /**
     * An operator's token that is not this sign-in's ID token opens nothing: without the nonce, with another, replayed,
     * an access token (an operator's API token, typ at+jwt), another client's.
     */
    @Test
    void onlyThisSignInsIdTokenOpensTheConsole() throws Exception {
        String olga = unique("u-ops");
        assertRefused(signIn(nonce -> TestTokens.idToken(olga, List.of("operator"), null)), "no nonce");
        assertRefused(signIn(nonce -> TestTokens.idToken(olga, List.of("operator"), "another-nonce-0123456789")),
                "another nonce");
        assertRefused(signIn(nonce -> TestTokens.accessToken(olga, List.of("operator"), "ops-script", nonce)),
                "the operator's access token");
        assertRefused(signIn(nonce -> TestTokens.idToken(olga, List.of("operator"),
                List.of(TestTokens.AUDIENCE, "grafana"), "grafana", nonce)), "another client's ID token");

        String login = toSignIn();
        String good = TestTokens.idToken(olga, List.of("operator"), param("nonce", login));
        assertThat(formPost(login, good).statusCode()).isEqualTo(302);
        assertThat(get("/ops").statusCode()).isEqualTo(200);
        assertThat(formPost(login, good).statusCode()).as("the same post again").isEqualTo(403);

        // the same token in another browser's sign-in: its nonce is not that one's
        HttpClient other = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String theirs = other.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ops")).build(),
                HttpResponse.BodyHandlers.ofString()).headers().firstValue("Location").orElseThrow();
        HttpResponse<String> replayed = Http.postForm(other, port, "/ops/signed-in",
                "id_token=" + enc(good) + "&state=" + enc(param("state", theirs)));
        assertThat(replayed.statusCode()).isEqualTo(403);
        assertThat(replayed.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(OpsConsole.SESSION_COOKIE + "="));
    }
}
