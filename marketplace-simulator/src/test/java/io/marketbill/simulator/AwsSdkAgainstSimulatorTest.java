package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageResponse;
import software.amazon.awssdk.services.marketplacemetering.model.ExpiredTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.InternalServiceErrorException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidCustomerIdentifierException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidProductCodeException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidUsageDimensionException;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerResponse;
import software.amazon.awssdk.services.marketplacemetering.model.TimestampOutOfBoundsException;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecord;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecordResultStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS SDK for Java v2 against the simulated AWS Marketplace: its own SigV4 signer ({@code AwsV4HttpSigner}) and its own
 * {@code MarketplaceMeteringClient} (2.41.4, the newest served here; it predates {@code LicenseArn}, so it meters by
 * {@code CustomerIdentifier} or {@code CustomerAWSAccountId}). What the SDK sends must be accepted, and what the
 * simulator answers must come back as the SDK's documented results and typed exceptions, which proves the JSON 1.1
 * wire format (the {@code __type} of errors included).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AwsSdkAgainstSimulatorTest {

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private MarketplaceMeteringClient client;

    @BeforeEach
    void sdkClient() {
        client = client("local-aws-secret");
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/faults")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void fault(String rule) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/faults"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(rule)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    MarketplaceMeteringClient client(String secret) {
        // no retries: every answer of the simulator is seen as it was sent
        return MarketplaceMeteringClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.of("cn-northwest-1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-aws-key", secret)))
                .httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    JsonNode customer(String body) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aws/customers"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    JsonNode customer() throws Exception {
        return customer("{\"productCode\":\"sdk-product\",\"accountId\":\"444455556666\"}");
    }

    String post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static UsageRecord byIdentifier(JsonNode c, Instant at, String dimension, int quantity) {
        return UsageRecord.builder().customerIdentifier(c.path("customerIdentifier").asString()).dimension(dimension)
                .quantity(quantity).timestamp(at).build();
    }

    // ---- the SDK's signer ----

    private HttpResponse<String> sendSdkSigned(String target, String signedBody, String sentBody) throws Exception {
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:" + port + "/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", target).build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("local-aws-key", "local-aws-secret")).request(unsigned)
                .payload(ContentStreamProvider.fromUtf8String(signedBody))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "aws-marketplace")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "cn-northwest-1")).request();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"));
        // the JDK client sets Host itself, to the same value the signer signed (127.0.0.1:<port>)
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                b.header(name, values.get(0));
            }
        });
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(sentBody, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestSignedByTheSdksSignerIsAcceptedAndRefusedOnceTampered() throws Exception {
        JsonNode c = customer();
        String body = "{\"RegistrationToken\":\"" + c.path("token").asString() + "\"}";

        HttpResponse<String> ok = sendSdkSigned("AWSMPMeteringService.ResolveCustomer", body, body);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains(c.path("customerIdentifier").asString());

        HttpResponse<String> tampered = sendSdkSigned("AWSMPMeteringService.ResolveCustomer", body,
                "{\"RegistrationToken\":\"" + c.path("token").asString() + "x\"}");
        assertThat(tampered.statusCode()).isEqualTo(403);
        assertThat(tampered.body()).contains("InvalidSignatureException").contains("signature does not match");
    }

    // ---- the SDK's client ----

    @Test
    void resolveCustomerGivesTheDocumentedFieldsAndTypedTokenErrors() throws Exception {
        JsonNode c = customer();
        ResolveCustomerResponse r = client.resolveCustomer(b -> b.registrationToken(c.path("token").asString()));
        assertThat(r.customerIdentifier()).isEqualTo(c.path("customerIdentifier").asString());
        assertThat(r.customerAWSAccountId()).isEqualTo("444455556666");
        assertThat(r.productCode()).isEqualTo("sdk-product");

        assertThatThrownBy(() -> client.resolveCustomer(b -> b.registrationToken("simtok-unknown")))
                .isInstanceOf(InvalidTokenException.class);
        JsonNode old = customer();
        post("/sim/aws/customers/" + old.path("token").asString() + "/expire-token");
        assertThatThrownBy(() -> client.resolveCustomer(b -> b.registrationToken(old.path("token").asString())))
                .isInstanceOf(ExpiredTokenException.class);
        try (MarketplaceMeteringClient wrong = client("wrong-secret")) {
            assertThatThrownBy(() -> wrong.resolveCustomer(b -> b.registrationToken(c.path("token").asString())))
                    .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                    });
        }
    }

    @Test
    void batchMeterUsageGivesTheDocumentedResultsAndTypedErrors() throws Exception {
        JsonNode c = customer();
        JsonNode gone = customer();
        post("/sim/aws/customers/" + gone.path("token").asString() + "/unsubscribe");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);

        BatchMeterUsageResponse r = client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "cu_hours", 7), byIdentifier(gone, hour, "cu_hours", 3)));
        assertThat(r.results()).hasSize(2);
        assertThat(r.results().get(0).status()).isEqualTo(UsageRecordResultStatus.SUCCESS);
        assertThat(r.results().get(0).meteringRecordId()).isNotBlank();
        assertThat(r.results().get(0).usageRecord().customerIdentifier()).isEqualTo(c.path("customerIdentifier").asString());
        assertThat(r.results().get(1).status()).isEqualTo(UsageRecordResultStatus.CUSTOMER_NOT_SUBSCRIBED);
        assertThat(r.unprocessedRecords()).isEmpty();

        BatchMeterUsageResponse other = client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "cu_hours", 8)));
        assertThat(other.results().get(0).status()).isEqualTo(UsageRecordResultStatus.DUPLICATE_RECORD);

        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour.minus(30, ChronoUnit.HOURS), "cu_hours", 1))))
                .isInstanceOf(TimestampOutOfBoundsException.class);
    }

    @Test
    void requestLevelRefusalsComeBackAsTheSdksTypedExceptions() throws Exception {
        JsonNode c = customer("{\"productCode\":\"sdk-listed\",\"accountId\":\"444455556666\"}");
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aws/listings/sdk-listed"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"dimensions\":[\"cu_hours\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);

        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-listed")
                .usageRecords(byIdentifier(c, hour, "cu_hours", 1), byIdentifier(c, hour, "gpu_hours", 1))))
                .isInstanceOf(InvalidUsageDimensionException.class);
        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-listed").usageRecords(UsageRecord.builder()
                .customerIdentifier("CI-nobody").dimension("cu_hours").quantity(1).timestamp(hour).build())))
                .isInstanceOf(InvalidCustomerIdentifierException.class);
        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("another-product")
                .usageRecords(byIdentifier(c, hour, "cu_hours", 1))))
                .isInstanceOf(InvalidProductCodeException.class);
    }

    @Test
    void aNewIntegrationsCustomerResolvesWithoutIdentifierAndIsMeteredByAccount() throws Exception {
        JsonNode c = customer("{\"productCode\":\"sdk-new\",\"accountId\":\"777788889999\",\"integration\":\"new\"}");
        ResolveCustomerResponse r = client.resolveCustomer(b -> b.registrationToken(c.path("token").asString()));
        assertThat(r.customerIdentifier()).isNull();
        assertThat(r.customerAWSAccountId()).isEqualTo("777788889999");
        // this SDK predates LicenseArn: the account alone names the account's only license of the product
        BatchMeterUsageResponse m = client.batchMeterUsage(b -> b.productCode("sdk-new").usageRecords(UsageRecord.builder()
                .customerAWSAccountId("777788889999").dimension("cu_hours").quantity(2)
                .timestamp(Instant.now().truncatedTo(ChronoUnit.HOURS)).build()));
        assertThat(m.results().get(0).status()).isEqualTo(UsageRecordResultStatus.SUCCESS);
        assertThat(m.results().get(0).usageRecord().customerAWSAccountId()).isEqualTo("777788889999");
    }

    @Test
    void injectedFaultsComeBackAsTheSdksTypedExceptionsAndUnprocessedRecords() throws Exception {
        JsonNode c = customer();
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        fault("{\"marketplace\":\"aws\",\"kind\":\"throttling\",\"count\":1}");
        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "f1", 1)))).isInstanceOf(ThrottlingException.class);
        fault("{\"marketplace\":\"aws\",\"kind\":\"SERVER_ERROR\",\"count\":1}");
        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "f1", 1)))).isInstanceOfSatisfying(InternalServiceErrorException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(500));
        fault("{\"marketplace\":\"aws\",\"kind\":\"unprocessed\",\"count\":1}");
        BatchMeterUsageResponse left = client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "f1", 1)));
        assertThat(left.results()).isEmpty();
        assertThat(left.unprocessedRecords()).hasSize(1);
        assertThat(left.unprocessedRecords().get(0).dimension()).isEqualTo("f1");
        fault("{\"marketplace\":\"aws\",\"kind\":\"poisoned-record\",\"match\":\"|f2|\"}");
        assertThatThrownBy(() -> client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "f1", 1), byIdentifier(c, hour, "f2", 1))))
                .isInstanceOf(InvalidUsageDimensionException.class);
        // every rule spent or not matching: the call goes through, and the earlier ones billed nothing
        BatchMeterUsageResponse ok = client.batchMeterUsage(b -> b.productCode("sdk-product")
                .usageRecords(byIdentifier(c, hour, "f1", 1)));
        assertThat(ok.results().get(0).status()).isEqualTo(UsageRecordResultStatus.SUCCESS);
    }
}
