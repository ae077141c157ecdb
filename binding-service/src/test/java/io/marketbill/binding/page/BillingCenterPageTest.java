package io.marketbill.binding.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestTokens;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Guance's billing-center form (R8, R18), over real HTTP: the sign-in, the workspaces, and the form's answers, which
 * are the API's for the same input.
 */
class BillingCenterPageTest extends BindingServiceTestBase {

    /** Guance's policy, with a console (test settings). */
    static final String GUANCE_WITH_CONSOLE = "guance-with-console";

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return Http.postForm(browser, port, path, form);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A main account's UID, as Alibaba Cloud's: 16 digits. */
    private static String uid() {
        return "18" + ThreadLocalRandom.current().nextLong(100_000_000_000_000L, 999_999_999_999_999L - 1)
                / 10;
    }

    /** Opens the form (with the instance to fill in, if any), signs in at the provider as the user; the form. */
    private HttpResponse<String> signIn(String user, String instance) throws Exception {
        String path = "/binding/billing-center" + (instance == null ? "" : "?instance=" + enc(instance));
        HttpResponse<String> toLogin = get(path);
        assertThat(toLogin.statusCode()).isEqualTo(302);
        String login = toLogin.headers().firstValue("Location").orElseThrow();
        assertThat(login).startsWith(TestTokens.loginUrl() + "?redirect_uri=");
        String nonce = BindingPageTest.param("nonce", login);
        HttpResponse<String> back = post("/binding/billing-center/login", "id_token="
                + enc(TestTokens.idToken(user, List.of(), nonce)) + "&state=" + enc(BindingPageTest.param("state", login)));
        assertThat(back.statusCode()).isEqualTo(302);
        assertThat(back.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(BindingPage.USER_COOKIE + "=").contains("HttpOnly").contains("SameSite=Lax"));
        String to = back.headers().firstValue("Location").orElseThrow();
        assertThat(to).isEqualTo(path);
        HttpResponse<String> form = get(to);
        assertThat(form.statusCode()).isEqualTo(200);
        return form;
    }

    private static String formToken(HttpResponse<String> page) {
        return Http.find("name=\"form_token\" value=\"([^\"]+)\"", page.body());
    }

    private HttpResponse<String> submit(String token, String org, String account, String instance) throws Exception {
        StringBuilder form = new StringBuilder("form_token=" + enc(token));
        if (org != null) {
            form.append("&organizationId=").append(enc(org));
        }
        if (account != null) {
            form.append("&accountId=").append(enc(account));
        }
        if (instance != null) {
            form.append("&instanceId=").append(enc(instance));
        }
        return post("/binding/billing-center", form.toString());
    }

    /** The refusal's box: what the user is told. */
    private static String refusal(HttpResponse<String> page) {
        return Http.find("(<div class=\"box err\" id=\"refusal\"[\\s\\S]*?</div>)", page.body());
    }

    @Test
    void withoutASignedInUserTheFormSendsTheBrowserToTheIdentityProviderWithItsOwnState() throws Exception {
        HttpResponse<String> toLogin = get("/binding/billing-center?instance=I-abc");
        assertThat(toLogin.statusCode()).isEqualTo(302);
        String login = toLogin.headers().firstValue("Location").orElseThrow();
        assertThat(login).startsWith(TestTokens.loginUrl() + "?redirect_uri=");
        assertThat(BindingPageTest.param("redirect_uri", login)).endsWith("/binding/billing-center/login");
        assertThat(BindingPageTest.param("response_mode", login)).isEqualTo("form_post");
        assertThat(BindingPageTest.param("nonce", login)).matches("[A-Za-z0-9_-]{22,}");
        assertThat(toLogin.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(BillingCenterPage.STATE_COOKIE + "=").contains("HttpOnly")
                .contains("Path=/binding/billing-center").contains("Max-Age=600"));
        assertThat(toLogin.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(BillingCenterPage.INSTANCE_COOKIE + "=I-abc").contains("HttpOnly"));
        // a post without anyone signed in binds nothing: it goes to the sign-in too
        assertThat(post("/binding/billing-center", "organizationId=x&accountId=1&instanceId=I-abc&form_token=x")
                .statusCode()).isEqualTo(302);
        // a token not of this sign-in signs nobody in
        HttpResponse<String> wrong = post("/binding/billing-center/login", "id_token="
                + enc(TestTokens.idToken("u-x", List.of(), "not-the-nonce-0123456789")) + "&state="
                + enc(BindingPageTest.param("state", login)));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("登录未能验证");
        assertThat(get("/binding/billing-center").statusCode()).isEqualTo(302);
    }

    @Test
    void anInstanceIdWithWhatACookieCannotHoldComesBackThroughTheSignIn() throws Exception {
        String dora = unique("u-dora");
        organization("Dora's workspace", dora);
        HttpResponse<String> form = signIn(dora, "I;1,\"x\"\\");
        assertThat(form.body()).contains("id=\"instanceId\" name=\"instanceId\" value=\"I;1,&quot;x&quot;\\\"");
        // something that cannot be an instance id is not filled in
        assertThat(get("/binding/billing-center?instance=" + enc("two words")).body())
                .contains("id=\"instanceId\" name=\"instanceId\" value=\"\"");
    }

    @Test
    void theBuyerPicksAWorkspaceTypesTheAccountAndTheInstanceAndGuancePaysForTwoWorkspaces() throws Exception {
        String alice = unique("u-alice");
        String prod = organization("观测云 生产", alice);
        String staging = organization("Staging", alice);
        String theirs = organization("Someone else's", unique("u-admin"));
        member(theirs, alice, "MEMBER");
        String paid = organization("Already paid", alice);
        bindings.bind(alice, opened(ZILLIZ, unique("ali")), paid,
                io.marketbill.binding.bindings.Bindings.Proof.LOGIN_TICKET, null);
        String account = uid();
        String sub = opened(GUANCE, account);
        String instance = sub.substring("aliyun:".length());

        HttpResponse<String> form = signIn(alice, instance);
        assertThat(form.body()).contains("lang=\"zh-CN\"").contains("通过阿里云云市场为工作空间付费")
                .contains("观测云 生产").contains("Staging").contains("权限不足").contains("已绑定云市场订阅")
                .contains("阿里云账号 ID（主账号 UID）").contains("商品实例 ID")
                .containsPattern("id=\"instanceId\" name=\"instanceId\" value=\"" + instance + "\"")
                .contains("href=\"/binding/billing-center?lang=en&amp;instance=" + instance + "\"");
        assertThat(form.body()).containsPattern("value=\"" + theirs + "\"\\s+disabled")
                .containsPattern("value=\"" + paid + "\"\\s+disabled")
                .doesNotContainPattern("value=\"" + prod + "\"\\s+disabled");

        HttpResponse<String> bound = submit(formToken(form), prod, " " + account + " ", instance);
        assertThat(bound.statusCode()).isEqualTo(200);
        assertThat(bound.body()).contains("id=\"bound\"").contains("工作空间 观测云 生产 现通过阿里云云市场付费")
                // Guance names no console in this service's settings
                .doesNotContain("id=\"console\"");
        assertThat(bindings.activeBindingsOf(sub)).singleElement().satisfies(b -> {
            assertThat(b.organizationId()).isEqualTo(prod);
            assertThat(b.boundBy()).isEqualTo(alice);
        });
        // bound now, the workspace cannot be chosen again; the same purchase may pay for another (R8)
        assertThat(bound.body()).containsPattern("value=\"" + prod + "\"\\s+disabled");
        HttpResponse<String> second = submit(formToken(bound), staging, account, instance);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("工作空间 Staging 现通过阿里云云市场付费");
        assertThat(bindings.activeBindingsOf(sub)).extracting(b -> b.organizationId()).containsExactly(prod, staging);
    }

    /** R9: a product that names its console: the bound answer links to it. */
    @Test
    void theBoundAnswerLinksToTheProductsConsole() throws Exception {
        String fay = unique("u-fay");
        String ws = organization("Fay's workspace", fay);
        String account = uid();
        String sub = opened(GUANCE_WITH_CONSOLE, account);
        HttpResponse<String> form = signIn(fay, null);
        HttpResponse<String> bound = submit(formToken(form), ws, account, sub.substring("aliyun:".length()));
        assertThat(bound.statusCode()).isEqualTo(200);
        assertThat(bound.body()).contains("id=\"bound\"")
                .containsPattern("id=\"console\"\\s+href=\"https://console.guance.example/\"");
    }

    @Test
    void wrongRamMissingAndOtherProductsInputIsRefusedAsTheApiRefusesItAndBindsNothing() throws Exception {
        String bob = unique("u-bob");
        String ws = organization("Bob's workspace", bob);
        String account = uid();
        String sub = opened(GUANCE, account);
        String instance = sub.substring("aliyun:".length());
        String token = formToken(signIn(bob, null));

        // a wrong account and an instance nobody bought get one answer (no oracle), the API's 403
        HttpResponse<String> wrongAccount = submit(token, ws, "1234567", instance);
        HttpResponse<String> noSuchInstance = submit(token, ws, "1234567", unique("NOPE"));
        assertThat(wrongAccount.statusCode()).isEqualTo(noSuchInstance.statusCode()).isEqualTo(403);
        assertThat(refusal(wrongAccount)).contains("data-code=\"refusal.account_mismatch\"").contains("账号 ID 与该实例不符")
                .contains("请填写同一次购买的主账号 ID").isEqualTo(refusal(noSuchInstance));
        // what was typed stays, to be corrected
        assertThat(wrongAccount.body()).contains("value=\"1234567\"").containsPattern("value=\"" + ws + "\"\\s+checked");

        // a RAM user's sign-in name: the UID to type instead is named
        HttpResponse<String> ram = submit(token, ws, "ops.bob@" + account + ".onaliyun.com", instance);
        assertThat(ram.statusCode()).isEqualTo(422);
        assertThat(refusal(ram)).contains("这是 RAM 用户的登录名").contains("请改为填写主账号 UID " + account)
                .contains("此处为 " + account);

        HttpResponse<String> noInstance = submit(token, ws, account, "  ");
        assertThat(noInstance.statusCode()).isEqualTo(400);
        assertThat(refusal(noInstance)).contains("请填写商品实例 ID");
        HttpResponse<String> noAccount = submit(token, ws, null, instance);
        assertThat(noAccount.statusCode()).isEqualTo(400);
        assertThat(refusal(noAccount)).contains("请填写阿里云账号 ID");
        HttpResponse<String> noWorkspace = submit(token, null, account, instance);
        assertThat(noWorkspace.statusCode()).isEqualTo(400);
        assertThat(refusal(noWorkspace)).contains("请选择工作空间");
        HttpResponse<String> tooLong = submit(token, ws, account, "i".repeat(129));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(refusal(tooLong)).contains("最长 128 个字符");

        // no cross-site posts: a forged or missing form token binds nothing
        HttpResponse<String> forged = submit("forged", ws, account, instance);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("表单已过期");
        assertThat(post("/binding/billing-center", "organizationId=" + ws + "&accountId=" + account + "&instanceId="
                + instance).statusCode()).isEqualTo(403);
        // a binding page's token, of this very user cookie, is not this form's
        String userCookie = ((CookieManager) browser.cookieHandler().orElseThrow()).getCookieStore().getCookies()
                .stream().filter(c -> c.getName().equals(BindingPage.USER_COOKIE)).findFirst().orElseThrow().getValue();
        assertThat(submit(BindingPage.formToken("a-ticket", userCookie), ws, account, instance).statusCode())
                .isEqualTo(403);

        // Zilliz binds only from the free-login link: the right account and instance are not its proof
        String zillizAccount = uid();
        String zilliz = opened(ZILLIZ, zillizAccount);
        HttpResponse<String> notAccepted = submit(token, ws, zillizAccount, zilliz.substring("aliyun:".length()));
        assertThat(notAccepted.statusCode()).isEqualTo(400);
        assertThat(refusal(notAccepted)).contains("该商品只能通过云市场的免登链接绑定");

        assertThat(bindings.activeBindingsOf(sub)).isEmpty();
        assertThat(bindings.activeBindingsOf(zilliz)).isEmpty();
        assertThat(bindings.activeBindingOf(ws)).isEmpty();

        // and the right values still bind: the refusals changed nothing
        HttpResponse<String> ok = submit(token, ws, account, instance);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("id=\"bound\"");
    }

    @Test
    void theFormSpeaksEnglishWhenAskedAndRemembersIt() throws Exception {
        String carol = unique("u-carol");
        String ws = organization("Carol Lab", carol);
        member(organization("Not mine", unique("u-admin")), carol, "MEMBER");
        String account = uid();
        String instance = opened(GUANCE, account).substring("aliyun:".length());
        signIn(carol, null);

        HttpResponse<String> en = get("/binding/billing-center?lang=en");
        assertThat(en.body()).contains("lang=\"en\"").contains("Pay for a workspace through Alibaba Cloud Marketplace")
                .contains("Alibaba Cloud account ID (main account UID)").contains("Commodity instance ID")
                .contains("Insufficient permission").contains("Pay through the marketplace")
                .contains("href=\"/binding/billing-center?lang=zh-CN\"").contains(">中文<");
        HttpResponse<String> ram = submit(formToken(en), ws, "dev@" + account + ".onaliyun.com", instance);
        assertThat(ram.statusCode()).isEqualTo(422);
        assertThat(refusal(ram)).contains("This is a RAM user sign-in name")
                .contains("enter the main account UID " + account + " instead");
        HttpResponse<String> bound = submit(formToken(ram), ws, account, instance);
        assertThat(bound.body()).contains("lang=\"en\"")
                .contains("Workspace Carol Lab now pays through the Alibaba Cloud Marketplace.");
    }
}
