package io.marketbill.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.testsupport.Http;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With no broker, usage is never acknowledged: 503, and the producer sends it again. Also the per-producer rate
 * limit, which needs no broker (a tiny bucket here, for the second producer only).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marketbill.publish-timeout=3s",
        "spring.kafka.producer.properties.max.block.ms=1500",
        "marketbill.usage.producers[0].name=platform",
        "marketbill.usage.producers[0].key-sha256=0216153242c21fa5b75975a665a703db3d318d9bd59d7db3cd5ca600579b2ad8",
        "marketbill.usage.producers[0].sources=//",
        "marketbill.usage.producers[1].name=hasty",
        "marketbill.usage.producers[1].key-sha256=9b23f86d5589406b3e77d0d1ef6f203c25d294254379828194a64d158d653199",
        "marketbill.usage.producers[1].sources=//",
        "marketbill.usage.rate-limit.burst=3",
        "marketbill.usage.rate-limit.per-second=0.001"})
@ActiveProfiles("test")
class UsageWithoutKafkaTest {

    @DynamicPropertySource
    static void deadBroker(DynamicPropertyRegistry registry) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        int p = port;
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + p);
    }

    @LocalServerPort int port;

    @Test
    void usageThatCannotBeMadeDurableIs503NeverAccepted() {
        String batch = "[" + UsageEndpointTest.event("//emqx.example/a", "nk-1", "organizationId", "org-nk", "1") + ","
                + UsageEndpointTest.event("//emqx.example/a", "nk-2", "organizationId", "org-nk", "2") + "]";
        var r = Http.request(port, "POST", "/api/usage", batch, "Content-Type", "application/cloudevents-batch+json",
                "X-Api-Key", UsageEndpointTest.EMQX_KEY);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"error\":\"unavailable\"").doesNotContain("accepted");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aProducerOverItsRateIs429() {
        for (int i = 0; i < 3; i++) {
            var r = Http.request(port, "POST", "/api/usage", "x", "Content-Type", "text/plain",
                    "X-Api-Key", UsageEndpointTest.ZILLIZ_KEY);
            assertThat(r.statusCode()).isEqualTo(415);
        }
        var limited = Http.request(port, "POST", "/api/usage", "x", "Content-Type", "text/plain",
                "X-Api-Key", UsageEndpointTest.ZILLIZ_KEY);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"error\":\"rate_limited\"");
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    }
}
