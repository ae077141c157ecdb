package io.marketbill.binding.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.testsupport.HeadlessChromium;
import io.marketbill.testsupport.TestTokens;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The ops console in a real browser (Debian's {@code chromium}, headless), with a screenshot of a subscription's
 * page in {@code target/screenshots/ops-console.png} (copied to {@code docs/}). For the screenshot the browser gets the
 * operator's session cookie from a page on another port of the same host (cookies ignore ports), as if it had signed
 * in, since a sign-in lands on the overview; the sign-in itself is
 * {@link #anOperatorSignsInThroughTheProviderAndAnAccessTokenDoesNot}.
 * Skipped where chromium is not installed.
 */
class OpsConsoleInChromiumTest extends BindingServiceTestBase {

    private static String run(Path chromium, String url, String... extra) throws Exception {
        return HeadlessChromium.run(chromium, "en-US", "1280,1000", url, extra);
    }

    @Test
    void aSubscriptionPageRendersInABrowser() throws Exception {
        Path chromium = HeadlessChromium.require();
        String alice = unique("u-alice");
        String org = organization("Embedding Lab", alice);
        String sub = opened(ZILLIZ, "1880000000000042");
        bindings.bind(alice, sub, org, Proof.LOGIN_TICKET, null);
        String operator = TestTokens.operator("u-olga");
        String target = "http://127.0.0.1:" + port + "/ops/subscriptions/" + URLEncoder.encode(sub,
                StandardCharsets.UTF_8);

        HttpServer session = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        session.createContext("/", x -> {
            x.getResponseHeaders().add("Set-Cookie", OpsConsole.SESSION_COOKIE + "=" + operator
                    + "; Path=/ops; HttpOnly; SameSite=Lax");
            x.getResponseHeaders().add("Location", target);
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        session.start();
        try {
            String start = "http://127.0.0.1:" + session.getAddress().getPort() + "/start";
            String dom = run(chromium, start, "--dump-dom");
            assertThat(dom).contains("Subscription " + sub).contains(org)
                    .contains("SubscriptionActivated").contains("BOUND").contains("Signed in as u-olga");

            Path shots = Path.of("target/screenshots");
            Files.createDirectories(shots);
            Path png = shots.resolve("ops-console.png").toAbsolutePath();
            Files.deleteIfExists(png);
            run(chromium, start, "--screenshot=" + png, "--hide-scrollbars");
            assertThat(png).exists();
            assertThat(Files.size(png)).isGreaterThan(10_000);
        } finally {
            session.stop(0);
        }
    }

    /**
     * The whole sign-in in a browser: the console sends it to the provider, whose form_post comes back with an
     * operator's ID token for the sign-in's nonce; an operator's access token instead (with that nonce) opens nothing.
     */
    @Test
    void anOperatorSignsInThroughTheProviderAndAnAccessTokenDoesNot() throws Exception {
        Path chromium = HeadlessChromium.require();
        String console = "http://127.0.0.1:" + port + "/ops";
        try {
            TestTokens.signInWith(request -> TestTokens.accessToken("u-olga", java.util.List.of("operator"),
                    "ops-script", request.get("nonce")));
            assertThat(run(chromium, console, "--dump-dom")).contains("The sign-in could not be verified")
                    .doesNotContain("Signed in as");
            TestTokens.signInWith(request -> TestTokens.idToken("u-olga", java.util.List.of("operator"),
                    java.util.List.of(request.get("client_id")), request.get("client_id"), request.get("nonce")));
            assertThat(run(chromium, console, "--dump-dom")).contains("<h1>Ops console</h1>")
                    .contains("Signed in as u-olga");
        } finally {
            TestTokens.signInWith(null);
        }
    }
}
