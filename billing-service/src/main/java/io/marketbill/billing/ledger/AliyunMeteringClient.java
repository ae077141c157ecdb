package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.marketbill.protocols.aliyun.AliyunRpcSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

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
        return MarketplaceAnswer.call(http, request, (status, body) -> {
            if (status == 200 && body.path("Success").asBoolean(false)) {
                return new MarketplaceAnswer(MarketplaceAnswer.Kind.ACCEPTED, 200, null, null, body);
            }
            String code = body.path("Code").asString("HttpError" + status);
            // a server error may come after the push was taken
            return new MarketplaceAnswer(status >= 500 ? MarketplaceAnswer.Kind.UNKNOWN : MarketplaceAnswer.Kind.REFUSED,
                    status, code, body.path("Message").asString(""), body);
        });
    }

    URI endpoint() {
        return props.endpoint();
    }
}
