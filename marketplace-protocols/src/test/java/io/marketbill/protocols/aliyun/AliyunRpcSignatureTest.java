package io.marketbill.protocols.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AliyunRpcSignatureTest {

    /** The worked example of Alibaba Cloud's RPC signature documentation (ECS DescribeRegions). */
    @Test
    void matchesTheDocumentedExample() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("Timestamp", "2016-02-23T12:46:24Z");
        p.put("Format", "XML");
        p.put("AccessKeyId", "testid");
        p.put("Action", "DescribeRegions");
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        p.put("Version", "2014-05-26");
        p.put("SignatureVersion", "1.0");
        assertThat(AliyunRpcSignature.stringToSign("GET", p)).isEqualTo("GET&%2F&AccessKeyId%3Dtestid%26Action"
                + "%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce"
                + "%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp"
                + "%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
        assertThat(AliyunRpcSignature.sign("GET", p, "testsecret")).isEqualTo("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    @Test
    void encodesAsRfc3986() {
        assertThat(AliyunRpcSignature.percentEncode("a b*c~d/é")).isEqualTo("a%20b%2Ac~d%2F%C3%A9");
    }

    @Property
    void aSignedCallVerifiesAndAnyChangeBreaksIt(@ForAll @StringLength(max = 300) String metering,
                                                 @ForAll @StringLength(min = 1, max = 10) String extra) {
        Map<String, String> p = new HashMap<>(Map.of("Action", "PushMeteringData", "Metering", metering,
                "AccessKeyId", "id", "Version", "2015-11-01"));
        p.put("Signature", AliyunRpcSignature.sign("POST", p, "secret"));
        assertThat(AliyunRpcSignature.verify("POST", p, "secret")).isTrue();
        assertThat(AliyunRpcSignature.verify("POST", p, "secret" + extra)).isFalse();
        assertThat(AliyunRpcSignature.verify("GET", p, "secret")).isFalse();
        Map<String, String> changed = new HashMap<>(p);
        changed.put("Metering", metering + extra);
        assertThat(AliyunRpcSignature.verify("POST", changed, "secret")).isFalse();
    }
}
