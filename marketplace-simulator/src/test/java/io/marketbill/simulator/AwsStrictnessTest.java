package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The simulated AWS Marketplace as strict as its documentation (findings 10-13 of the protocol review): every test
 * here fails on the simulator before these rules, which accepted the same calls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "simulator.aws.metering.unsubscribe-grace=3s", "simulator.aws.eventbridge.secret=eb-secret"})
class AwsStrictnessTest {

    static final String PRODUCT = "strict-product";
    static final List<Map<String, Object>> DELIVERED = new CopyOnWriteArrayList<>();
    static final HttpServer GATEWAY = gateway();

    static HttpServer gateway() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.createContext("/marketplace/aws/events", x -> {
                Map<String, Object> got = new LinkedHashMap<>();
                got.put("key", x.getRequestHeaders().getFirst("x-marketbill-eventbridge-key"));
                got.put("body", new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                DELIVERED.add(got);
                x.sendResponseHeaders(200, -1);
                x.close();
            });
            s.start();
            return s;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void gatewayUrl(DynamicPropertyRegistry r) {
        r.add("simulator.aws.gateway-url", () -> "http://127.0.0.1:" + GATEWAY.getAddress().getPort());
    }

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);

    @AfterEach
    void defaults() throws Exception {
        send("PUT", "/sim/aws/metering/window", "{\"profile\":\"LEGACY_6H\",\"futureTolerance\":\"PT0S\"}");
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(String path, String target, String body) throws Exception {
        return SignedCalls.aws(port, path, target, body, "local-aws-secret");
    }

    HttpResponse<String> meter(String... records) throws Exception {
        return meterFor(PRODUCT, records);
    }

    HttpResponse<String> meterFor(String product, String... records) throws Exception {
        return call("/", "AWSMPMeteringService.BatchMeterUsage",
                "{\"ProductCode\":\"" + product + "\",\"UsageRecords\":[" + String.join(",", records) + "]}");
    }

    JsonNode customer(String extra) throws Exception {
        return customerOf(PRODUCT, extra);
    }

    JsonNode customerOf(String product, String extra) throws Exception {
        return json.readTree(send("POST", "/sim/aws/customers", "{\"productCode\":\"" + product + "\",\"accountId\":\""
                + (100000000000L + (long) (Math.random() * 1e11)) + "\"" + extra + "}").body());
    }

    static String byLicense(JsonNode c, Instant at, String dimension, long quantity) {
        return AwsMeteringTest.record(c, at, dimension, quantity);
    }

    static String byIdentifier(JsonNode c, Instant at, String dimension, long quantity) {
        return "{\"Timestamp\":" + at.getEpochSecond() + ",\"CustomerIdentifier\":\"" + c.path("customerIdentifier")
                .asString() + "\",\"Dimension\":\"" + dimension + "\",\"Quantity\":" + quantity + "}";
    }

    static String status(HttpResponse<String> r, int i) {
        return JsonMapper.builder().build().readTree(r.body()).path("Results").get(i).path("Status").asString();
    }

    // ---- request-level refusals of the whole call ----

    @Test
    void aDimensionOutsideTheListingRefusesTheWholeCall() throws Exception {
        send("PUT", "/sim/aws/listings/listed-product", "{\"dimensions\":[\"cu_hours\",\"storage_gb_hours\"]}");
        JsonNode c = customerOf("listed-product", "");
        HttpResponse<String> r = meterFor("listed-product", byLicense(c, hour, "cu_hours", 5),
                byLicense(c, hour, "renamed_dimension", 1));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("InvalidUsageDimensionException");
        assertThat(send("GET", "/sim/aws/metering", null).body()).as("nothing of the call is billed")
                .doesNotContain(c.path("licenseArn").asString());
        assertThat(status(meterFor("listed-product", byLicense(c, hour, "cu_hours", 5)), 0)).isEqualTo("Success");
    }

    @Test
    void licensesAreCheckedForTheWholeCall() throws Exception {
        JsonNode c = customer("");
        JsonNode other = customer("");
        String unknown = "{\"Timestamp\":" + hour.getEpochSecond() + ",\"CustomerAWSAccountId\":\""
                + c.path("accountId").asString() + "\",\"LicenseArn\":\"arn:aws-cn:license-manager::1:license:l-nope\","
                + "\"Dimension\":\"d\",\"Quantity\":1}";
        HttpResponse<String> r = meter(byLicense(c, hour, "d", 1), unknown);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("InvalidLicenseException");
        String mismatch = "{\"Timestamp\":" + hour.getEpochSecond() + ",\"CustomerAWSAccountId\":\""
                + other.path("accountId").asString() + "\",\"LicenseArn\":\"" + c.path("licenseArn").asString()
                + "\",\"Dimension\":\"d\",\"Quantity\":1}";
        assertThat(meter(mismatch).body()).contains("InvalidLicenseException").contains("is not account");

        // the activation period: usage in an hour the license does not cover
        send("POST", "/sim/aws/customers/" + c.path("token").asString() + "/license",
                "{\"start\":\"" + hour.minusSeconds(7200) + "\",\"end\":\"" + hour.minusSeconds(1800) + "\"}");
        assertThat(status(meter(byLicense(c, hour.minusSeconds(3600), "d", 1)), 0)).as("the hour that overlaps the end")
                .isEqualTo("Success");
        assertThat(meter(byLicense(c, hour, "d", 1)).body()).contains("InvalidLicenseException")
                .contains("outside the activation period");
        assertThat(meter(byLicense(c, hour.minusSeconds(3 * 3600), "d", 1)).body()).as("before it started")
                .contains("InvalidLicenseException");
    }

    @Test
    void unknownCustomerIdentifiersRefuseTheWholeCall() throws Exception {
        JsonNode c = customer("");
        HttpResponse<String> r = meter(byIdentifier(c, hour, "d", 1), "{\"Timestamp\":" + hour.getEpochSecond()
                + ",\"CustomerIdentifier\":\"CI-nobody\",\"Dimension\":\"d\",\"Quantity\":1}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("InvalidCustomerIdentifierException");
    }

    // ---- identities, dedup, new integrations, GetEntitlements ----

    @Test
    void bothIdentifiersOrNeitherAreRefused() throws Exception {
        JsonNode c = customer("");
        String both = "{\"Timestamp\":" + hour.getEpochSecond() + ",\"CustomerIdentifier\":\""
                + c.path("customerIdentifier").asString() + "\",\"CustomerAWSAccountId\":\"" + c.path("accountId").asString()
                + "\",\"LicenseArn\":\"" + c.path("licenseArn").asString() + "\",\"Dimension\":\"d\",\"Quantity\":1}";
        assertThat(meter(both).body()).contains("ValidationException").contains("mutually exclusive");
        String neither = "{\"Timestamp\":" + hour.getEpochSecond() + ",\"Dimension\":\"d\",\"Quantity\":1}";
        assertThat(meter(neither).body()).contains("ValidationException");
        String licenseAlone = "{\"Timestamp\":" + hour.getEpochSecond() + ",\"LicenseArn\":\""
                + c.path("licenseArn").asString() + "\",\"Dimension\":\"d\",\"Quantity\":1}";
        assertThat(meter(licenseAlone).body()).contains("ValidationException").contains("LicenseArn needs");
    }

    @Test
    void oneRecordPerCustomerDimensionAndHourTheFirstWins() throws Exception {
        JsonNode c = customer("");
        Instant previous = hour.minusSeconds(3600); // every second of it is in the past
        String id = json.readTree(meter(byLicense(c, previous, "d", 5)).body()).path("Results").get(0)
                .path("MeteringRecordId").asString();
        HttpResponse<String> sameHour = meter(byLicense(c, previous.plusSeconds(1800), "d", 5));
        assertThat(status(sameHour, 0)).isEqualTo("Success");
        assertThat(json.readTree(sameHour.body()).path("Results").get(0).path("MeteringRecordId").asString())
                .as("the hour's first record").isEqualTo(id);
        assertThat(status(meter(byIdentifier(c, previous.plusSeconds(3599), "d", 6)), 0)).as("another quantity, same hour")
                .isEqualTo("DuplicateRecord");
        assertThat(send("GET", "/sim/aws/metering", null).body()).contains("\"Quantity\":5").doesNotContain("\"Quantity\":6");
    }

    @Test
    void aNewIntegrationsCustomerHasNoCustomerIdentifier() throws Exception {
        JsonNode c = customer(",\"integration\":\"new\"");
        assertThat(c.path("customerIdentifier").isNull()).isTrue();
        HttpResponse<String> resolved = call("/", "AWSMPMeteringService.ResolveCustomer",
                "{\"RegistrationToken\":\"" + c.path("token").asString() + "\"}");
        assertThat(json.readTree(resolved.body()).has("CustomerIdentifier")).isFalse();
        assertThat(resolved.body()).contains(c.path("licenseArn").asString()).contains(c.path("accountId").asString());
        assertThat(status(meter(byLicense(c, hour, "d", 1)), 0)).isEqualTo("Success");
    }

    @Test
    void getEntitlementsIsServedOnTheEntitlementEndpointWithTheModelsFilters() throws Exception {
        JsonNode c = customer("");
        String target = "AWSMPEntitlementService.GetEntitlements";
        assertThat(call("/", target, "{\"ProductCode\":\"" + PRODUCT + "\"}").body()).as("not the metering endpoint")
                .contains("UnknownOperationException");
        HttpResponse<String> ok = call("/entitlement", target, "{\"ProductCode\":\"" + PRODUCT
                + "\",\"Filter\":{\"CUSTOMER_IDENTIFIER\":[\"" + c.path("customerIdentifier").asString()
                + "\"],\"DIMENSION\":[\"pay_as_you_go\"]}}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json.readTree(ok.body()).path("Entitlements")).hasSize(1);
        assertThat(call("/entitlement", target, "{\"ProductCode\":\"" + PRODUCT + "\",\"Filter\":{\"LICENSE_ARN\":[\""
                + c.path("licenseArn").asString() + "\"]}}").body()).contains("InvalidParameterException");
        assertThat(call("/entitlement", target, "{\"ProductCode\":\"" + PRODUCT + "\",\"Filter\":{\"CUSTOMER_IDENTIFIER\":[\""
                + c.path("customerIdentifier").asString() + "\"],\"CUSTOMER_AWS_ACCOUNT_ID\":[\""
                + c.path("accountId").asString() + "\"]}}").body()).contains("InvalidParameterException")
                .contains("mutually exclusive");
    }

    // ---- the unsubscribe timeline and EventBridge ----

    @Test
    void unsubscribePendingLeavesAGraceAndUnsubscribeSuccessEndsMetering() throws Exception {
        JsonNode pending = customer("");
        JsonNode gone = customer("");
        send("POST", "/sim/aws/customers/" + pending.path("token").asString() + "/notify?action=unsubscribe-pending", null);
        send("POST", "/sim/aws/customers/" + gone.path("token").asString() + "/notify?action=unsubscribe-success", null);

        HttpResponse<String> within = meter(byLicense(pending, hour, "d", 1), byLicense(gone, hour, "d", 1));
        assertThat(status(within, 0)).as("within the grace after unsubscribe-pending").isEqualTo("Success");
        assertThat(status(within, 1)).as("after unsubscribe-success").isEqualTo("CustomerNotSubscribed");
        Thread.sleep(3100); // the grace of this test (simulator.aws.metering.unsubscribe-grace=3s; 1 h by default)
        assertThat(status(meter(byLicense(pending, hour, "e", 1)), 0)).isEqualTo("CustomerNotSubscribed");
    }

    @Test
    void eventBridgeEventsHaveTheDocumentedBodiesAndTheApiDestinationKey() throws Exception {
        JsonNode c = customer("");
        String token = c.path("token").asString();
        DELIVERED.clear();
        for (String type : List.of("license-updated", "license-deprovisioned", "agreement-created", "agreement-ended")) {
            assertThat(json.readTree(send("POST", "/sim/aws/customers/" + token + "/eventbridge?type=" + type, null)
                    .body()).path("status").asInt()).isEqualTo(200);
        }
        assertThat(DELIVERED).hasSize(4).allSatisfy(d -> assertThat(d.get("key")).isEqualTo("eb-secret"));
        JsonNode updated = json.readTree((String) DELIVERED.get(0).get("body"));
        assertThat(updated.path("source").asString()).isEqualTo("aws.agreement-marketplace");
        assertThat(updated.path("detail-type").asString()).isEqualTo("License Updated - Manufacturer");
        assertThat(updated.path("detail").path("license").path("arn").asString())
                .isEqualTo(c.path("licenseArn").asString().substring("arn:".length()));
        assertThat(updated.path("detail").path("product").path("code").asString()).isEqualTo(PRODUCT);
        assertThat(updated.path("detail").path("acceptor").path("accountId").asString()).isEqualTo(c.path("accountId").asString());
        JsonNode ended = json.readTree((String) DELIVERED.get(3).get("body"));
        assertThat(ended.path("detail-type").asString()).isEqualTo("Purchase Agreement Ended - Manufacturer");
        assertThat(ended.path("detail").path("agreement").path("status").asString()).isEqualTo("CANCELLED");
        assertThat(ended.path("detail").path("agreement").path("id").asString())
                .isEqualTo(updated.path("detail").path("agreement").path("id").asString());
        assertThat(ended.path("detail").has("product")).as("no product in agreement events").isFalse();
        assertThat(ended.path("detail").has("license")).as("no license in agreement events").isFalse();
    }

    // ---- the window profile, switchable at run time ----

    @Test
    void theChinaProfileTakesOneHourAndNoProfileTakesTheFuture() throws Exception {
        JsonNode c = customer("");
        send("PUT", "/sim/aws/metering/window", "{\"profile\":\"CHINA_1H\"}");
        assertThat(meter(byLicense(c, Instant.now().minusSeconds(3700), "d", 1)).body())
                .contains("TimestampOutOfBoundsException");
        assertThat(status(meter(byLicense(c, Instant.now().minusSeconds(600), "d", 1)), 0)).isEqualTo("Success");
        send("PUT", "/sim/aws/metering/window", "{\"profile\":\"GLOBAL\"}");
        assertThat(status(meter(byLicense(c, Instant.now().minusSeconds(20 * 3600), "f", 1)), 0)).isEqualTo("Success");
        assertThat(meter(byLicense(c, Instant.now().plusSeconds(300), "g", 1)).body()).as("in the future")
                .contains("TimestampOutOfBoundsException");
    }
}
