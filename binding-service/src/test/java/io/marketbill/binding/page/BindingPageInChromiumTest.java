package io.marketbill.binding.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.contracts.LoginTicket;
import io.marketbill.testsupport.HeadlessChromium;
import io.marketbill.testsupport.TestTokens;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The binding page in a real browser (Debian's {@code chromium}, headless): the whole flow from the marketplace's
 * ticket through the identity provider's form_post to the page, in both languages, with a screenshot of each in
 * {@code target/screenshots/} (copied to {@code docs/}). Skipped where chromium is not installed.
 */
class BindingPageInChromiumTest extends BindingServiceTestBase {

    static final byte[] SECRET = "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    private static String run(Path chromium, String language, String url, String... extra) throws Exception {
        return HeadlessChromium.run(chromium, language, "900,860", url, extra);
    }

    @Test
    void theWholeFlowRendersInBothLanguages() throws Exception {
        Path chromium = HeadlessChromium.require();
        String carol = "u-carol-" + unique("c");
        String lab = organization("Embedding Lab", carol);
        String search = organization("Vector Search Team", unique("u-admin"));
        member(search, carol, "MEMBER");
        String bound = organization("Production", carol);
        bindings.bind(carol, opened(ZILLIZ, unique("ali")), bound, io.marketbill.binding.bindings.Bindings.Proof.LOGIN_TICKET, null);
        String sub = opened(ZILLIZ, "1880000000000002");
        TestTokens.signInAs(carol);
        String ticket = new LoginTicket(sub, "", Instant.now().plusSeconds(600)).sign(SECRET);
        String url = "http://127.0.0.1:" + port + "/binding?ticket=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8);

        String zh = run(chromium, "zh-CN", url, "--dump-dom");
        assertThat(zh).contains("绑定云市场订阅").contains("Embedding Lab").contains("权限不足").contains("已绑定云市场订阅")
                .contains("确认绑定").contains("1880000000000002");
        String en = run(chromium, "en-US", url, "--dump-dom");
        assertThat(en).contains("Bind your marketplace subscription").contains("Insufficient permission")
                .contains("Already bound to a marketplace subscription").contains("Confirm binding");

        Path shots = Path.of("target/screenshots");
        Files.createDirectories(shots);
        for (String lang : List.of("zh-CN", "en")) {
            Path png = shots.resolve("binding-page-" + lang + ".png").toAbsolutePath();
            Files.deleteIfExists(png);
            run(chromium, lang.equals("en") ? "en-US" : "zh-CN", url, "--screenshot=" + png, "--hide-scrollbars");
            assertThat(png).exists();
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
        assertThat(bindings.activeBindingsOf(sub)).as("looking binds nothing").isEmpty();
        assertThat(lab).isNotBlank();
    }

    /**
     * The provider posting back a token that is not this sign-in's ID token: the browser is refused and not signed in,
     * whether the token has no nonce or is an access token carrying the sign-in's nonce.
     */
    @Test
    void aTokenThatIsNotTheSignInsIdTokenIsRefusedInTheBrowser() throws Exception {
        Path chromium = HeadlessChromium.require();
        String dave = "u-dave-" + unique("d");
        organization("Lab of Dave", dave);
        String sub = opened(ZILLIZ, unique("ali"));
        String url = "http://127.0.0.1:" + port + "/binding?ticket=" + URLEncoder.encode(
                new LoginTicket(sub, "", Instant.now().plusSeconds(600)).sign(SECRET), StandardCharsets.UTF_8);
        try {
            TestTokens.signInWith(request -> TestTokens.idToken(dave, List.of(), null));
            assertThat(run(chromium, "zh-CN", url, "--dump-dom")).as("no nonce").contains("登录未能验证")
                    .doesNotContain("Lab of Dave");
            TestTokens.signInWith(request -> TestTokens.accessToken(dave, List.of(), "vendor-console",
                    request.get("nonce")));
            assertThat(run(chromium, "en-US", url, "--dump-dom")).as("an access token")
                    .contains("The sign-in could not be verified").doesNotContain("Lab of Dave");
        } finally {
            TestTokens.signInWith(null);
        }
        TestTokens.signInAs(dave);
        assertThat(run(chromium, "en-US", url, "--dump-dom")).contains("Lab of Dave");
    }
}
