package io.marketbill.protocols.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SigV4Test {

    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** AWS's published example "GET Object" (Amazon S3 API reference, sig-v4-header-based-auth). */
    @Test
    void matchesAwsPublishedExample() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("Range", "bytes=0-9");
        headers.put("x-amz-content-sha256", EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");
        SigV4.Request r = new SigV4.Request("GET", "/test.txt", "", headers, EMPTY_SHA256);
        Instant at = Instant.parse("2013-05-24T00:00:00Z");

        assertThat(SigV4.canonicalRequest(r)).isEqualTo("""
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""");
        assertThat(SigV4.stringToSign(r, at, "us-east-1", "s3")).endsWith(
                "\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
        assertThat(SigV4.signature(r, at, "us-east-1", "s3", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
                .isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(SigV4.authorization(r, at, "us-east-1", "s3", new SigV4.Credentials("AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null)))
                .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Property
    void anyChangeToTheBodyOrAHeaderChangesTheSignature(@ForAll @StringLength(max = 200) String body,
                                                        @ForAll @StringLength(min = 1, max = 20) String extra) {
        Map<String, String> headers = Map.of("host", "metering.marketplace.cn-northwest-1.amazonaws.com.cn",
                "x-amz-date", "20261122T080000Z", "x-amz-target", "AWSMPMeteringService.ResolveCustomer");
        Instant at = Instant.parse("2026-11-22T08:00:00Z");
        String hash = SigV4.sha256Hex(body.getBytes(StandardCharsets.UTF_8));
        String sig = SigV4.signature(new SigV4.Request("POST", "/", "", headers, hash), at, "cn-northwest-1",
                "aws-marketplace", "secret");
        String otherBody = SigV4.sha256Hex((body + extra).getBytes(StandardCharsets.UTF_8));
        assertThat(SigV4.signature(new SigV4.Request("POST", "/", "", headers, otherBody), at, "cn-northwest-1",
                "aws-marketplace", "secret")).isNotEqualTo(sig);
        Map<String, String> otherHeaders = new LinkedHashMap<>(headers);
        otherHeaders.put("x-amz-target", "AWSMPMeteringService.BatchMeterUsage" + extra);
        assertThat(SigV4.signature(new SigV4.Request("POST", "/", "", otherHeaders, hash), at, "cn-northwest-1",
                "aws-marketplace", "secret")).isNotEqualTo(sig);
        assertThat(SigV4.signature(new SigV4.Request("POST", "/", "", headers, hash), at, "us-east-1",
                "aws-marketplace", "secret")).isNotEqualTo(sig);
    }
}
