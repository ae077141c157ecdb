package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The fault-injection API, {@code /sim/faults}, on both metering APIs (task 3); a rule from configuration too. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "simulator.aliyun.spi-url=http://127.0.0.1:9/nowhere", "simulator.aliyun.retries=1",
        "simulator.aliyun.flow-control-interval=1ms",
        "simulator.faults.rules[0].marketplace=aliyun", "simulator.faults.rules[0].kind=server-error",
        "simulator.faults.rules[0].count=1"})
// the configured rule is seen by the first test only: every test clears the rules when it ends
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class FaultInjectionTest {

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);

    @AfterEach
    void clear() throws Exception {
        send("DELETE", "/sim/faults", null);
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20)).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode fault(String rule) throws Exception {
        HttpResponse<String> r = send("POST", "/sim/faults", rule);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    HttpResponse<String> meter(List<String> records) throws Exception {
        return SignedCalls.aws(port, "/", "AWSMPMeteringService.BatchMeterUsage",
                "{\"ProductCode\":\"fault-product\",\"UsageRecords\":[" + String.join(",", records) + "]}",
                "local-aws-secret");
    }

    JsonNode customer() throws Exception {
        return json.readTree(send("POST", "/sim/aws/customers", "{\"productCode\":\"fault-product\",\"accountId\":\""
                + (100000000000L + (long) (Math.random() * 1e11)) + "\"}").body());
    }

    List<String> records(JsonNode c, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(AwsMeteringTest.record(c, hour, "dim" + i, 1));
        }
        return out;
    }

    String awsMetering() throws Exception {
        return send("GET", "/sim/aws/metering", null).body();
    }

    @Test
    void aCountedRuleHitsThatManyCallsAndIsListedWithItsHits() throws Exception {
        JsonNode c = customer();
        JsonNode rule = fault("{\"marketplace\":\"aws\",\"kind\":\"THROTTLING\",\"count\":2}");
        assertThat(meter(records(c, 1)).body()).contains("ThrottlingException");
        assertThat(meter(records(c, 1)).body()).contains("ThrottlingException");
        assertThat(meter(records(c, 1)).statusCode()).isEqualTo(200);
        JsonNode listed = json.readTree(send("GET", "/sim/faults", null).body());
        assertThat(listed.get(0).path("id").asLong()).isEqualTo(rule.path("id").asLong());
        assertThat(listed.get(0).path("hits").asInt()).isEqualTo(2);
        assertThat(listed.get(0).path("spent").asBoolean()).isTrue();
        assertThat(send("POST", "/sim/faults", "{\"kind\":\"nonsense\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void aSeededRateRepeatsTheSameFaults() throws Exception {
        JsonNode c = customer();
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            fault("{\"marketplace\":\"aws\",\"kind\":\"server-error\",\"rate\":0.5,\"seed\":42}");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                statuses.add(meter(List.of(AwsMeteringTest.record(c, hour, "seeded", 1))).statusCode());
            }
            runs.add(statuses);
            send("DELETE", "/sim/faults", null);
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1)).contains(500, 200);
    }

    @Test
    void aTimeoutAnswersAfterItsDelayAndALostAnswerIsBilledButNeverSeen() throws Exception {
        JsonNode c = customer();
        fault("{\"marketplace\":\"aws\",\"kind\":\"timeout\",\"delay\":\"PT2S\",\"count\":1}");
        long started = System.nanoTime();
        assertThat(meter(List.of(AwsMeteringTest.record(c, hour, "slow", 1))).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));

        fault("{\"marketplace\":\"aws\",\"kind\":\"lost-answer\",\"count\":1}");
        assertThatThrownBy(() -> meter(List.of(AwsMeteringTest.record(c, hour, "lost", 1))))
                .isInstanceOf(IOException.class);
        assertThat(awsMetering()).as("processed before the answer was lost").contains("\"Dimension\":\"lost\"");
    }

    @Test
    void aPoisonedRecordFailsEveryCallThatCarriesItSoBisectionFindsIt() throws Exception {
        JsonNode c = customer();
        fault("{\"marketplace\":\"aws\",\"kind\":\"poisoned-record\",\"count\":1,\"seed\":7,"
                + "\"error\":\"InvalidLicenseException\"}");
        List<String> batch = records(c, 8);
        HttpResponse<String> whole = meter(batch);
        assertThat(whole.statusCode()).isEqualTo(400);
        assertThat(whole.body()).contains("InvalidLicenseException");
        // bisect as a caller must: halves until the single poisoned record is left
        List<String> suspects = batch;
        List<String> billed = new ArrayList<>();
        while (suspects.size() > 1) {
            List<String> left = suspects.subList(0, suspects.size() / 2);
            List<String> right = suspects.subList(suspects.size() / 2, suspects.size());
            if (meter(left).statusCode() == 400) {
                assertThat(meter(right).statusCode()).as("one poisoned record per batch").isEqualTo(200);
                billed.addAll(right);
                suspects = left;
            } else {
                billed.addAll(left);
                suspects = right;
            }
        }
        assertThat(meter(suspects).body()).contains("InvalidLicenseException");
        assertThat(billed).hasSize(7);
        JsonNode rule = json.readTree(send("GET", "/sim/faults", null).body()).get(0);
        assertThat(rule.path("poisoned")).hasSize(1);
        String dimension = json.readTree(suspects.get(0)).path("Dimension").asString();
        assertThat(rule.path("poisoned").get(0).asString()).contains("|" + dimension + "|");
        assertThat(awsMetering()).doesNotContain("\"Dimension\":\"" + dimension + "\"");
    }

    // ---- Alibaba ----

    String buy() throws Exception {
        String orderBizId = "F" + UUID.randomUUID().toString().substring(0, 8);
        send("POST", "/sim/aliyun/instances", "{\"productCode\":\"cmgj00063418\",\"orderBizId\":\"" + orderBizId + "\"}");
        return orderBizId;
    }

    HttpResponse<String> push(String... records) throws Exception {
        return SignedCalls.aliyunPush(port, "[" + String.join(",", records) + "]", "local-aliyun-secret");
    }

    String aliyunRecord(String instance) {
        long h = hour.getEpochSecond();
        return AliyunMeteringApiTest.record(instance, h, h + 3600, "Frequency", 1, "cmgj00063418-Frequency-1");
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void alibabaMeetsTheConfiguredRuleThenThrottlingLostAnswersAndPoison() throws Exception {
        String a = buy();
        HttpResponse<String> first = push(aliyunRecord(a));
        assertThat(first.statusCode()).as("simulator.faults.rules[0]: one InternalError").isEqualTo(500);
        assertThat(first.body()).contains("InternalError");
        assertThat(push(aliyunRecord(a)).statusCode()).isEqualTo(200);

        fault("{\"marketplace\":\"aliyun\",\"kind\":\"throttling\",\"count\":1}");
        assertThat(push(aliyunRecord(buy())).body()).contains("Service.Flow.Control");

        String lost = buy();
        fault("{\"marketplace\":\"aliyun\",\"kind\":\"LOST_ANSWER\",\"count\":1}");
        assertThatThrownBy(() -> push(aliyunRecord(lost))).isInstanceOf(IOException.class);
        assertThat(send("GET", "/sim/aliyun/metering", null).body()).contains("\"instanceId\":\"" + lost + "\"");

        String b = buy();
        String poisoned = buy();
        fault("{\"marketplace\":\"aliyun\",\"kind\":\"poisoned-record\",\"match\":\"" + poisoned + "\"}");
        HttpResponse<String> refused = push(aliyunRecord(b), aliyunRecord(poisoned));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Invalid.Parameter.Metering");
        assertThat(push(aliyunRecord(b)).statusCode()).isEqualTo(200);
        assertThat(push(aliyunRecord(poisoned)).body()).contains("Invalid.Parameter.Metering");
    }
}
