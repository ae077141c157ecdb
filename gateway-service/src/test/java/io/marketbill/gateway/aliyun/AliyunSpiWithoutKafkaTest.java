package io.marketbill.gateway.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no broker to make the event durable, the marketplace is told to retry; nothing is acknowledged. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marketbill.publish-timeout=3s",
        "spring.kafka.producer.properties.max.block.ms=1500"})
@org.springframework.test.context.ActiveProfiles("test")
class AliyunSpiWithoutKafkaTest {

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
    void createInstanceAnswersZeroAndOtherActionsAnError() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/marketplace/aliyun/spi?" + AliyunSpiTest.query(AliyunSpiTest.signed(
                        AliyunSpiTest.create("NOKAFKA1"), AliyunSpiTest.KEY)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"instanceId\":\"0\"}");

        Map<String, String> release = new LinkedHashMap<>();
        release.put("action", "releaseInstance");
        release.put("instanceId", "NOKAFKA1");
        release.put("isRefund", "false");
        HttpResponse<String> rel = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/marketplace/aliyun/spi?" + AliyunSpiTest.query(AliyunSpiTest.signed(release,
                        AliyunSpiTest.KEY)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rel.statusCode()).isEqualTo(503);
        assertThat(rel.body()).contains("\"success\":\"false\"");
    }
}
