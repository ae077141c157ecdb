package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.marketbill.protocols.aliyun.AliyunRpcSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Market OpenAPI {@code PushMeteringData} (2015-11-01) with the Alibaba Cloud RPC signature (HMAC-SHA1),
 * sent as a form POST like the official SDK; {@code market20151101} is not available here.
 */
@Component
class AliyunMeteringClient {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final BillingProperties.Aliyun props;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    // signatures carry the real time, whatever the billing clock says
    private final Clock wallClock = Clock.systemUTC();

    AliyunMeteringClient(BillingProperties props) {
        this.props = props.aliyun();
        this.http = HttpClient.newBuilder().connectTimeout(this.props.timeout()).build();
    }

    boolean configured() {
        return props.configured();
    }

    MarketplaceAnswer push(String meteringJson) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", "PushMeteringData");
        params.put("Format", "JSON");
        params.put("Version", "2015-11-01");
        params.put("AccessKeyId", props.accessKeyId());
        params.put("SignatureMethod", "HMAC-SHA1");
        params.put("SignatureVersion", "1.0");
        params.put("SignatureNonce", UUID.randomUUID().toString());
        params.put("Timestamp", TIMESTAMP.format(wallClock.instant().truncatedTo(ChronoUnit.SECONDS)));
        params.put("Metering", meteringJson);
        String form = AliyunRpcSignature.canonicalQuery(params) + "&Signature="
                + AliyunRpcSignature.percentEncode(AliyunRpcSignature.sign("POST", params, props.accessKeySecret()));
        HttpRequest request = HttpRequest.newBuilder(props.endpoint()).timeout(props.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new MarketplaceAnswer(MarketplaceAnswer.Kind.UNKNOWN, 0, "IOException", e.toString(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MarketplaceAnswer(MarketplaceAnswer.Kind.UNKNOWN, 0, "Interrupted", e.toString(), null);
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (RuntimeException e) {
            // an answer we cannot read, e.g. a proxy's error page: we cannot tell whether it was taken
            return new MarketplaceAnswer(MarketplaceAnswer.Kind.UNKNOWN, response.statusCode(), "UnreadableAnswer",
                    clip(response.body()), null);
        }
        if (response.statusCode() == 200 && body.path("Success").asBoolean(false)) {
            return new MarketplaceAnswer(MarketplaceAnswer.Kind.ACCEPTED, 200, null, null, body);
        }
        String code = body.path("Code").asString("HttpError" + response.statusCode());
        if (response.statusCode() >= 500) {
            return new MarketplaceAnswer(MarketplaceAnswer.Kind.UNKNOWN, response.statusCode(), code,
                    body.path("Message").asString(""), body);
        }
        return new MarketplaceAnswer(MarketplaceAnswer.Kind.REFUSED, response.statusCode(), code,
                body.path("Message").asString(""), body);
    }

    static String clip(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) : s;
    }

    URI endpoint() {
        return props.endpoint();
    }
}
