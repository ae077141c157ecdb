package io.marketbill.binding.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.bindings.Bindings;
import io.marketbill.contracts.FrontEndLink;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionOpened;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The front-end URL (前台地址) the gateway gives at createInstance, as a browser opens it: it tells how the one instance
 * stands and what to do, never binds, sets no cookie, and tells nothing to a link that is not the gateway's.
 */
class FrontEndPageTest extends BindingServiceTestBase {

    static final byte[] SECRET = BindingPageTest.SECRET;
    static final String MARKETPLACE_CONSOLE = "href=\"https://market.console.aliyun.com/\"";

    /** No cookie jar: the page must work for a browser that keeps nothing, and must not leave anything either. */
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().allValues("Set-Cookie")).as("cookies set by " + path).isEmpty();
        return r;
    }

    private static String instanceOf(String subscriptionId) {
        return subscriptionId.substring("aliyun:".length());
    }

    /** The front-end URL the gateway makes for the instance (gateway-service, AliyunSpiController). */
    private static String link(String instance) {
        return linkWithSig(instance, FrontEndLink.sign(instance, SECRET));
    }

    private static String linkWithSig(String instance, String sig) {
        return "/binding/front?instance=" + URLEncoder.encode(instance, StandardCharsets.UTF_8) + "&sig=" + sig;
    }

    /** The gateway's link for the instance with one character of its signature changed. */
    private static String flipped(String instance) {
        String sig = FrontEndLink.sign(instance, SECRET);
        return linkWithSig(instance, (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
    }

    private void assertNothingBound(String subscriptionId) {
        assertThat(bindings.historyOfSubscription(subscriptionId)).as("bindings of " + subscriptionId).isEmpty();
    }

    @Test
    void aLinkWithoutTheGatewaysSignatureIsRefusedWithFreeLoginAsTheWayOnNotItself() throws Exception {
        String sub = opened(ZILLIZ, unique("ali"));
        String instance = instanceOf(sub);
        for (String path : new String[] {linkWithSig(instance, "not-a-signature"), "/binding/front",
                "/binding/front?instance=" + instance, flipped(instance)}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(r.body()).as(path).contains("lang=\"zh-CN\"").contains("该链接无效")
                    .contains("已购买的服务").contains("免登").contains(MARKETPLACE_CONSOLE)
                    // no loop: the 前台地址 is not the way out of a refused 前台地址
                    .doesNotContain("前台地址").doesNotContain(instance).doesNotContain("Zilliz");
        }
        HttpResponse<String> en = get(linkWithSig(instance, "nope"), "Accept-Language", "en");
        assertThat(en.statusCode()).isEqualTo(403);
        assertThat(en.body()).contains("This link is not valid").contains("Purchased services").contains("Free login")
                .doesNotContain("Front-end URL");
        assertNothingBound(sub);
    }

    @Test
    void anotherInstancesSignatureOpensNeitherAndTellsNothingOfEither() throws Exception {
        String mine = opened(ZILLIZ, unique("ali"));
        String other = opened(GUANCE, unique("ali"));
        HttpResponse<String> swapped = get(linkWithSig(instanceOf(mine), FrontEndLink.sign(instanceOf(other), SECRET)));
        assertThat(swapped.statusCode()).isEqualTo(403);
        assertThat(swapped.body()).doesNotContain(instanceOf(mine)).doesNotContain(instanceOf(other))
                .doesNotContain("Guance").doesNotContain("Zilliz")
                // word for word the answer to a garbage signature: nothing to tell the two apart
                .isEqualTo(get(linkWithSig(instanceOf(other), "garbage")).body());
        // the login ticket's secret, but signed as something else: the bare instance id
        String bare = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(instanceOf(mine)));
        assertThat(get(linkWithSig(instanceOf(mine), bare)).statusCode()).isEqualTo(403);
        assertNothingBound(mine);
        assertNothingBound(other);
    }

    @Test
    void aBoundSubscriptionGoesOnToTheProductsConsole() throws Exception {
        String alice = unique("u-alice");
        String org = organization("EMQX team", alice);
        String sub = opened(EMQX, unique("ali"));
        bindings.bind(alice, sub, org, Bindings.Proof.LOGIN_TICKET, null);
        HttpResponse<String> r = get(link(instanceOf(sub)));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("https://cloud.emqx.example/console");
        assertThat(bindings.historyOfSubscription(sub)).hasSize(1);
    }

    @Test
    void aBoundSubscriptionOfAProductWithoutConsoleSaysSoAndNamesNoOrganization() throws Exception {
        String alice = unique("u-alice");
        String org = organization("Secret Org Name", alice);
        String sub = opened(ZILLIZ, unique("ali"));
        bindings.bind(alice, sub, org, Bindings.Proof.LOGIN_TICKET, null);
        HttpResponse<String> r = get(link(instanceOf(sub)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("id=\"bound\"").contains("该订阅已绑定组织").contains("免登")
                .doesNotContain("Secret Org Name").doesNotContain(org).doesNotContain(alice);
    }

    @Test
    void anInstanceStillOnItsWayIsAnnouncedAndThePageLooksAgainByItself() throws Exception {
        String sub = "aliyun:" + UUID.randomUUID();
        String account = unique("ali");
        HttpResponse<String> early = get(link(instanceOf(sub)));
        assertThat(early.statusCode()).isEqualTo(202);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(early.body()).contains("该服务正在开通").contains("<meta http-equiv=\"refresh\" content=\"3\">");
        lifecycle(sub, new SubscriptionOpened(ZILLIZ, "payg", false, account, "o-" + sub, null, Map.of(), null, null));
        HttpResponse<String> ready = get(link(instanceOf(sub)));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("id=\"unbound\"").doesNotContain("http-equiv=\"refresh\"");
        assertNothingBound(sub);
    }

    @Test
    void anUnboundSubscriptionTellsHowToBindItWithFreeLoginInBothLanguages() throws Exception {
        String account = unique("ali");
        String sub = opened(ZILLIZ, account);
        String instance = instanceOf(sub);

        HttpResponse<String> zh = get(link(instance));
        assertThat(zh.statusCode()).isEqualTo(200);
        assertThat(zh.body()).contains("lang=\"zh-CN\"").contains("Zilliz Cloud").contains("该订阅尚未绑定组织")
                .contains("已购买的服务").contains("点击“免登”").contains("选择由该订阅付费的组织并确认绑定")
                .contains(MARKETPLACE_CONSOLE).contains("<code id=\"instance-id\">" + instance + "</code>")
                // only the bought-with account can bind with the account-and-instance proof: never shown here
                .doesNotContain(account)
                .doesNotContain("/binding/billing-center").doesNotContain("<form");

        HttpResponse<String> en = get(link(instance) + "&lang=en");
        assertThat(en.statusCode()).isEqualTo(200);
        assertThat(en.body()).contains("lang=\"en\"").contains("This subscription is not bound to an organization yet")
                .contains("&quot;Purchased services&quot;").contains("click &quot;Free login&quot;")
                .contains("choose the organization this subscription pays for").contains(MARKETPLACE_CONSOLE)
                .doesNotContain(account).doesNotContain("/binding/billing-center");
        // the language switch keeps the link whole
        assertThat(en.body()).contains("href=\"/binding/front?instance=" + instance + "&amp;sig="
                + FrontEndLink.sign(instance, SECRET) + "&amp;lang=zh-CN\"");
        assertNothingBound(sub);
    }

    @Test
    void aProductThatAcceptsTheAccountAndInstanceProofAlsoOffersTheBillingCenter() throws Exception {
        String account = unique("ali");
        String sub = opened(GUANCE, account);
        String instance = instanceOf(sub);
        HttpResponse<String> r = get(link(instance));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("Guance").contains("id=\"unbound\"").contains("免登")
                .contains("id=\"billing-center\"").contains("主账号 ID")
                .contains("href=\"/binding/billing-center?instance=" + instance + "\"")
                .contains("<code>" + instance + "</code>").doesNotContain(account);
        assertNothingBound(sub);
    }

    @Test
    void aFrozenOrClosedSubscriptionSaysSoAndWhatToDo() throws Exception {
        String frozen = opened(ZILLIZ, unique("ali"));
        lifecycle(frozen, new SubscriptionFrozen("EXPIRED", null));
        HttpResponse<String> f = get(link(instanceOf(frozen)));
        assertThat(f.statusCode()).isEqualTo(200);
        assertThat(f.body()).contains("id=\"frozen\"").contains("该订阅已冻结").contains("续费")
                .contains(MARKETPLACE_CONSOLE).doesNotContain("id=\"unbound\"");
        assertThat(get(link(instanceOf(frozen)) + "&lang=en").body()).contains("This subscription is frozen")
                .contains("Renew it");

        String closed = opened(GUANCE, unique("ali"));
        lifecycle(closed, new SubscriptionClosed(false, null, "RELEASED"));
        HttpResponse<String> c = get(link(instanceOf(closed)));
        assertThat(c.statusCode()).isEqualTo(200);
        assertThat(c.body()).contains("id=\"closed\"").contains("该订阅已关闭").contains("重新购买")
                .doesNotContain("/binding/billing-center");
        assertThat(get(link(instanceOf(closed)) + "&lang=en").body()).contains("This subscription is closed")
                .contains("subscribe again");
        assertNothingBound(frozen);
        assertNothingBound(closed);
    }

    @Test
    void aBoundSubscriptionThatIsFrozenSaysSoRatherThanOpenTheConsoleSilently() throws Exception {
        String alice = unique("u-alice");
        String org = organization("Frozen EMQX", alice);
        String sub = opened(EMQX, unique("ali"));
        bindings.bind(alice, sub, org, Bindings.Proof.LOGIN_TICKET, null);
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null));
        HttpResponse<String> r = get(link(instanceOf(sub)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("id=\"frozen\"").contains("已绑定的组织无需重新绑定")
                .contains("href=\"https://cloud.emqx.example/console\"").doesNotContain("Frozen EMQX");
    }

    private static byte[] hmac(String text) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
