package io.marketbill.simulator;

import io.marketbill.protocols.aliyun.AliyunRpcSignature;
import io.marketbill.protocols.aws.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** The simulator's metering APIs called as a seller calls them, signed with our own signers: one copy for the tests. */
final class SignedCalls {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SignedCalls() {
    }

    /** PushMeteringData's parameters, unsigned, with the development access key id. */
    static Map<String, String> aliyunPushParams(String metering) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("Action", "PushMeteringData");
        p.put("Version", "2015-11-01");
        p.put("Format", "JSON");
        p.put("AccessKeyId", "local-aliyun-key");
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureVersion", "1.0");
        p.put("SignatureNonce", UUID.randomUUID().toString());
        p.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("Metering", metering);
        return p;
    }

    /** PushMeteringData signed with {@code secret}, as a form POST to the simulator on {@code port}. */
    static HttpResponse<String> aliyunPush(int port, String metering, String secret) throws Exception {
        Map<String, String> p = aliyunPushParams(metering);
        p.put("Signature", AliyunRpcSignature.sign("POST", p, secret));
        String form = p.entrySet().stream().map(e -> AliyunRpcSignature.percentEncode(e.getKey()) + "="
                + AliyunRpcSignature.percentEncode(e.getValue())).collect(Collectors.joining("&"));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/aliyun/market"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON 1.1 call of {@code target}, SigV4-signed for cn-northwest-1 with the development key and {@code secret}. */
    static HttpResponse<String> aws(int port, String path, String target, String body, String secret)
            throws Exception {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "127.0.0.1:" + port);
        headers.put("content-type", "application/x-amz-json-1.1");
        headers.put("x-amz-date", SigV4.AMZ_DATE.format(now));
        headers.put("x-amz-target", target);
        String auth = SigV4.authorization(new SigV4.Request("POST", path, "", headers, SigV4.sha256Hex(payload)), now,
                "cn-northwest-1", "aws-marketplace", new SigV4.Credentials("local-aws-key", secret, null));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Date", headers.get("x-amz-date"))
                .header("X-Amz-Target", target).header("Authorization", auth).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
