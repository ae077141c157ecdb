package io.marketbill.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A service behind the gateway that is down (nothing listens) or dies before answering (the connection closes after
 * the request): 503 with Retry-After, or 502, in JSON for the APIs and in HTML for the pages, instead of a bare 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class UpstreamFailuresTest {

    static ServerSocket hangsUp;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        TestTokens.register(registry);
        int nothingListens;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nothingListens = s.getLocalPort();
        }
        registry.add("BINDING_SERVICE_URL", () -> "http://127.0.0.1:" + nothingListens);
        // reads the request, then closes without a word: a service killed while handling it
        hangsUp = new ServerSocket();
        hangsUp.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t = new Thread(() -> {
            while (!hangsUp.isClosed()) {
                try (Socket c = hangsUp.accept()) {
                    InputStream in = c.getInputStream();
                    in.read(new byte[8192]);
                } catch (Exception ignored) {
                    // closed
                }
            }
        }, "hangs-up");
        t.setDaemon(true);
        t.start();
        registry.add("BILLING_SERVICE_URL", () -> "http://127.0.0.1:" + hangsUp.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        hangsUp.close();
    }

    @LocalServerPort int port;
    @Autowired MeterRegistry meters;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"organizationId\":\"o\"}")
                        : HttpRequest.BodyPublishers.noBody()).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", TestTokens.bearer(token));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double failures(String route, String status) {
        var c = meters.find("marketbill.gateway.upstream.failures").tag("route", route).tag("status", status).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void anUnreachableServiceIs503WithRetryAfterInJsonForTheApis() throws Exception {
        double before = failures("bindings", "503");
        for (String method : new String[] {"GET", "POST"}) {
            HttpResponse<String> r = call(method, "/api/bindings/aliyun%3ADOWN-1", TestTokens.user("u-alice"));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue(UpstreamFailures.RETRY_AFTER);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
            assertThat(r.body()).contains("\"error\":\"service_unavailable\"").contains("\"route\":\"bindings\"")
                    .doesNotContain("Exception");
        }
        assertThat(failures("bindings", "503")).isEqualTo(before + 2);
    }

    @Test
    void anUnreachablePageIs503InHtml() throws Exception {
        HttpResponse<String> r = call("GET", "/binding?ticket=t", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("text/html"));
        assertThat(r.body()).contains("<!DOCTYPE html>").contains("服务暂时不可用").contains("briefly unavailable");
    }

    @Test
    void aServiceThatHangsUpBeforeAnsweringIs502WithoutRetryAfter() throws Exception {
        HttpResponse<String> r = call("GET", "/api/billing/ledger/1", TestTokens.operator("u-olga"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(r.body()).contains("\"error\":\"bad_gateway\"").contains("may or may not have taken effect");
        assertThat(failures("billing", "502")).isPositive();
    }

    @Test
    void otherErrorsAreNotMistakenForAnUnreachableService() {
        assertThat(UpstreamFailures.statusFor(new IllegalStateException("boom"))).isNull();
        assertThat(UpstreamFailures.statusFor(new RuntimeException(new java.net.ConnectException("refused"))))
                .hasToString("503 SERVICE_UNAVAILABLE");
    }
}
