package io.marketbill.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.auth.RpcSignatureComposer;
import com.aliyuncs.auth.signers.HmacSHA1Signer;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import io.marketbill.protocols.aliyun.AliyunRpcSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Alibaba Cloud's own Java SDK core (aliyun-java-sdk-core 4.7.3: {@code DefaultAcsClient}, {@code RpcSignatureComposer},
 * {@code HmacSHA1Signer}) against the simulated Market API: a {@code PushMeteringData} call the SDK signs and sends is
 * accepted, the same call tampered with after signing is refused, and our signer computes the SDK's signature.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "simulator.aliyun.spi-url=http://127.0.0.1:9/nowhere", "simulator.aliyun.retries=1",
        "simulator.aliyun.prices.cmgj00063418-Frequency-1=0.01"})
class AliyunSdkAgainstSimulatorTest {

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private String buy() throws Exception {
        String orderBizId = "SDK" + UUID.randomUUID().toString().substring(0, 8);
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/instances"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"productCode\":\"cmgj00063418\",\"orderBizId\":\"" + orderBizId + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return orderBizId;
    }

    private static String metering(String instance, long value) {
        long hour = Instant.now().truncatedTo(ChronoUnit.HOURS).getEpochSecond();
        return AliyunMeteringApiTest.record(instance, hour, hour + 3600, "Frequency", value, "cmgj00063418-Frequency-1");
    }

    private CommonResponse sdkPush(String metering, String secret) throws ClientException {
        DefaultAcsClient client = new DefaultAcsClient(DefaultProfile.getProfile("cn-hangzhou", "local-aliyun-key", secret));
        try {
            CommonRequest request = new CommonRequest();
            // the SDK sends RPC calls to <domain>/?<query>: here the simulator's Market API path
            request.setSysDomain("127.0.0.1:" + port + "/aliyun/market");
            request.setSysProtocol(ProtocolType.HTTP);
            request.setSysMethod(MethodType.POST);
            request.setSysVersion("2015-11-01");
            request.setSysAction("PushMeteringData");
            // a form field, as Alibaba's market20151101 client sends it (reqBodyType formData)
            request.putBodyParameter("Metering", "[" + metering + "]");
            return client.getCommonResponse(request);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aPushSentByTheSdkIsAcceptedAndBilled() throws Exception {
        String instance = buy();
        CommonResponse r = sdkPush(metering(instance, 300), "local-aliyun-secret");
        assertThat(r.getHttpStatus()).isEqualTo(200);
        assertThat(r.getData()).contains("\"Success\":true");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/aliyun/metering"))
                .build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("\"instanceId\":\"" + instance + "\"").contains("\"fee\":3.00");
    }

    @Test
    void theSdksSignatureWithAnotherSecretIsRefusedWithAlibabasCode() throws Exception {
        String instance = buy();
        assertThatThrownBy(() -> sdkPush(metering(instance, 1), "not-the-secret"))
                .isInstanceOfSatisfying(ClientException.class,
                        e -> assertThat(e.getErrCode()).isEqualTo("SignatureDoesNotMatch"));
    }

    private Map<String, String> params(String metering) {
        return SignedCalls.aliyunPushParams(metering);
    }

    /** The SDK's own RPC signature of these parameters: its string to sign, HMAC-SHA1 with {@code secret&}. */
    private static String sdkSignature(Map<String, String> p, String secret) {
        HmacSHA1Signer signer = new HmacSHA1Signer();
        String stringToSign = RpcSignatureComposer.getComposer().composeStringToSign(MethodType.POST, null, signer,
                new LinkedHashMap<>(p), null, null);
        assertThat(stringToSign).isEqualTo(AliyunRpcSignature.stringToSign("POST", p));
        return signer.signString(stringToSign, secret + "&");
    }

    private HttpResponse<String> send(Map<String, String> p) throws Exception {
        String form = p.entrySet().stream().map(e -> AliyunRpcSignature.percentEncode(e.getKey()) + "="
                + AliyunRpcSignature.percentEncode(e.getValue())).collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/aliyun/market"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void ourSignatureIsTheSdksAndAParameterChangedAfterSigningIsRefused() throws Exception {
        String instance = buy();
        Map<String, String> p = params("[" + metering(instance, 5) + "]");
        String signature = sdkSignature(p, "local-aliyun-secret");
        assertThat(AliyunRpcSignature.sign("POST", p, "local-aliyun-secret")).isEqualTo(signature);

        Map<String, String> tampered = new LinkedHashMap<>(p);
        tampered.put("Metering", "[" + metering(instance, 5000) + "]");
        tampered.put("Signature", signature);
        HttpResponse<String> refused = send(tampered);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("SignatureDoesNotMatch");

        p.put("Signature", signature);
        HttpResponse<String> ok = send(p);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"Success\":true");
    }

    @Test
    void signaturesAgreeOnCharactersThatNeedEncoding() {
        Map<String, String> p = params("[{\"InstanceId\":\"i-1\",\"note\":\"a b*c~d/é+%\"}]");
        assertThat(AliyunRpcSignature.sign("POST", p, "s3cr3t/+=")).isEqualTo(sdkSignature(p, "s3cr3t/+="));
    }
}
