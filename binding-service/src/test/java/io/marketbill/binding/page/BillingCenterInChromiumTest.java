package io.marketbill.binding.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.testsupport.ChromiumPage;
import io.marketbill.testsupport.HeadlessChromium;
import io.marketbill.testsupport.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guance's billing-center form in a real browser (Debian's {@code chromium}, headless, driven over the DevTools
 * protocol): signed in through the identity provider's form_post, the buyer picks a workspace, types a RAM user's
 * sign-in name and is told the UID to type instead, types it and the instance id, and the workspace is bound. In both
 * languages, with a screenshot of each in {@code target/screenshots/}. Skipped where chromium is not installed (fails
 * under CI=true).
 */
class BillingCenterInChromiumTest extends BindingServiceTestBase {

    @ParameterizedTest
    @CsvSource({
            "zh-CN, zh-CN, 观测云 生产, 这是 RAM 用户的登录名, 请改为填写主账号 UID, 现通过阿里云云市场付费",
            "en, en-US, Guance production, This is a RAM user sign-in name, enter the main account UID, now pays through the Alibaba Cloud Marketplace"})
    void theBuyerFillsInTheFormAndTheWorkspacePaysThroughTheMarketplace(String lang, String browserLanguage,
            String workspace, String ramRefused, String typeInstead, String bound) throws Exception {
        Path chromium = HeadlessChromium.require();
        String erin = unique("u-erin");
        String ws = organization(workspace, erin);
        String other = organization("Someone else's workspace", unique("u-admin"));
        member(other, erin, "MEMBER");
        String account = "188" + String.valueOf(System.nanoTime()).substring(0, 13);
        String sub = opened(GUANCE, account);
        String instance = sub.substring("aliyun:".length());
        TestTokens.signInAs(erin);

        try (ChromiumPage page = ChromiumPage.open(chromium, browserLanguage, "900,1000")) {
            // as the front-end address page links here: the instance id filled in, through the sign-in
            page.navigate("http://127.0.0.1:" + port + "/binding/billing-center?instance=" + instance);
            page.waitFor("document.querySelector('#submit')");
            assertThat(page.evaluate("document.documentElement.lang").asString()).isEqualTo(lang);
            assertThat(page.evaluate("document.querySelector('#instanceId').value").asString()).isEqualTo(instance);
            assertThat(page.evaluate("document.querySelector('input[value=\"" + other + "\"]').disabled").asBoolean())
                    .as("a workspace erin is only a member of").isTrue();

            page.click("input[value=\"" + ws + "\"]");
            page.type("#accountId", "erin@" + account + ".onaliyun.com");
            page.clickAndWaitForNextPage("#submit");
            String refused = page.html();
            assertThat(refused).contains("id=\"refusal\"").contains(ramRefused).contains(typeInstead + " " + account);
            assertThat(bindings.activeBindingsOf(sub)).isEmpty();
            // what was typed stays: the workspace and the instance id are still chosen and filled in
            assertThat(page.evaluate("document.querySelector('input[value=\"" + ws + "\"]').checked").asBoolean())
                    .isTrue();
            assertThat(page.evaluate("document.querySelector('#instanceId').value").asString()).isEqualTo(instance);

            page.type("#accountId", account);
            page.clickAndWaitForNextPage("#submit");
            String done = page.html();
            assertThat(done).contains("id=\"bound\"").contains(workspace).contains(bound);
            assertThat(bindings.activeBindingsOf(sub)).singleElement()
                    .satisfies(b -> assertThat(b.organizationId()).isEqualTo(ws));

            Path shots = Path.of("target/screenshots");
            Files.createDirectories(shots);
            Path png = shots.resolve("billing-center-" + lang + ".png");
            Files.write(png, page.screenshot());
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
    }
}
