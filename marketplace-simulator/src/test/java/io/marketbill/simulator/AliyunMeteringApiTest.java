package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** PushMeteringData as the simulated marketplace enforces it (spec §1.7). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "simulator.aliyun.spi-url=http://127.0.0.1:9/nowhere", "simulator.aliyun.retries=1",
        "simulator.aliyun.prices.cmgj00063418-Frequency-1=0.001",
        "simulator.aliyun.prices.cmgj00063418-Period-2=1.25"})
class AliyunMeteringApiTest {

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private String buy(String product) throws Exception {
        String orderBizId = "M" + UUID.randomUUID().toString().substring(0, 8);
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/instances"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"productCode\":\"" + product + "\",\"orderBizId\":\"" + orderBizId + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return orderBizId;
    }

    private HttpResponse<String> push(String metering, String secret) throws Exception {
        return SignedCalls.aliyunPush(port, metering, secret);
    }

    static String record(String instance, long start, long end, String key, long value, String assit) {
        return "{\"InstanceId\":\"" + instance + "\",\"StartTime\":\"" + start + "\",\"EndTime\":\"" + end
                + "\",\"Entities\":[{\"Key\":\"" + key + "\",\"Value\":\"" + value + "\",\"meteringAssit\":\""
                + assit + "\"}]}";
    }

    @Test
    void acceptsAValidPushAndEnforcesEveryDocumentedLimit() throws Exception {
        String a = buy("cmgj00063418");
        String b = buy("cmgj00063418");
        String other = buy("cmgj00069406");
        long hour = Instant.now().truncatedTo(ChronoUnit.HOURS).getEpochSecond();
        long now = Instant.now().getEpochSecond();

        HttpResponse<String> ok = push("[" + record(a, hour, hour + 3600, "Frequency", 9, "cmgj00063418-Frequency-1")
                + "," + record(b, hour, hour + 3600, "Period", 1800, "cmgj00063418-Period-2") + "]",
                "local-aliyun-secret");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"Success\":true");
        String billed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/metering"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        // 9 x ¥0.001 = ¥0.009: under ¥0.01 is charged 0; Period is seconds billed per hour (Alibaba's example:
        // 1800 at ¥1/hour is ¥0.50): 1800 / 3600 x ¥1.25 = ¥0.625, kept to two decimals, ¥0.62
        assertThat(billed).contains("\"instanceId\":\"" + a + "\"").contains("\"fee\":0.00")
                .contains("\"fee\":0.62");

        assertThat(push("[" + record(a, hour, hour + 3600, "Frequency", 1, "cmgj00063418-Frequency-1") + "]",
                "local-aliyun-secret").body()).as("again within 60 s").contains("Service.Flow.Control");
        String c = buy("cmgj00063418");
        assertThat(push("[" + record(c, hour, hour + 3600, "Frequency", 1, "cmgj00069406-Frequency-1") + "]",
                "local-aliyun-secret").body()).as("another product's billing item")
                .contains("is not a billing item of product cmgj00063418 and key Frequency");
        assertThat(push("[" + record(c, hour, hour + 3600, "Unit", 1, "cmgj00063418-Frequency-1") + "]",
                "local-aliyun-secret").body()).as("another key's billing item").contains("is not a billing item");
        assertThat(push("[" + record(c, hour, hour + 3600, "Calls", 1, "cmgj00063418-Calls-1") + "]",
                "local-aliyun-secret").body()).contains("Key Calls is not a metering key");
        assertThat(push("[" + record(c, now - 200, now, "Frequency", 1, "cmapi-Frequency-1") + "]",
                "local-aliyun-secret").body()).as("window of 5 minutes or less").contains("Invalid.Parameter.Metering");
        assertThat(push("[" + record(c, hour, hour + 3600, "Frequency", 1, "") + "]", "local-aliyun-secret").body())
                .contains("meteringAssit is empty");
        assertThat(push("[" + record(c, hour - 3 * 3600, hour - 2 * 3600, "Frequency", 1, "cmgj00063418-Frequency-1") + "]",
                "local-aliyun-secret").body()).as("past the deadline").contains("deadline");
        assertThat(push("[" + record(c, hour, hour + 3600, "Frequency", 1, "cmgj00063418-Frequency-1") + ","
                + record(other, hour, hour + 3600, "Frequency", 1, "cmgj00069406-Frequency-1") + "]",
                "local-aliyun-secret").body())
                .contains("one product");
        String many = java.util.stream.IntStream.range(0, 101).mapToObj(i -> record(c, hour, hour + 3600, "Frequency",
                1, "cmgj00063418-Frequency-1")).collect(Collectors.joining(",", "[", "]"));
        assertThat(push(many, "local-aliyun-secret").body()).contains("Metering.Data.Exceeded");
        assertThat(push("[" + record(c, hour, hour + 3600, "Frequency", 1, "cmgj00063418-Frequency-1") + "]", "wrong-secret").body())
                .contains("SignatureDoesNotMatch");
        assertThat(push("[" + record("NOT-SOLD", hour, hour + 3600, "Frequency", 1, "cmgj00063418-Frequency-1") + "]",
                "local-aliyun-secret").body()).contains("Invalid.Parameter.Instance");
        assertThat(push("not json", "local-aliyun-secret").body()).contains("Invalid.Parameter.Metering");
        // none of the refused pushes was billed: c was never accepted
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/metering"))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("\"instanceId\":\"" + c + "\"");
    }

    @Test
    void usageFromAnInstancesExpiryOnIsAcceptedButNotBilled() throws Exception {
        // the documentation's example: expired at 12:20, the 13:00-14:00 record is not billed
        String before = buy("cmgj00063418");
        String after = buy("cmgj00063418");
        long hour = Instant.now().truncatedTo(ChronoUnit.HOURS).getEpochSecond();
        Instant expiry = Instant.ofEpochSecond(hour - 2400); // hh:20 of the previous hour
        for (String i : new String[] {before, after}) {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/instances/" + i
                    + "/expire")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"at\":\"" + expiry + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        }
        HttpResponse<String> r = push("[" + record(before, hour - 3600, hour, "Frequency", 20, "cmgj00063418-Frequency-1")
                + "," + record(after, hour, hour + 3600, "Frequency", 30, "cmgj00063418-Frequency-1") + "]",
                "local-aliyun-secret");
        assertThat(r.statusCode()).isEqualTo(200);
        tools.jackson.databind.JsonNode seen = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/metering")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
        assertThat(seen.path("billed").toString()).as("the hour that began before the expiry")
                .contains("\"instanceId\":\"" + before + "\"").doesNotContain("\"instanceId\":\"" + after + "\"");
        assertThat(seen.path("notBilled").toString()).contains("\"instanceId\":\"" + after + "\"")
                .doesNotContain("\"instanceId\":\"" + before + "\"");
    }
}
