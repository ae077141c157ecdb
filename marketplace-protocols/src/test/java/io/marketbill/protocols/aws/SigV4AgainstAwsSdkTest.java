package io.marketbill.protocols.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Our SigV4 against AWS SDK for Java v2's own signer ({@code AwsV4HttpSigner}, the one every SDK client uses): for the
 * same request, time and credentials the two signatures are equal, and {@link SigV4#verify} accepts what the SDK signed
 * and refuses it once anything signed is changed.
 */
class SigV4AgainstAwsSdkTest {

    static final String HOST = "metering.marketplace.cn-northwest-1.amazonaws.com.cn";
    static final Instant AT = Instant.parse("2026-11-22T08:15:30Z");

    static SdkHttpRequest sdkSigned(String target, byte[] body, AwsCredentialsIdentity identity, Instant at) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create("https://" + HOST + "/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", target).build();
        return AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "aws-marketplace")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "cn-northwest-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
    }

    /**
     * The same request as ours would sign it: host, content type, date, target, the session token when there is one,
     * and the payload hash header, which the SDK's signer always adds (our own client leaves it out; SigV4 signs
     * whichever headers the request names).
     */
    static String ours(String target, byte[] body, SigV4.Credentials c, Instant at) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", HOST);
        headers.put("content-type", "application/x-amz-json-1.1");
        headers.put("x-amz-date", SigV4.AMZ_DATE.format(at));
        headers.put("x-amz-target", target);
        headers.put("x-amz-content-sha256", SigV4.sha256Hex(body));
        if (c.sessionToken() != null) {
            headers.put("x-amz-security-token", c.sessionToken());
        }
        return SigV4.authorization(new SigV4.Request("POST", "/", "", headers, SigV4.sha256Hex(body)), at,
                "cn-northwest-1", "aws-marketplace", c);
    }

    static Function<String, String> headersOf(SdkHttpRequest r) {
        return name -> r.firstMatchingHeader(name).orElse(null);
    }

    static Optional<String> verify(SdkHttpRequest r, byte[] body, String secret) {
        return SigV4.verify("POST", r.encodedPath().isEmpty() ? "/" : r.encodedPath(), "", headersOf(r), body,
                AT.plusSeconds(40), Duration.ofMinutes(15), "cn-northwest-1", "aws-marketplace", "AKIDEXAMPLE", secret);
    }

    @Test
    void ourSignatureIsTheSdksForAMeteringCall() {
        byte[] body = "{\"ProductCode\":\"zilliz-cloud-aws-cn\",\"UsageRecords\":[]}".getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest sdk = sdkSigned("AWSMPMeteringService.BatchMeterUsage", body,
                AwsCredentialsIdentity.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), AT);

        assertThat(sdk.firstMatchingHeader("X-Amz-Date")).contains("20261122T081530Z");
        assertThat(sdk.firstMatchingHeader("Authorization")).contains(ours("AWSMPMeteringService.BatchMeterUsage", body,
                new SigV4.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), AT));
    }

    @Test
    void ourSignatureIsTheSdksWithASessionToken() {
        byte[] body = "{\"RegistrationToken\":\"simtok-1\"}".getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest sdk = sdkSigned("AWSMPMeteringService.ResolveCustomer", body,
                AwsSessionCredentialsIdentity.create("AKIDEXAMPLE", "secret", "FwoGZXIvYXdzEXAMPLE//token=="), AT);

        assertThat(sdk.firstMatchingHeader("X-Amz-Security-Token")).contains("FwoGZXIvYXdzEXAMPLE//token==");
        assertThat(sdk.firstMatchingHeader("Authorization")).contains(ours("AWSMPMeteringService.ResolveCustomer", body,
                new SigV4.Credentials("AKIDEXAMPLE", "secret", "FwoGZXIvYXdzEXAMPLE//token=="), AT));
    }

    @Property(tries = 200)
    void sameSignatureForAnyBodyTargetAndTime(@ForAll @StringLength(max = 300) String body,
                                              @ForAll @AlphaChars @StringLength(min = 1, max = 30) String operation,
                                              @ForAll("seconds") long second) {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        Instant at = Instant.ofEpochSecond(second);
        String target = "AWSMPMeteringService." + operation;
        SdkHttpRequest sdk = sdkSigned(target, payload, AwsCredentialsIdentity.create("AKIDEXAMPLE", "s3cr3t"), at);
        assertThat(sdk.firstMatchingHeader("Authorization"))
                .contains(ours(target, payload, new SigV4.Credentials("AKIDEXAMPLE", "s3cr3t", null), at));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Long> seconds() {
        return net.jqwik.api.Arbitraries.longs().between(Instant.parse("2020-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2035-12-31T23:59:59Z").getEpochSecond());
    }

    @Test
    void ourVerifierAcceptsTheSdksSignatureAndRefusesAnyChange() {
        byte[] body = "{\"ProductCode\":\"p\",\"UsageRecords\":[{\"Quantity\":1}]}".getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest sdk = sdkSigned("AWSMPMeteringService.BatchMeterUsage", body,
                AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret"), AT);

        assertThat(verify(sdk, body, "secret")).isEmpty();
        assertThat(verify(sdk, "{\"ProductCode\":\"p\",\"UsageRecords\":[{\"Quantity\":9}]}"
                .getBytes(StandardCharsets.UTF_8), "secret")).contains("signature does not match");
        assertThat(verify(sdk.toBuilder().putHeader("X-Amz-Target", "AWSMPMeteringService.MeterUsage").build(), body,
                "secret")).contains("signature does not match");
        assertThat(verify(sdk, body, "another-secret")).contains("signature does not match");
        assertThat(SigV4.verify("POST", "/", "", headersOf(sdk), body, AT.plus(Duration.ofMinutes(16)),
                Duration.ofMinutes(15), "cn-northwest-1", "aws-marketplace", "AKIDEXAMPLE", "secret"))
                .contains("Signature expired");
        assertThat(SigV4.verify("POST", "/", "", headersOf(sdk), body, AT, Duration.ofMinutes(15), "us-east-1",
                "aws-marketplace", "AKIDEXAMPLE", "secret")).contains("wrong credential scope");
        assertThat(SigV4.verify("POST", "/", "", headersOf(sdk), body, AT, Duration.ofMinutes(15), "cn-northwest-1",
                "aws-marketplace", "AKIDOTHER", "secret")).contains("unknown access key");
        assertThat(verify(sdk.toBuilder().removeHeader("X-Amz-Target").build(), body, "secret"))
                .contains("signed header x-amz-target missing");
    }
}
