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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
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

    /** Arrives with a ticket and signs in as the user; returns the page. */
    private HttpResponse<String> arriveAndSignIn(String subscriptionId, String userToken, String... headers)
            throws Exception {
        String ticket = new LoginTicket(subscriptionId, "", Instant.now().plusSeconds(300)).sign(SECRET);
        HttpResponse<String> first = get("/binding?ticket=" + enc(ticket));
        assertThat(first.statusCode()).isEqualTo(302);
        // relative: through the gateway the browser stays on the gateway's address, not binding-service's own
        assertThat(first.headers().firstValue("Location").orElseThrow()).isEqualTo("/binding");
        HttpResponse<String> toLogin = get("/binding");
        assertThat(toLogin.statusCode()).isEqualTo(302);
        String login = toLogin.headers().firstValue("Location").orElseThrow();
        assertThat(login).startsWith(TestTokens.loginUrl() + "?redirect_uri=");
        String state = Http.find("state=([^&]+)", login);
        HttpResponse<String> back = post("/binding/login", "id_token=" + enc(userToken) + "&state=" + state);
        assertThat(back.statusCode()).isEqualTo(302);
        return get("/binding", headers);
    }

    @Test
    void aUserChoosesAmongTheirOrganizationsAndBinds() throws Exception {
        String alice = unique("u-alice");
        String mine = organization("Alice 的组织", alice);
        String theirs = organization("Someone else's", unique("u-admin"));
        member(theirs, alice, "MEMBER");
        String sub = opened(ZILLIZ, unique("ali"));

        HttpResponse<String> page = arriveAndSignIn(sub, TestTokens.user(alice));

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

        HttpResponse<String> page = arriveAndSignIn(sub, TestTokens.user(bob), "Accept-Language", "en-US,en;q=0.9");

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
        HttpResponse<String> early = arriveAndSignIn(sub, TestTokens.user(alice), "Accept-Language", "en");
        assertThat(early.statusCode()).isEqualTo(202);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(early.body()).contains("This subscription is not known yet").contains("every few seconds")
                .contains("<meta http-equiv=\"refresh\" content=\"3\">");
        lifecycle(sub, new SubscriptionOpened(ZILLIZ, "payg", false, account, "o-" + sub, null, Map.of(), null, null));
        HttpResponse<String> ready = get("/binding", "Accept-Language", "en");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("Early Bird").contains("Confirm binding").doesNotContain("http-equiv=\"refresh\"");
    }

    @Test
    void aUserWithNoOrganizationIsToldWhatToDo() throws Exception {
        String sub = opened(ZILLIZ, unique("ali"));
        HttpResponse<String> page = arriveAndSignIn(sub, TestTokens.user(unique("u-new")));
        assertThat(page.body()).contains("您不属于任何组织").contains("请先创建组织");
    }

    @Test
    void aBadOrExpiredTicketOrIdTokenGetsAnHtmlErrorPage() throws Exception {
        HttpResponse<String> bad = get("/binding?ticket=not-a-ticket");
        assertThat(bad.statusCode()).isEqualTo(403);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(bad.body()).contains("链接无效或已过期");
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
}
