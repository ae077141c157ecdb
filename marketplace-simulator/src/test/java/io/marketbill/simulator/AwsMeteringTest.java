package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** BatchMeterUsage and GetEntitlements as the simulated AWS Marketplace serves them (spec §2.5, §2.6). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AwsMeteringTest {

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private HttpResponse<String> call(String target, String body, String secret) throws Exception {
        return call("/", target, body, secret);
    }

    private HttpResponse<String> call(String path, String target, String body, String secret) throws Exception {
        return SignedCalls.aws(port, path, target, body, secret);
    }

    private JsonNode customer(String account) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aws/customers"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"productCode\":\"zilliz-cloud-aws-cn\",\"accountId\":\"" + account + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    static String record(JsonNode c, Instant at, String dimension, long quantity) {
        return "{\"Timestamp\":" + at.getEpochSecond() + ",\"CustomerAWSAccountId\":\"" + c.path("accountId").asString()
                + "\",\"LicenseArn\":\"" + c.path("licenseArn").asString() + "\",\"Dimension\":\"" + dimension
                + "\",\"Quantity\":" + quantity + "}";
    }

    static String batch(String... records) {
        return "{\"ProductCode\":\"zilliz-cloud-aws-cn\",\"UsageRecords\":[" + String.join(",", records) + "]}";
    }

    @Test
    void batchMeterUsageFollowsTheDocumentedRules() throws Exception {
        JsonNode a = customer("111111111111");
        JsonNode gone = customer("222222222222");
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aws/customers/"
                + gone.path("token").asString() + "/unsubscribe")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        String target = "AWSMPMeteringService.BatchMeterUsage";

        HttpResponse<String> first = call(target, batch(record(a, hour, "cu_hours", 1250), record(gone, hour, "cu_hours", 7)),
                "local-aws-secret");
        assertThat(first.statusCode()).isEqualTo(200);
        JsonNode results = json.readTree(first.body()).path("Results");
        assertThat(results.get(0).path("Status").asString()).isEqualTo("Success");
        assertThat(results.get(1).path("Status").asString()).isEqualTo("CustomerNotSubscribed");
        String id = results.get(0).path("MeteringRecordId").asString();

        JsonNode again = json.readTree(call(target, batch(record(a, hour, "cu_hours", 1250)), "local-aws-secret").body());
        assertThat(again.path("Results").get(0).path("MeteringRecordId").asString()).as("identical retry").isEqualTo(id);
        JsonNode other = json.readTree(call(target, batch(record(a, hour, "cu_hours", 1300)), "local-aws-secret").body());
        assertThat(other.path("Results").get(0).path("Status").asString()).isEqualTo("DuplicateRecord");

        String tooMany = batch(IntStream.range(0, 26).mapToObj(i -> record(a, hour.minusSeconds(3600L * (i % 3)), "d" + i, 1))
                .collect(Collectors.joining(",")).split(",(?=\\{)"));
        assertThat(call(target, tooMany, "local-aws-secret").body()).contains("ValidationException");
        HttpResponse<String> old = call(target, batch(record(a, hour, "x", 1), record(a, hour.minus(7, ChronoUnit.HOURS), "x", 1)),
                "local-aws-secret");
        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(old.body()).contains("TimestampOutOfBoundsException");
        assertThat(call(target, batch(record(a, hour, "y", 1)), "wrong-secret").statusCode()).isEqualTo(403);

        String metered = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aws/metering"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metered).contains(id).doesNotContain("\"Dimension\":\"x\"").doesNotContain("\"Quantity\":1300");
    }

    @Test
    void getEntitlementsListsActiveCustomersByFilter() throws Exception {
        JsonNode c = customer("333333333333");
        // the Entitlement Service has its own endpoint (entitlement.marketplace.*), here /entitlement
        HttpResponse<String> r = call("/entitlement", "AWSMPEntitlementService.GetEntitlements",
                "{\"ProductCode\":\"zilliz-cloud-aws-cn\",\"Filter\":{\"CUSTOMER_AWS_ACCOUNT_ID\":[\"333333333333\"]}}",
                "local-aws-secret");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains(c.path("customerIdentifier").asString()).doesNotContain("111111111111");
    }
}
